/**
 * "Did you mean" for a misspelt name: the known name closest to it by edit distance (insertions,
 * deletions, substitutions and swaps of neighbours; case ignored), if it is close enough to be a typo.
 */

/** Optimal-string-alignment distance between `a` and `b`. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.length][b.length];
}

/**
 * The known name `name` was most likely meant to be, or null: at most a third of its length in edits
 * away (at least 1, at most 3), or differing only in case, `-` and `_`; ties go to the earlier name.
 */
export function closestName(name: string, known: readonly string[]): string | null {
  const fold = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (candidate === name) continue;
    const distance = fold(candidate) === fold(name) ? 0 : editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : null;
}

/** ` (did you mean 'ewc'?)`, or '' when nothing is close. */
export function didYouMean(name: string, known: readonly string[]): string {
  const match = closestName(name, known);
  return match === null ? '' : ` (did you mean '${match}'?)`;
}
