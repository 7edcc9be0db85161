# Integration tests (included from tests/CMakeLists.txt): real broker
# processes on loopback with free ports and temporary directories, driven
# by the client library (C, Check) and by the `shangju` CLI (bash + jq).
set(IT_DIR ${CMAKE_CURRENT_SOURCE_DIR}/integration)

add_library(it_harness STATIC ${IT_DIR}/it_harness.c)
target_include_directories(it_harness PUBLIC ${IT_DIR})
target_link_libraries(it_harness PUBLIC sj_client sj_proto PkgConfig::CHECK
                                        PkgConfig::ZMQ Threads::Threads)
target_compile_options(it_harness PRIVATE ${SJ_WARNINGS})

# it_tool: free ports, key files and a schema-version corrupter for the
# bash tests (the one test program that opens LMDB directly).
add_executable(it_tool ${IT_DIR}/it_tool.c)
target_link_libraries(it_tool PRIVATE sj_proto PkgConfig::LMDB)
target_compile_options(it_tool PRIVATE ${SJ_WARNINGS})

function(sj_it_c name)
    add_executable(${name} ${IT_DIR}/${name}.c)
    target_link_libraries(${name} PRIVATE it_harness PkgConfig::ZMQ)
    target_compile_options(${name} PRIVATE ${SJ_WARNINGS})
    add_test(NAME ${name} COMMAND ${name} $<TARGET_FILE:shangju-broker>)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARGV1} LABELS integration)
endfunction()

function(sj_it_sh name)
    add_test(NAME ${name}
             COMMAND bash ${IT_DIR}/${name}.sh $<TARGET_FILE:shangju-broker>
                     $<TARGET_FILE:shangju> $<TARGET_FILE:it_tool>)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARGV1} LABELS integration)
endfunction()

sj_it_c(it_claim_race 110)
sj_it_c(it_reconnect 110)
sj_it_c(it_security 110)
sj_it_c(it_bad_input 110)
sj_it_c(it_feed 110)
# One program, two tests: the findings of issue 9 and the feed-privacy test.
set_tests_properties(it_feed PROPERTIES ENVIRONMENT CK_RUN_CASE=findings)
add_test(NAME it_feed_privacy COMMAND it_feed $<TARGET_FILE:shangju-broker>)
set_tests_properties(it_feed_privacy PROPERTIES TIMEOUT 110 LABELS integration
                     ENVIRONMENT CK_RUN_CASE=privacy)
sj_it_sh(it_lifecycle 110)
sj_it_sh(it_watch 110)
sj_it_sh(it_store_limits 110)
sj_it_sh(it_admin 110)
sj_it_sh(it_qr 110)
# Limits in characters and text in NFC, through the CLI (issue 15).
sj_it_sh(it_text 60)
sj_it_sh(it_keys 60)
sj_it_sh(it_start 60)
sj_it_sh(it_flood 90)
# Every --json output parses and round-trips hostile text (issue 8).
sj_it_sh(it_cli_json 110)
# Merchants' questions to `wish list` (issue 15).
sj_it_sh(it_wish_list 90)
