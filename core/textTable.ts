/**
 * Rows of cells as aligned lines for the terminal: each column as wide as its widest cell, the first
 * `leftColumns` columns left-aligned (names), the rest right-aligned (numbers), two spaces between columns.
 */
export function alignColumns(rows: string[][], leftColumns: number): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  return rows.map((row) => row.map((cell, c) => (c < leftColumns ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd());
}

/** 349080000 → '349,080,000': a count rounded and grouped by thousands, the same on every locale. */
export function groupedCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
