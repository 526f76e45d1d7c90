# End-to-end tests: bilevelc run as a user runs it.
bl_add_catch_test(e2e_tests LABEL e2e
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/CliTest.cpp
          ${CMAKE_CURRENT_LIST_DIR}/TrainTest.cpp
  LIBS bilevel_runtime)
if(TARGET e2e_tests)
  target_compile_definitions(e2e_tests PRIVATE
    BILEVELC_PATH="$<TARGET_FILE:bilevelc>"
    BILEVEL_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_dependencies(e2e_tests bilevelc)
endif()
