# The CLI's output in the user's language (issue 15), included from
# tests/CMakeLists.txt:
#   cli_out    labels, enum names, yes/no and zeros in records; alignment
#              of labels, tables and lines with Chinese, emoji and
#              combining characters; refusals by reason
add_executable(test_cli_out ${CMAKE_CURRENT_LIST_DIR}/test_cli_out.c)
target_link_libraries(test_cli_out PRIVATE sj_cli PkgConfig::CHECK)
target_compile_options(test_cli_out PRIVATE ${SJ_WARNINGS})
add_test(NAME cli_out COMMAND test_cli_out)
set_tests_properties(cli_out PROPERTIES
    ENVIRONMENT "SHANGJU_LOCALEDIR=${SJ_BUILD_LOCALEDIR};LANG=C.UTF-8")
#   it_cli_zh  the main commands under LANGUAGE=zh_CN print no English; the
#              daemons' --help and usage errors are in Chinese too
add_test(NAME it_cli_zh
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/integration/it_cli_zh.sh
                 $<TARGET_FILE:shangju-broker> $<TARGET_FILE:shangju>
                 $<TARGET_FILE:it_tool>)
set_tests_properties(it_cli_zh PROPERTIES TIMEOUT 120 LABELS integration
    ENVIRONMENT "SHANGJU_LOCALEDIR=${SJ_BUILD_LOCALEDIR};SJ_WEB_BIN=$<TARGET_FILE:shangju-web>;SJ_METRICS_BIN=$<TARGET_FILE:shangju-metrics>;SJ_CHAT_BIN=$<TARGET_FILE:shangju-chat>")
