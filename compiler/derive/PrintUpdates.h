//===- PrintUpdates.h - Printing the derived stages -------------*- C++ -*-===//
//
// Printers for the stages that derive/ produces: `eliminated` (the
// single-level objective) and `updates` (forward bindings, adjoints,
// parameter gradients), in text, LaTeX and JSON, plus the rule trace.
//
//===----------------------------------------------------------------------===//
#ifndef BILEVEL_DERIVE_PRINTUPDATES_H
#define BILEVEL_DERIVE_PRINTUPDATES_H

#include "derive/Derive.h"

#include <iosfwd>

namespace bilevel::derive {

/// One line per rule application ("rule limit-bp: ...").
void printTrace(const DerivedMethod &d, std::ostream &os);

void printEliminated(const ir::NestedProgram &p, const DerivedMethod &d,
                     Format format, std::ostream &os);

/// The `schedule` stage: phases, sweep order, iteration counts, stopping.
void printSchedule(const ir::NestedProgram &p, const DerivedMethod &d,
                   Format format, std::ostream &os);

void printUpdates(const ir::NestedProgram &p, const DerivedMethod &d,
                  Format format, std::ostream &os);

} // namespace bilevel::derive

#endif // BILEVEL_DERIVE_PRINTUPDATES_H
