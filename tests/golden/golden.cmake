# Golden printouts: every stage of every example in text, LaTeX and JSON
# (the emitted C++ in its one form). Expected files live in tests/golden/<example>/.
set(bl_golden_dir ${CMAKE_CURRENT_LIST_DIR})
file(GLOB bl_examples CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/examples/*.bl)
foreach(spec ${bl_examples})
  get_filename_component(example ${spec} NAME_WE)
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${spec})
  foreach(stage ast nested relaxed eliminated updates schedule kernels cpp)
    set(formats text)
    if(NOT stage STREQUAL "cpp")
      list(APPEND formats latex json)
    endif()
    foreach(format ${formats})
      set(ext ${format})
      if(format STREQUAL "text")
        set(ext txt)
      elseif(format STREQUAL "latex")
        set(ext tex)
      endif()
      add_test(NAME golden.${example}.${stage}.${format}
        COMMAND ${CMAKE_COMMAND} -DTOOL=$<TARGET_FILE:bilevelc> -DSPEC=${rel}
          -DSTAGE=${stage} -DFORMAT=${format}
          -DEXPECTED=${bl_golden_dir}/${example}/${stage}.${ext}
          -P ${bl_golden_dir}/scripts/compare.cmake
        WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
      set_tests_properties(golden.${example}.${stage}.${format}
        PROPERTIES LABELS golden)
    endforeach()
  endforeach()
endforeach()
