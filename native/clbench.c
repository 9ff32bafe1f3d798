/*
 * clbench's native CPU kernels: a small N-API addon over the system's CBLAS (OpenBLAS on Linux, Apple
 * Accelerate on macOS), built at install time by tools/build-native.mjs.
 *
 * The tfjs WASM backend keeps every tensor in one WebAssembly.Memory; the TypeScript side
 * (backends/native.ts) passes that memory's ArrayBuffer plus byte offsets, so the kernels read and
 * write tensors where they live: no copy in or out. Only float32.
 *
 *   gemm(memory, transA, transB, m, n, k, a, b, c, batch, strideA, strideB, strideC, bias, biasSize, relu)
 *       for each batch entry i: C_i = op(A_i)·op(B_i) (+ bias broadcast over rows) (then max(·, 0))
 *       op(X) = Xᵀ when the flag is set; A_i is m×k after op, B_i k×n; strides in elements (0 broadcasts)
 *   adam(memory, theta, grad, m, v, outTheta, outM, outV, n, c1, c2, lr, eps)
 *       PyTorch's Adam step in float32, operation for operation as learners/optim/kernels/fusedAdam.wat
 *       (compiled with -ffp-contract=off so no multiply-add is fused: the same bits as the WASM kernel)
 *   setThreads(n) / threads(): threads of the products (clbench's own, and OpenBLAS's when it is used)
 *   blas(): the product kernel and the BLAS library's name and configuration
 *   useBlas(flag?): whether products go to the BLAS library instead of clbench's own (sets it when given;
 *       stays false without a BLAS library); the default comes from CLBENCH_GEMM and the platform
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <dlfcn.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* CBLAS's interface, declared here so no cblas.h is needed (its location differs between systems). */
enum CblasOrder { CblasRowMajor = 101 };
enum CblasTranspose { CblasNoTrans = 111, CblasTrans = 112 };
#ifdef CLBENCH_NO_BLAS /* built without a BLAS library: clbench's own product only */
static void cblas_sgemm(enum CblasOrder order, enum CblasTranspose ta, enum CblasTranspose tb, int m, int n, int k, float alpha,
                        const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
  (void)order, (void)ta, (void)tb, (void)m, (void)n, (void)k, (void)alpha, (void)a, (void)lda, (void)b, (void)ldb, (void)beta, (void)c, (void)ldc;
}
#else
extern void cblas_sgemm(enum CblasOrder order, enum CblasTranspose ta, enum CblasTranspose tb, int m, int n, int k,
                        float alpha, const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
#endif

#if defined(__AVX512F__)
#define CLBENCH_VECTORS "AVX-512"
#elif defined(__AVX2__)
#define CLBENCH_VECTORS "AVX2"
#elif defined(__ARM_NEON)
#define CLBENCH_VECTORS "NEON"
#else
#define CLBENCH_VECTORS "generic vectors"
#endif

/* clbench's own product (gemm.c); CLBENCH_GEMM=blas in the environment uses the BLAS library's instead. */
int clbench_sgemm(int transA, int transB, int64_t m, int64_t n, int64_t k, const float *a, const float *b, float *c, int threads);
static int own_gemm = 1;
static int own_threads = 1;

/* OpenBLAS's own extras, looked up at load time: absent in other BLAS libraries. */
static void (*set_threads)(int) = NULL;
static int (*get_threads)(void) = NULL;
static char *(*get_config)(void) = NULL;

#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, NULL, "clbench native: bad argument (" #call ")"); \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static int arg_int64(napi_env env, napi_value v, int64_t *out) { return napi_get_value_int64(env, v, out) == napi_ok; }

static int arg_bool(napi_env env, napi_value v, int *out) {
  bool b;
  if (napi_get_value_bool(env, v, &b) != napi_ok) return 0;
  *out = b;
  return 1;
}

/* The memory's bytes and a check that [offset, offset + count floats) lies inside it. */
static float *at(char *base, size_t length, int64_t offset, int64_t count, int *ok) {
  if (offset < 0 || count < 0 || (offset & 3) != 0 || (uint64_t)offset + (uint64_t)count * 4 > length) {
    *ok = 0;
    return NULL;
  }
  return (float *)(base + offset);
}

static napi_value gemm(napi_env env, napi_callback_info info) {
  size_t argc = 16;
  napi_value argv[16];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 16) {
    napi_throw_error(env, NULL, "clbench native gemm: expected 16 arguments");
    return NULL;
  }
  void *data;
  size_t length;
  CHECK(napi_get_arraybuffer_info(env, argv[0], &data, &length));
  int transA, transB, relu;
  int64_t m, n, k, a, b, c, batch, sa, sb, sc, bias, biasSize;
  int ok = arg_bool(env, argv[1], &transA) && arg_bool(env, argv[2], &transB) && arg_int64(env, argv[3], &m) &&
           arg_int64(env, argv[4], &n) && arg_int64(env, argv[5], &k) && arg_int64(env, argv[6], &a) &&
           arg_int64(env, argv[7], &b) && arg_int64(env, argv[8], &c) && arg_int64(env, argv[9], &batch) &&
           arg_int64(env, argv[10], &sa) && arg_int64(env, argv[11], &sb) && arg_int64(env, argv[12], &sc) &&
           arg_int64(env, argv[13], &bias) && arg_int64(env, argv[14], &biasSize) && arg_bool(env, argv[15], &relu);
  if (!ok || m < 0 || n < 0 || k < 0 || batch < 0 || m > INT32_MAX || n > INT32_MAX || k > INT32_MAX) {
    napi_throw_error(env, NULL, "clbench native gemm: bad sizes");
    return NULL;
  }
  char *base = (char *)data;
  int inside = 1;
  const float *A = at(base, length, a, batch > 0 ? (batch - 1) * sa + m * k : 0, &inside);
  const float *B = at(base, length, b, batch > 0 ? (batch - 1) * sb + k * n : 0, &inside);
  float *C = at(base, length, c, batch > 0 ? (batch - 1) * sc + m * n : 0, &inside);
  const float *Bias = bias >= 0 ? at(base, length, bias, biasSize, &inside) : NULL;
  if (!inside || (bias >= 0 && biasSize != 1 && biasSize != n)) {
    napi_throw_error(env, NULL, "clbench native gemm: an operand lies outside the memory");
    return NULL;
  }
  for (int64_t i = 0; i < batch; i++) {
    float *Ci = C + i * sc;
    if (m == 0 || n == 0) continue;
    if (own_gemm) {
      if (!clbench_sgemm(transA, transB, m, n, k, A + i * sa, B + i * sb, Ci, own_threads)) {
        napi_throw_error(env, NULL, "clbench native gemm: out of memory");
        return NULL;
      }
    } else if (k == 0) {
      memset(Ci, 0, (size_t)(m * n) * sizeof(float));
    } else {
      cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, (int)m, (int)n,
                  (int)k, 1.0f, A + i * sa, transA ? (int)m : (int)k, B + i * sb, transB ? (int)k : (int)n, 0.0f, Ci, (int)n);
    }
    if (Bias || relu) {
      for (int64_t r = 0; r < m; r++) {
        float *row = Ci + r * n;
        if (Bias) {
          if (biasSize == 1)
            for (int64_t j = 0; j < n; j++) row[j] += Bias[0];
          else
            for (int64_t j = 0; j < n; j++) row[j] += Bias[j];
        }
        if (relu)
          for (int64_t j = 0; j < n; j++) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
      }
    }
  }
  return NULL;
}

