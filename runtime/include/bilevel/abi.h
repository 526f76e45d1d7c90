/*===- bilevel/abi.h - The C interface between generated code and runtime -===*
 *
 * Generated trainers include this header and nothing else. It declares the
 * runtime kernels that generated code calls (GEMM) and the model descriptor
 * that generated code exports, through which the runtime and bilevelc drive
 * prediction and gradient computation. Plain C so that generated code stays
 * cheap to compile and can be loaded by the JIT or linked ahead of time.
 *
 * Layout rules every producer and consumer relies on:
 *  - all matrices are row-major; a batch of n samples of width d is [n, d];
 *  - a dense layer's weight W_k is [out, in] and its bias b_k is [out];
 *  - parameters are passed as an array of pointers in the order of
 *    blrt_model.params (W1, b1, W2, b2, ...), each of blrt_model.precision
 *    bytes per scalar (4 = float, 8 = double);
 *  - targets y are [n, output_size] (one-hot rows for classification).
 *===----------------------------------------------------------------------===*/
#ifndef BILEVEL_ABI_H
#define BILEVEL_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BLRT_ABI_VERSION 1

/* The exported symbol of a generated module: a function returning the
 * module's descriptor. */
#define BLRT_MODEL_ENTRY "bilevel_model"

/* Row-major GEMM: C = alpha * op(A) * op(B) + beta * C, where op(X) is X or
 * its transpose as trans_x says. op(A) is [M, K], op(B) is [K, N], C is
 * [M, N]; lda, ldb, ldc are the row strides of the stored matrices. */
void blrt_gemm_f32(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                   float alpha, const float *a, int64_t lda, const float *b,
                   int64_t ldb, float beta, float *c, int64_t ldc);
void blrt_gemm_f64(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                   double alpha, const double *a, int64_t lda, const double *b,
                   int64_t ldb, double beta, double *c, int64_t ldc);

/* An estimate of the spectral norm ‖W‖₂ of the row-major [rows, cols]
 * matrix w by power iteration on WᵀW from a fixed start (deterministic).
 * scratch holds rows + cols values. Used for Lipschitz step sizes. */
double blrt_spectral_norm_f32(const float *w, int64_t rows, int64_t cols,
                              float *scratch);
double blrt_spectral_norm_f64(const double *w, int64_t rows, int64_t cols,
                              double *scratch);

enum blrt_loss { BLRT_LOSS_MSE = 0, BLRT_LOSS_SOFTMAX_CE = 1 };

enum blrt_init {
  BLRT_INIT_ZERO = 0,          /* biases */
  BLRT_INIT_HE_NORMAL = 1,     /* N(0, 2 / fan_in): relu-like layers */
  BLRT_INIT_GLOROT_UNIFORM = 2 /* U(+-sqrt(6 / (fan_in + fan_out))) */
};

/* One trainable tensor. Vectors have cols == 1. */
typedef struct blrt_param_info {
  const char *name; /* "W1", "b1", ... */
  int64_t rows;
  int64_t cols;
  int32_t init; /* enum blrt_init */
  int64_t fan_in;
  int64_t fan_out;
} blrt_param_info;

/* What one gradient call reports besides the gradient itself. */
typedef struct blrt_step_report {
  double loss;     /* mean loss of the batch at the feed-forward prediction */
  double residual; /* final inference residual, 0 when there is none */
  int32_t sweeps;  /* inference sweeps performed, 0 when there are none */
} blrt_step_report;

typedef struct blrt_model {
  int32_t abi_version; /* BLRT_ABI_VERSION */
  int32_t precision;   /* bytes per scalar: 4 or 8 */
  const char *method;  /* the method's preset or recipe name, for logs */
  int64_t input_size;
  int64_t output_size;
  int32_t loss; /* enum blrt_loss */
  int32_t num_params;
  const blrt_param_info *params;

  /* Scratch bytes that predict and gradient need for a batch of n rows. */
  int64_t (*workspace_bytes)(int64_t n);

  /* Writes the network's output z_L for n rows of x into out [n, output]. */
  void (*predict)(const void *const *params, const void *x, int64_t n,
                  void *out, void *workspace);

  /* Writes the method's parameter update direction (its estimate of the
   * loss gradient, averaged over the batch) for the batch (x, y) into
   * grads, laid out like params. */
  void (*gradient)(const void *const *params, const void *x, const void *y,
                   int64_t n, void *const *grads, void *workspace,
                   blrt_step_report *report);
} blrt_model;

typedef const blrt_model *(*blrt_model_entry_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* BILEVEL_ABI_H */
