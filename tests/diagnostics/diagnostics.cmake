# Diagnostics tests: every tests/diagnostics/NN_*.bl spec is loaded and its
# output compared with the "# expect:" lines it carries.
bl_add_catch_test(diagnostics_tests LABEL diagnostics
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/DiagnosticsTest.cpp
  LIBS bilevel_sema)
