# Unit tests of compiler/jit. JIT code calls back into the test executable,
# so its symbols are exported (ENABLE_EXPORTS links it with -rdynamic).
bl_add_catch_test(jit_tests LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/JitTest.cpp
          ${CMAKE_CURRENT_LIST_DIR}/JitCacheTest.cpp
  LIBS bilevel_jit)
set_target_properties(jit_tests PROPERTIES ENABLE_EXPORTS ON)
