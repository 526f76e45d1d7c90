//===- bilevel/Runtime.h - Everything the runtime offers to C++ ---------===//
//
// One include for tools and standalone trainers written in C++. Generated
// model code includes only bilevel/abi.h.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_RUNTIME_H
#define BILEVEL_RUNTIME_H

#include "bilevel/Data.h"
#include "bilevel/Error.h"
#include "bilevel/Matrix.h"
#include "bilevel/Metrics.h"
#include "bilevel/Npz.h"
#include "bilevel/Optim.h"
#include "bilevel/Params.h"
#include "bilevel/Potentials.h"
#include "bilevel/Progress.h"
#include "bilevel/Rng.h"
#include "bilevel/Train.h"
#include "bilevel/abi.h"

#endif // BILEVEL_RUNTIME_H
