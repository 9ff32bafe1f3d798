/**
 * A small dense quadratic program with one lower bound on every variable,
 *
 *   minimise ½ vᵀPv + qᵀv   subject to   v ≥ lower   (P symmetric positive definite, n × n, n small),
 *
 * solved exactly by a primal active-set method (Lawson & Hanson's NNLS scheme with a quadratic objective):
 * after the shift u = v − lower it is a non-negative QP, min ½ uᵀPu + cᵀu with c = q + P·lower·1, u ≥ 0.
 * Starting from u = 0 (every bound active), the bound whose multiplier is most negative is freed, the QP on
 * the free set is solved as a linear system, and a step that would leave the feasible set stops at the first
 * bound it meets (which becomes active again). It ends when every active bound has a non-negative
 * multiplier, i.e. at the KKT point, which is the unique minimiser for a positive definite P.
 *
 * This is GEM's dual (Lopez-Paz & Ranzato 2017, Sec. 3; ../methods/gem.ts): n = the number of earlier tasks, so a few
 * to a few tens. The npm QP packages (a port of Goldfarb–Idnani's Fortran `quadprog`) solve general
 * inequality QPs through 1-based array conventions; a bound-constrained QP this small needs neither.
 */

/** The minimiser v of ½ vᵀPv + qᵀv over v ≥ lower (every component). `P` is n × n (rows), `q` length n. */
export function solveBoundedQp(P: readonly (readonly number[])[], q: readonly number[], lower: number): number[] {
  const n = q.length;
  if (P.length !== n || P.some((row) => row.length !== n)) throw new Error(`solveBoundedQp: P must be ${n} × ${n}`);
  const c = q.map((qi, i) => qi + lower * P[i].reduce((a, b) => a + b, 0));
  const scale = Math.max(1, ...P.map((row, i) => Math.abs(row[i])), ...c.map(Math.abs));
  const tol = 1e-12 * scale;
  const u = new Array<number>(n).fill(0);
  const free = new Array<boolean>(n).fill(false);
  const gradient = () => P.map((row, i) => row.reduce((sum, pij, j) => sum + pij * u[j], c[i]));
  for (let outer = 0; outer < 10 * n + 10; outer++) {
    const g = gradient();
    let enter = -1;
    for (let i = 0; i < n; i++) if (!free[i] && g[i] < -tol && (enter < 0 || g[i] < g[enter])) enter = i;
    if (enter < 0) break;
    free[enter] = true;
    for (let inner = 0; inner <= n; inner++) {
      const idx = free.flatMap((f, i) => (f ? [i] : []));
      const zFree = solveLinear(
        idx.map((i) => idx.map((j) => P[i][j])),
        idx.map((i) => -c[i]),
      );
      const z = new Array<number>(n).fill(0);
      idx.forEach((i, k) => (z[i] = zFree[k]));
      if (idx.every((i) => z[i] > 0)) {
        for (let i = 0; i < n; i++) u[i] = z[i];
        break;
      }
      // step from u toward z as far as feasibility allows; the bound met first becomes active again
      let alpha = 1;
      for (const i of idx) if (z[i] <= 0) alpha = Math.min(alpha, u[i] / (u[i] - z[i]));
      for (let i = 0; i < n; i++) u[i] += alpha * (z[i] - u[i]);
      for (const i of idx) {
        if (u[i] <= tol) {
          u[i] = 0;
          free[i] = false;
        }
      }
    }
  }
  return u.map((ui) => ui + lower);
}

/** x with A x = b, by Gaussian elimination with partial pivoting (A small and non-singular). */
export function solveLinear(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(M[r][col]) > Math.abs(M[pivot][col])) pivot = r;
    if (M[pivot][col] === 0) throw new Error('solveLinear: singular matrix');
    [M[col], M[pivot]] = [M[pivot], M[col]];
    for (let r = col + 1; r < n; r++) {
      const f = M[r][col] / M[col][col];
      for (let k = col; k <= n; k++) M[r][k] -= f * M[col][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = M[r][n];
    for (let k = r + 1; k < n; k++) sum -= M[r][k] * x[k];
    x[r] = sum / M[r][r];
  }
  return x;
}
