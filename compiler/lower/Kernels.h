//===- Kernels.h - The kernel IR: buffers, GEMMs and fused loops -*- C++
//-*-===//
//
// Lowering turns the expressions a derived method computes into a short
// list of kernels over named buffers, per generated function:
//
//  - Gemm:        C = op(A) op(B) (+ broadcast bias), a runtime GEMM call;
//  - Loop:        an elementwise expression tree evaluated over a buffer,
//                 into which every single-use elementwise operand is fused;
//  - ColSum:      Σ_n over the batch rows (bias gradients);
//  - SoftmaxGrad: the row-wise (softmax(z) − y)/N of cross-entropy;
//  - LossSum:     the batch-mean loss, a scalar for the step report;
//  - SpecNorm:    ‖W‖₂ by power iteration (a runtime call), into a scalar;
//  - Copy:        a block's initial value;
//  - Assign:      a block's new value, accumulating the relative change;
//  - SweepBegin/SweepEnd: the loop of an inference phase (or of one
//                 block's inner iterations), left early when the relative
//                 change falls below its tolerance.
//
// Buffers are either bound to the function's arguments (parameters, x, y,
// outputs, gradients) or temporaries carved from the workspace. A batch
// buffer has N rows (N is the call's batch size), others fixed rows.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_LOWER_KERNELS_H
#define BILEVEL_LOWER_KERNELS_H

#include "derive/Derive.h"

#include <iosfwd>

namespace bilevel::lower {

using ir::Expr;

struct Buffer {
  enum class Kind { Param, Input, Target, Output, Gradient, Temp };
  std::string name;
  Kind kind = Kind::Temp;
  bool batch = true;   ///< N rows (else `rows` rows)
  bool scalar = false; ///< a single value
  int64_t rows = 1;    ///< for non-batch buffers
  int64_t cols = 1;
  int argIndex = -1; ///< Param/Gradient: index into the parameter list
};

struct Kernel {
  enum class Kind {
    Gemm,
    Loop,
    ColSum,
    SoftmaxGrad,
    LossSum,
    SpecNorm,
    Copy,
    Assign,
    SweepBegin,
    SweepEnd
  };
  Kind kind = Kind::Loop;
  int out = -1;               ///< buffer written (-1 for LossSum)
  const Expr *expr = nullptr; ///< the node this kernel computes

  // Gemm: out = op(A) op(B) [+ bias broadcast over rows].
  int a = -1, b = -1, bias = -1;
  bool transA = false, transB = false;

  // Loop: the fused expression and the buffer of each leaf it reads.
  std::map<const Expr *, int> leaves;

  // ColSum / SoftmaxGrad / LossSum operands.
  int src = -1, target = -1;

  std::string fusion; ///< what was fused, for the kernels printout

  // SweepBegin: the loop's bounds and name.
  int64_t maxIterations = 0;
  double tol = 0;
  bool inner = false; ///< a block's own iterations, not a phase's sweeps
  std::string label;
};

struct Function {
  std::string name; ///< "predict" or "gradient"
  std::vector<Buffer> buffers;
  std::vector<Kernel> kernels;
};

struct KernelProgram {
  std::string method;
  bilevel::Loss loss = bilevel::Loss::Mse;
  int64_t inputSize = 0, outputSize = 0;
  std::vector<const Expr *> params;
  std::vector<ir::ActFn> paramActs; ///< the activation each W feeds, for init
  Function predict;
  Function gradient;
};

/// Lowers the prediction and the parameter update of \p d.
KernelProgram lowerMethod(const ir::NestedProgram &p,
                          const derive::DerivedMethod &d);

/// Prints the `kernels` stage.
void printKernels(const KernelProgram &kp, Format format, std::ostream &os);

} // namespace bilevel::lower

#endif // BILEVEL_LOWER_KERNELS_H
