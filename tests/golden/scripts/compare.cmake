# Runs one `bilevelc show` and compares its output with a golden file.
#   cmake -DTOOL=... -DSPEC=... -DSTAGE=... -DFORMAT=... -DEXPECTED=...
#         -P tests/golden/scripts/compare.cmake
# With the environment variable BILEVEL_UPDATE_GOLDEN=1 the golden file is
# rewritten instead (tests/golden/update.sh does that for every file).
execute_process(
  COMMAND ${TOOL} show ${SPEC} --stage ${STAGE} --format ${FORMAT}
  OUTPUT_VARIABLE actual
  ERROR_VARIABLE errors
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "bilevelc show ${SPEC} --stage ${STAGE} failed "
                      "(${status}):\n${errors}")
endif()
if(DEFINED ENV{BILEVEL_UPDATE_GOLDEN})
  file(WRITE ${EXPECTED} "${actual}")
  return()
endif()
if(NOT EXISTS ${EXPECTED})
  message(FATAL_ERROR "no golden file ${EXPECTED}; run tests/golden/update.sh")
endif()
file(READ ${EXPECTED} expected)
if(NOT actual STREQUAL expected)
  file(WRITE ${EXPECTED}.actual "${actual}")
  execute_process(COMMAND diff -u ${EXPECTED} ${EXPECTED}.actual)
  message(FATAL_ERROR "${SPEC} --stage ${STAGE} --format ${FORMAT} differs "
                      "from ${EXPECTED} (output kept in ${EXPECTED}.actual); "
                      "if the change is intended, run tests/golden/update.sh")
endif()