/* Outputs are fresh tensors, so nothing aliases (restrict lets the compiler vectorise the loop). */
static void adam_loop(const float *restrict theta, const float *restrict grad, const float *restrict m, const float *restrict v,
                      float *restrict outTheta, float *restrict outM, float *restrict outV, int64_t n, float c1, float c2, float lr, float eps) {
  for (int64_t i = 0; i < n; i++) {
    const float g = grad[i];
    const float mi = m[i] + c1 * (g - m[i]);
    const float vi = v[i] + c2 * (g * g - v[i]);
    outM[i] = mi;
    outV[i] = vi;
    outTheta[i] = theta[i] - (lr * mi) / (sqrtf(vi) + eps);
  }
}

static napi_value adam(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value argv[13];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 13) {
    napi_throw_error(env, NULL, "clbench native adam: expected 13 arguments");
    return NULL;
  }
  void *data;
  size_t length;
  CHECK(napi_get_arraybuffer_info(env, argv[0], &data, &length));
  int64_t off[8];
  for (int i = 0; i < 8; i++) CHECK(napi_get_value_int64(env, argv[1 + i], &off[i]));
  double constants[4];
  for (int i = 0; i < 4; i++) CHECK(napi_get_value_double(env, argv[9 + i], &constants[i]));
  int64_t n = off[7];
  int inside = 1;
  float *p[7];
  for (int i = 0; i < 7; i++) p[i] = at((char *)data, length, off[i], n, &inside);
  if (!inside) {
    napi_throw_error(env, NULL, "clbench native adam: an operand lies outside the memory");
    return NULL;
  }
  adam_loop(p[0], p[1], p[2], p[3], p[4], p[5], p[6], n, (float)constants[0], (float)constants[1], (float)constants[2], (float)constants[3]);
  return NULL;
}

