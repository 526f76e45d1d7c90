# Numeric tests: derived gradients against finite differences, through the
# JIT (library) and through `bilevelc grad` (command line).
bl_add_catch_test(numeric_tests LABEL numeric
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/GradientTest.cpp
          ${CMAKE_CURRENT_LIST_DIR}/GradCommandTest.cpp
          ${CMAKE_CURRENT_LIST_DIR}/MethodsTest.cpp
  LIBS bilevel_driver)
if(TARGET numeric_tests)
  set_target_properties(numeric_tests PROPERTIES ENABLE_EXPORTS ON)
  target_compile_definitions(numeric_tests PRIVATE
    BILEVELC_PATH="$<TARGET_FILE:bilevelc>")
  add_dependencies(numeric_tests bilevelc)
endif()
