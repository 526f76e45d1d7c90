# Unit tests of the runtime (runtime/): kernels, file formats, data loaders,
# random numbers, optimisers, potentials and the training loop.
bl_add_catch_test(runtime_tests LABEL unit
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/RuntimeData.cpp
    ${CMAKE_CURRENT_LIST_DIR}/RuntimeGemm.cpp
    ${CMAKE_CURRENT_LIST_DIR}/RuntimeNpz.cpp
    ${CMAKE_CURRENT_LIST_DIR}/RuntimeOptim.cpp
    ${CMAKE_CURRENT_LIST_DIR}/RuntimePotentials.cpp
    ${CMAKE_CURRENT_LIST_DIR}/RuntimeTrain.cpp
  LIBS bilevel_runtime ZLIB::ZLIB libzip::zip
)

# The CMake package in the build tree serves a standalone project.
add_test(NAME "runtime package builds a standalone project"
  COMMAND ${CMAKE_CTEST_COMMAND} --build-and-test
    ${PROJECT_SOURCE_DIR}/runtime/tests/package
    ${CMAKE_CURRENT_BINARY_DIR}/runtime-package
    --build-generator ${CMAKE_GENERATOR}
    --build-options -Dbilevel_runtime_DIR=${CMAKE_BINARY_DIR}/runtime
      -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
    --test-command consumer)
set_tests_properties("runtime package builds a standalone project"
  PROPERTIES LABELS unit)
