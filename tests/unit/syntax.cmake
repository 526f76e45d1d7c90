# Front-end unit tests: lexer, parser, AST printers, overrides, includes,
# method recipes, and a seeded fuzz test of the whole front end.
bl_add_catch_test(syntax_tests LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/SyntaxLexerTest.cpp
          ${CMAKE_CURRENT_LIST_DIR}/SyntaxPrinterTest.cpp
          ${CMAKE_CURRENT_LIST_DIR}/SyntaxFrontendTest.cpp
          ${CMAKE_CURRENT_LIST_DIR}/SyntaxRecipeTest.cpp
  LIBS bilevel_sema)
bl_add_catch_test(syntax_fuzz_tests LABEL unit
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/SyntaxFuzzTest.cpp
  LIBS bilevel_sema)
