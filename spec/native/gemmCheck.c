/*
 * native/gemm.c against a float64 triple loop on random shapes (odd sizes, 1, 0, transposes, sizes past
 * one KC / MC block), built by spec/native/gemm.spec.ts once per instruction set it can run. Prints one
 * line per failure and exits 1 on any; prints the number of products checked otherwise.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int clbench_sgemm(int transA, int transB, int64_t m, int64_t n, int64_t k, const float *a, const float *b, float *c, int threads);

static uint64_t state = 88172645463325252ull;
static float uniform(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (float)((state >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}

static int check(int64_t m, int64_t n, int64_t k, int ta, int tb, int threads) {
  float *a = malloc(sizeof(float) * (size_t)(m * k + 1)), *b = malloc(sizeof(float) * (size_t)(k * n + 1));
  float *c = malloc(sizeof(float) * (size_t)(m * n + 1));
  for (int64_t i = 0; i < m * k; i++) a[i] = uniform();
  for (int64_t i = 0; i < k * n; i++) b[i] = uniform();
  for (int64_t i = 0; i < m * n; i++) c[i] = NAN; /* every output must be written */
  clbench_sgemm(ta, tb, m, n, k, a, b, c, threads);
  int bad = 0;
  if (threads > 1) {
    /* the same bits as one thread */
    float *one = malloc(sizeof(float) * (size_t)(m * n + 1));
    clbench_sgemm(ta, tb, m, n, k, a, b, one, 1);
    if (memcmp(one, c, sizeof(float) * (size_t)(m * n)) != 0) {
      printf("m=%lld n=%lld k=%lld transA=%d transB=%d: %d threads differ from one\n", (long long)m, (long long)n, (long long)k, ta, tb, threads);
      bad = 1;
    }
    free(one);
  }
  for (int64_t i = 0; i < m && !bad; i++)
    for (int64_t j = 0; j < n && !bad; j++) {
      double sum = 0;
      for (int64_t p = 0; p < k; p++) sum += (double)(ta ? a[p * m + i] : a[i * k + p]) * (double)(tb ? b[j * k + p] : b[p * n + j]);
      /* float32 accumulation of k terms of size ≤ 1 */
      if (!(fabs(c[i * n + j] - sum) <= 1e-6 * (double)(k + 1))) {
        printf("m=%lld n=%lld k=%lld transA=%d transB=%d: C[%lld][%lld] = %.9g, expected %.9g\n", (long long)m, (long long)n, (long long)k, ta, tb, (long long)i, (long long)j, c[i * n + j], sum);
        bad = 1;
      }
    }
  free(a);
  free(b);
  free(c);
  return bad;
}

int main(void) {
  const int64_t sizes[] = {0, 1, 2, 5, 7, 8, 13, 16, 17, 31, 33, 64, 127, 129};
  const int count = sizeof sizes / sizeof sizes[0];
  int failures = 0, checked = 0;
  for (int x = 0; x < count; x++)
    for (int y = 0; y < count; y += 3)
      for (int z = 0; z < count; z += 2)
        for (int t = 0; t < 4; t++, checked++) failures += check(sizes[x], sizes[y], sizes[z], t & 1, t >> 1, 1);
  /* past one block in every direction: KC = 256, MC = 10·MR, several B panels */
  /* and on 1, 2 and 3 threads (the larger ones pass the threading threshold) */
  const int64_t big[][3] = {{130, 70, 300}, {257, 33, 513}, {128, 400, 784}, {61, 1000, 260}, {300, 333, 200}};
  for (int i = 0; i < 5; i++)
    for (int threads = 1; threads <= 3; threads++)
      for (int t = 0; t < 4; t++, checked++) failures += check(big[i][0], big[i][1], big[i][2], t & 1, t >> 1, threads);
  /* short k, wide n (GEM's 1×t · t×P step): B packed only as deep as k; and k past one block with wide n */
  const int64_t wide[][3] = {{1, 70001, 4}, {3, 20001, 300}};
  for (int i = 0; i < 2; i++)
    for (int threads = 1; threads <= 3; threads++)
      for (int t = 0; t < 4; t++, checked++) failures += check(wide[i][0], wide[i][1], wide[i][2], t & 1, t >> 1, threads);
  if (failures) return 1;
  printf("%d products checked\n", checked);
  return 0;
}
