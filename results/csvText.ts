/**
 * Every CSV clbench writes goes through here: RFC 4180 (csv-stringify), a header row, and no cell a
 * spreadsheet would run as a formula. Labels, run ids and sources come from suite files anyone can write,
 * and Excel or LibreOffice execute a cell starting with `=`, `+`, `-`, `@`, tab or carriage return; such
 * text cells get a leading `'` (OWASP's advice on CSV injection), which a spreadsheet shows as text and
 * pandas reads as part of the string. Numbers are written as numbers, negative ones included.
 */
import { stringify } from 'csv-stringify/sync';

export type CsvValue = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell as written: numbers as they are, text neutralised when a spreadsheet would evaluate it. */
export function csvCell(value: CsvValue): string | number {
  if (typeof value === 'number') return value;
  const text = value ?? '';
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function csvText(columns: readonly string[], rows: CsvValue[][]): string {
  return stringify(
    rows.map((row) => row.map(csvCell)),
    { header: true, columns: columns.map((c) => String(csvCell(c))) },
  );
}
