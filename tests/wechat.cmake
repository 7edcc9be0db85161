# The WeChat / WeCom transports' suites (included from tests/CMakeLists.txt):
#   wechat  the callback protocol against the published test vectors
add_executable(test_wechat ${CMAKE_CURRENT_LIST_DIR}/test_wechat.c)
target_link_libraries(test_wechat PRIVATE sj_wxproto PkgConfig::CHECK)
target_compile_options(test_wechat PRIVATE ${SJ_WARNINGS})
add_test(NAME wechat COMMAND test_wechat)
