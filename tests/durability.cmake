# Durability and performance checks that drive a real shangju-broker process
# (included from tests/CMakeLists.txt): the kill -9 crash test (ctest
# `crash`), the shangju-bench benchmark and quick smoke runs of its modes
# (`bench_smoke`, `bench_replay_smoke`, `bench_scale_smoke`).

# Start / kill / restart a broker process; shared by crash test and bench.
add_library(sj_harness STATIC bench/harness.c)
target_include_directories(sj_harness PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/bench)
target_link_libraries(sj_harness PUBLIC sj_client)
target_compile_options(sj_harness PRIVATE ${SJ_WARNINGS})

add_executable(test_crash crash/crash_test.c)
target_link_libraries(test_crash PRIVATE sj_harness PkgConfig::CHECK
                                         Threads::Threads)
target_compile_options(test_crash PRIVATE ${SJ_WARNINGS})
target_compile_definitions(test_crash PRIVATE
    SJ_BROKER_PATH="$<TARGET_FILE:shangju-broker>")
add_dependencies(test_crash shangju-broker)
add_test(NAME crash COMMAND test_crash)
set_tests_properties(crash PROPERTIES TIMEOUT 180)

if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench.c)
    # sj_broker for the --scale preloader, which fills a stopped broker's
    # data directory in-process through sj_dispatch.
    add_executable(shangju-bench bench/bench.c bench/bench_load.c
                                 bench/bench_replay.c bench/bench_scale.c
                                 bench/bench_preload.c bench/bench_redis.c
                                 bench/bench_mixed.c)
    target_link_libraries(shangju-bench PRIVATE sj_harness sj_broker
                                                Threads::Threads)
    target_compile_options(shangju-bench PRIVATE ${SJ_WARNINGS})
    target_compile_definitions(shangju-bench PRIVATE
        SJ_BROKER_PATH="$<TARGET_FILE:shangju-broker>")
    add_dependencies(shangju-bench shangju-broker)
    # Smoke runs: each mode works end to end. No assertion on speed: the
    # machine is shared and noisy.
    add_test(NAME bench_smoke COMMAND shangju-bench --quick)
    add_test(NAME bench_replay_smoke COMMAND shangju-bench --quick
                                             --replay 2000)
    add_test(NAME bench_scale_smoke COMMAND shangju-bench --quick
                                            --scale 5000 --scale-small 500)
    add_test(NAME bench_mixed_smoke COMMAND shangju-bench --quick --mixed)
    set_tests_properties(bench_smoke bench_mixed_smoke PROPERTIES TIMEOUT 60)
    set_tests_properties(bench_replay_smoke bench_scale_smoke
                         PROPERTIES TIMEOUT 120)
endif()
