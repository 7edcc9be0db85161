# The WeChat / WeCom transports' suites (included from tests/CMakeLists.txt):
#   wechat  the callback protocol against the published test vectors
add_executable(test_wechat ${CMAKE_CURRENT_LIST_DIR}/test_wechat.c)
target_link_libraries(test_wechat PRIVATE sj_wxproto PkgConfig::CHECK)
target_compile_options(test_wechat PRIVATE ${SJ_WARNINGS})
add_test(NAME wechat COMMAND test_wechat)
#   it_chat_wechat  acceptance 2 and 3: a stand-in WeChat / WeCom platform
#   (python3-cryptography for its AES), a real broker and two bridges
add_test(NAME it_chat_wechat
         COMMAND /usr/bin/python3
                 ${CMAKE_CURRENT_LIST_DIR}/integration/it_chat_wechat.py
                 $<TARGET_FILE:shangju-broker> $<TARGET_FILE:shangju>
                 $<TARGET_FILE:it_tool> $<TARGET_FILE:shangju-chat>)
set_tests_properties(it_chat_wechat PROPERTIES TIMEOUT 240 LABELS integration)
