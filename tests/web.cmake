# The public web front's suites (issue 10; included from
# tests/CMakeLists.txt):
#   web_pages  page builders and the escaper with hostile text
add_executable(test_web_pages ${CMAKE_CURRENT_LIST_DIR}/test_web_pages.c)
target_link_libraries(test_web_pages PRIVATE sj_web_pages PkgConfig::CHECK)
target_compile_options(test_web_pages PRIVATE ${SJ_WARNINGS})
add_test(NAME web_pages COMMAND test_web_pages)
set_tests_properties(web_pages PROPERTIES
    ENVIRONMENT "SHANGJU_LOCALEDIR=${SJ_BUILD_LOCALEDIR};TZ=UTC")
