# The chat bridge's suites (included from tests/CMakeLists.txt):
#   links   the broker side: link / invite / join / resolve / cursor
sj_check_test(links test_links.c)
target_link_libraries(test_links PRIVATE sj_test_world)
#   chat_interp  the bridge's command reader: input -> command, 150+ cases
add_executable(test_chat_interp ${CMAKE_CURRENT_LIST_DIR}/test_chat_interp.c)
target_link_libraries(test_chat_interp PRIVATE sj_chat PkgConfig::CHECK)
target_compile_options(test_chat_interp PRIVATE ${SJ_WARNINGS}
                       -Wno-missing-field-initializers)
add_test(NAME chat_interp COMMAND test_chat_interp)
#   chat_bot     conversations and notifications against the real domain
#                rules in process (a fake broker over sj_dispatch)
add_executable(test_chat_bot ${CMAKE_CURRENT_LIST_DIR}/test_chat_bot.c)
target_link_libraries(test_chat_bot PRIVATE sj_chat sj_test_world)
target_compile_options(test_chat_bot PRIVATE ${SJ_WARNINGS})
add_test(NAME chat_bot COMMAND test_chat_bot)
set_tests_properties(chat_bot PROPERTIES
    ENVIRONMENT "SHANGJU_LOCALEDIR=${SJ_BUILD_LOCALEDIR}")
#   it_chat_console  the console transport against a real broker
add_test(NAME it_chat_console
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/integration/it_chat_console.sh
                 $<TARGET_FILE:shangju-broker> $<TARGET_FILE:shangju>
                 $<TARGET_FILE:it_tool> $<TARGET_FILE:shangju-chat>)
set_tests_properties(it_chat_console PROPERTIES TIMEOUT 110
                     LABELS integration)
#   it_chat_xmpp  acceptance 2: a real prosody on loopback, slixmpp residents
#   (never skipped: without prosody or python3-slixmpp it fails and says
#   so; `make deps` installs them)
add_test(NAME it_chat_xmpp
         COMMAND /usr/bin/python3
                 ${CMAKE_CURRENT_LIST_DIR}/integration/it_chat_xmpp.py
                 $<TARGET_FILE:shangju-broker> $<TARGET_FILE:shangju>
                 $<TARGET_FILE:it_tool> $<TARGET_FILE:shangju-chat>)
set_tests_properties(it_chat_xmpp PROPERTIES TIMEOUT 120 LABELS integration)