static napi_value set_thread_count(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int64_t n;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  CHECK(napi_get_value_int64(env, argv[0], &n));
  if (n >= 1) own_threads = n > 64 ? 64 : (int)n;
  if (set_threads && n >= 1) set_threads((int)n);
  return NULL;
}

static napi_value thread_count(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
  CHECK(napi_create_int32(env, own_gemm ? own_threads : get_threads ? get_threads() : 1, &out));
  return out;
}

/* useBlas(flag?): whether products go to the BLAS library (true) or clbench's own (false); sets it when given. */
static napi_value use_blas(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  bool flag;
  if (argc == 1 && napi_get_value_bool(env, argv[0], &flag) == napi_ok) {
#ifndef CLBENCH_NO_BLAS
    own_gemm = !flag;
#endif
  }
  CHECK(napi_get_boolean(env, !own_gemm, &out));
  return out;
}

static napi_value blas_name(napi_env env, napi_callback_info info) {
  (void)info;
  char text[512];
  const char *blas = get_config ? get_config() : CLBENCH_BLAS;
  if (own_gemm)
    snprintf(text, sizeof text, "clbench GEMM (%s) + %s", CLBENCH_VECTORS, blas);
  else
    snprintf(text, sizeof text, "%s", blas);
  napi_value out;
  CHECK(napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &out));
  return out;
}

NAPI_MODULE_INIT() {
  const char *choice = getenv("CLBENCH_GEMM");
  /* Default: our product on x86-64 (measured there: README "Speed"), the BLAS library's elsewhere (e.g. Apple
     Accelerate); CLBENCH_GEMM=own|blas chooses; without a BLAS library only ours is there. */
#if defined(CLBENCH_NO_BLAS)
  own_gemm = 1;
#elif defined(__x86_64__)
  own_gemm = !(choice && strcmp(choice, "blas") == 0);
#else
  own_gemm = choice && strcmp(choice, "own") == 0;
#endif
  set_threads = (void (*)(int))dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
  get_threads = (int (*)(void))dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
  get_config = (char *(*)(void))dlsym(RTLD_DEFAULT, "openblas_get_config");
  napi_property_descriptor props[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default_jsproperty, NULL},
      {"adam", NULL, adam, NULL, NULL, NULL, napi_default_jsproperty, NULL},
      {"setThreads", NULL, set_thread_count, NULL, NULL, NULL, napi_default_jsproperty, NULL},
      {"threads", NULL, thread_count, NULL, NULL, NULL, napi_default_jsproperty, NULL},
      {"blas", NULL, blas_name, NULL, NULL, NULL, napi_default_jsproperty, NULL},
      {"useBlas", NULL, use_blas, NULL, NULL, NULL, napi_default_jsproperty, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
