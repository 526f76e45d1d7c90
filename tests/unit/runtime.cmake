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
