/*
 * clbench's own single-precision matrix product, C = op(A)·op(B), row-major, for the shapes a small MLP
 * trains with (hundreds to a few thousand on each side).
 *
 * Why not only the system BLAS: on machines where OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are pinned (older
 * OpenBLAS builds compute wrong results on some processors, so the environment forces a safe kernel), the
 * pinned kernel ran our products at 95–102 GFLOP/s (`npm run bench:gemm`), where this one, compiled for the
 * machine it runs on (-march=native: AVX-512 or AVX2+FMA), ran them at 133–176 and does not depend on those
 * variables. README "Speed" has the numbers; tools/build-native.mjs compiles this file with multiply-adds
 * fused (-ffp-contract=fast).
 *
 * The classic blocked scheme (Goto & van de Geijn 2008): B is packed into panels NR columns wide and KC deep,
 * A into blocks MR rows high, both contiguous in the order the micro-kernel reads them, with zero padding at
 * the edges; the micro-kernel keeps an MR×NR block of C in registers for KC steps. Packing also absorbs the
 * transposes, so every op(A)·op(B) costs the same.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__AVX512F__)
#define VL 16 /* floats a vector */
#define MR 12 /* 12 × 2 accumulators + 2 B vectors + 1 broadcast ≤ 32 registers */
#else
#define VL 8
#define MR 6 /* 6 × 2 + 3 ≤ 16 registers (AVX2; NEON has 32) */
#endif
#define NR (2 * VL)
#define KC 256
#define MC (MR * 10)

typedef float vec __attribute__((vector_size(VL * sizeof(float)), aligned(VL * sizeof(float))));
typedef float vec_u __attribute__((vector_size(VL * sizeof(float)), aligned(4)));

/* op(X)[i][j] of a row-major X with `ld` columns. */
static inline float element(const float *x, int64_t ld, int trans, int64_t i, int64_t j) { return trans ? x[j * ld + i] : x[i * ld + j]; }

/* B rows k0..k0+kc, columns j0..j0+NR (zero past n), as kc rows of NR floats. */
static void pack_b(float *restrict dst, const float *b, int64_t ldb, int transB, int64_t k0, int64_t kc, int64_t j0, int64_t n) {
  const int64_t width = n - j0 < NR ? n - j0 : NR;
  for (int64_t k = 0; k < kc; k++) {
    float *row = dst + k * NR;
    if (!transB && width == NR) {
      memcpy(row, b + (k0 + k) * ldb + j0, NR * sizeof(float));
      continue;
    }
    for (int64_t j = 0; j < width; j++) row[j] = element(b, ldb, transB, k0 + k, j0 + j);
    for (int64_t j = width; j < NR; j++) row[j] = 0.0f;
  }
}

/* A rows i0..i0+MR (zero past m), columns k0..k0+kc, as kc columns of MR floats. */
static void pack_a(float *restrict dst, const float *a, int64_t lda, int transA, int64_t i0, int64_t m, int64_t k0, int64_t kc) {
  const int64_t height = m - i0 < MR ? m - i0 : MR;
  for (int64_t k = 0; k < kc; k++) {
    float *col = dst + k * MR;
    for (int64_t i = 0; i < height; i++) col[i] = element(a, lda, transA, i0 + i, k0 + k);
    for (int64_t i = height; i < MR; i++) col[i] = 0.0f;
  }
}

/* C[0..rows, 0..cols] (+)= Ap · Bp over kc steps; ldc is C's row length. */
static void micro_kernel(int64_t kc, const float *restrict ap, const float *restrict bp, float *c, int64_t ldc, int64_t rows, int64_t cols, int accumulate) {
  vec acc[MR][2];
  for (int r = 0; r < MR; r++) acc[r][0] = acc[r][1] = (vec){0};
  for (int64_t k = 0; k < kc; k++) {
    const vec b0 = *(const vec *)(bp + k * NR);
    const vec b1 = *(const vec *)(bp + k * NR + VL);
    const float *col = ap + k * MR;
    for (int r = 0; r < MR; r++) {
      const vec a = (vec){0} + col[r];
      acc[r][0] += a * b0;
      acc[r][1] += a * b1;
    }
  }
  if (rows == MR && cols == NR) {
    for (int r = 0; r < MR; r++) {
      vec_u *out = (vec_u *)(c + r * ldc);
      if (accumulate) {
        out[0] += acc[r][0];
        out[1] += acc[r][1];
      } else {
        out[0] = acc[r][0];
        out[1] = acc[r][1];
      }
    }
    return;
  }
  for (int64_t r = 0; r < rows; r++) {
    float tile[NR];
    memcpy(tile, &acc[r][0], sizeof(vec));
    memcpy(tile + VL, &acc[r][1], sizeof(vec));
    for (int64_t j = 0; j < cols; j++) c[r * ldc + j] = accumulate ? c[r * ldc + j] + tile[j] : tile[j];
  }
}

