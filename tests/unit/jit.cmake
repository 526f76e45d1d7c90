# Unit tests of compiler/jit. JIT code calls back into the test executable,
# so its symbols are exported (ENABLE_EXPORTS links it with -rdynamic).
# JitSafetyTest.cpp calls LLVM directly to raise a fatal error, hence the
# LLVM headers and library here (the library itself keeps them private).
bl_add_catch_test(jit_tests LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/JitTest.cpp
          ${CMAKE_CURRENT_LIST_DIR}/JitCacheTest.cpp
          ${CMAKE_CURRENT_LIST_DIR}/JitSafetyTest.cpp
  LIBS bilevel_jit LLVM)
set_target_properties(jit_tests PROPERTIES ENABLE_EXPORTS ON)
target_include_directories(jit_tests SYSTEM PRIVATE ${LLVM_INCLUDE_DIRS})
