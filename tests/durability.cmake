# Durability and performance checks that drive a real shangju-broker process
# (included from tests/CMakeLists.txt): the kill -9 crash test (ctest
# `crash`), the shangju-bench benchmark and its quick smoke run (`bench_smoke`).

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
    add_executable(shangju-bench bench/bench.c bench/bench_redis.c)
    target_link_libraries(shangju-bench PRIVATE sj_harness Threads::Threads)
    target_compile_options(shangju-bench PRIVATE ${SJ_WARNINGS})
    target_compile_definitions(shangju-bench PRIVATE
        SJ_BROKER_PATH="$<TARGET_FILE:shangju-broker>")
    add_dependencies(shangju-bench shangju-broker)
    add_test(NAME bench_smoke COMMAND shangju-bench --quick)
    set_tests_properties(bench_smoke PROPERTIES TIMEOUT 60)
endif()
