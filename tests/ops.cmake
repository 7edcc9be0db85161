# The operators' issue (issue 15), included from tests/CMakeLists.txt:
#   zone   the community's time zone: dates typed and printed, impossible
#          dates refused, report and ranking years in Asia/Shanghai
sj_check_test(zone ${CMAKE_CURRENT_LIST_DIR}/test_zone.c)
target_link_libraries(test_zone PRIVATE sj_test_world)
#   it_ops_cli  the monitor role, admin stats (text, Prometheus, textfile),
#          shangju-metrics scraped over HTTP and parsed by prometheus_client,
#          the access line, typed dates and printed times in the zone
add_test(NAME it_ops_cli
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/integration/it_ops_cli.sh
                 $<TARGET_FILE:shangju-broker> $<TARGET_FILE:shangju>
                 $<TARGET_FILE:it_tool>)
set_tests_properties(it_ops_cli PROPERTIES TIMEOUT 120 LABELS integration
    ENVIRONMENT "SJ_METRICS_BIN=$<TARGET_FILE:shangju-metrics>")
#   ops_cli  the report's CSV byte for byte; tables by display width
add_executable(test_ops_cli ${CMAKE_CURRENT_LIST_DIR}/test_ops_cli.c)
target_link_libraries(test_ops_cli PRIVATE sj_cli PkgConfig::CHECK)
target_compile_options(test_ops_cli PRIVATE ${SJ_WARNINGS})
add_test(NAME ops_cli COMMAND test_ops_cli)
