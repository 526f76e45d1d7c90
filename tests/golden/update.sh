#!/usr/bin/env bash
# Rewrites every golden file from the current bilevelc. Review the diff
# (git diff tests/golden) before committing: each change must be intended.
set -euo pipefail
cd "$(dirname "$0")/../.."
BILEVEL_UPDATE_GOLDEN=1 ctest --test-dir build -L golden --output-on-failure "$@"
find tests/golden -name '*.actual' -delete
