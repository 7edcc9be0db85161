# Check suites of clients/ (included from tests/CMakeLists.txt):
#   client      the library against a fake CURVE broker on loopback
#               (retry with the same id and bytes, duplicates, timeouts,
#               the pollable fd, replay-then-live catch-up);
#   client_cli  protobuf->JSON, option/env precedence, key files.
add_executable(test_client ${CMAKE_CURRENT_LIST_DIR}/test_client.c)
target_link_libraries(test_client PRIVATE sj_client PkgConfig::ZMQ
                                          PkgConfig::CHECK Threads::Threads)
target_compile_options(test_client PRIVATE ${SJ_WARNINGS})
add_test(NAME client COMMAND test_client)

add_executable(test_client_cli ${CMAKE_CURRENT_LIST_DIR}/test_client_cli.c)
target_link_libraries(test_client_cli PRIVATE sj_cli PkgConfig::CHECK ${UNISTRING_LIB})
target_compile_options(test_client_cli PRIVATE ${SJ_WARNINGS})
add_test(NAME client_cli COMMAND test_client_cli)
set_tests_properties(client_cli PROPERTIES
    ENVIRONMENT "SHANGJU_LOCALEDIR=${SJ_BUILD_LOCALEDIR};LANG=C.UTF-8")

# The catalogue: the reader (sj_tr) and the completeness check that fails
# on any untranslated or fuzzy message, or a marking file not in POTFILES.in.
add_executable(test_i18n ${CMAKE_CURRENT_LIST_DIR}/test_i18n.c)
target_link_libraries(test_i18n PRIVATE sj_i18n PkgConfig::CHECK)
target_compile_options(test_i18n PRIVATE ${SJ_WARNINGS})
add_test(NAME i18n COMMAND test_i18n)
set_tests_properties(i18n PROPERTIES
    ENVIRONMENT "SHANGJU_LOCALEDIR=${SJ_BUILD_LOCALEDIR}")
find_program(XGETTEXT xgettext REQUIRED)
add_test(NAME po_complete COMMAND ${CMAKE_CURRENT_LIST_DIR}/po_complete.sh
                                  ${PROJECT_SOURCE_DIR} ${CMAKE_BINARY_DIR})