/* Columns j0..j1 of C (row length n) = op(A)·op(B)[:, j0..j1]; j0 is a multiple of NR. */
static int product_columns(int transA, int transB, int64_t m, int64_t n, int64_t k, const float *a, const float *b, float *c, int64_t j0, int64_t j1) {
  const int64_t lda = transA ? m : k;
  const int64_t ldb = transB ? k : n;
  const int64_t panels = (j1 - j0 + NR - 1) / NR;
  /* panels are packed kdepth deep, not KC: for a short k (GEM's 1×t·t×P step) a KC-deep buffer of every panel
     was hundreds of MB, allocated and page-faulted on every call for a few MFLOP */
  const int64_t kdepth = k < KC ? k : KC;
  float *bpack = aligned_alloc(64, (size_t)(panels * kdepth * NR) * sizeof(float));
  float *apack = aligned_alloc(64, (size_t)(((MC + MR - 1) / MR) * MR * KC) * sizeof(float));
  if (!bpack || !apack) {
    free(bpack);
    free(apack);
    return 0;
  }
  for (int64_t k0 = 0; k0 < k; k0 += KC) {
    const int64_t kc = k - k0 < KC ? k - k0 : KC;
    for (int64_t p = 0; p < panels; p++) pack_b(bpack + p * kdepth * NR, b, ldb, transB, k0, kc, j0 + p * NR, j1);
    for (int64_t i0 = 0; i0 < m; i0 += MC) {
      const int64_t mc = m - i0 < MC ? m - i0 : MC;
      for (int64_t i = 0; i < mc; i += MR) pack_a(apack + (i / MR) * MR * KC, a, lda, transA, i0 + i, m, k0, kc);
      for (int64_t p = 0; p < panels; p++) {
        const int64_t jp = j0 + p * NR;
        const int64_t cols = j1 - jp < NR ? j1 - jp : NR;
        for (int64_t i = 0; i < mc; i += MR) {
          const int64_t rows = mc - i < MR ? mc - i : MR;
          micro_kernel(kc, apack + (i / MR) * MR * KC, bpack + p * kdepth * NR, c + (i0 + i) * n + jp, n, rows, cols, k0 > 0);
        }
      }
    }
  }
  free(bpack);
  free(apack);
  return 1;
}

struct slice {
  int transA, transB;
  int64_t m, n, k, j0, j1;
  const float *a, *b;
  float *c;
  int ok;
};

static void *run_slice(void *arg) {
  struct slice *s = arg;
  s->ok = product_columns(s->transA, s->transB, s->m, s->n, s->k, s->a, s->b, s->c, s->j0, s->j1);
  return NULL;
}

/* Products smaller than this many multiply-adds stay on one thread (starting one costs ~20 µs). */
#define THREADED_WORK (1 << 23)
#define MAX_THREADS 64

/*
 * C (m×n, row-major, ldc = n) = op(A)·op(B); op(A) is m×k, op(B) k×n, on up to `threads` threads, each
 * computing whole NR-wide column panels the way one thread would: the result does not depend on the
 * thread count. Returns 0 when out of memory.
 */
int clbench_sgemm(int transA, int transB, int64_t m, int64_t n, int64_t k, const float *a, const float *b, float *c, int threads) {
  if (m == 0 || n == 0) return 1;
  if (k == 0) {
    memset(c, 0, (size_t)(m * n) * sizeof(float));
    return 1;
  }
  const int64_t panels = (n + NR - 1) / NR;
  int64_t t = threads < 1 ? 1 : threads > MAX_THREADS ? MAX_THREADS : threads;
  if (t > panels) t = panels;
  if (t == 1 || m * n * k < THREADED_WORK) return product_columns(transA, transB, m, n, k, a, b, c, 0, n);
  struct slice slices[MAX_THREADS];
  pthread_t ids[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  for (int64_t i = 0; i < t; i++) {
    const int64_t p0 = panels * i / t, p1 = panels * (i + 1) / t;
    slices[i] = (struct slice){transA, transB, m, n, k, p0 * NR, p1 * NR < n ? p1 * NR : n, a, b, c, 0};
    /* slice 0 runs on this thread; a thread that cannot start runs here too */
    if (i > 0) started[i] = pthread_create(&ids[i], NULL, run_slice, &slices[i]) == 0;
  }
  run_slice(&slices[0]);
  int ok = slices[0].ok;
  for (int64_t i = 1; i < t; i++) {
    if (started[i])
      pthread_join(ids[i], NULL);
    else
      run_slice(&slices[i]);
    ok = ok && slices[i].ok;
  }
  return ok;
}
