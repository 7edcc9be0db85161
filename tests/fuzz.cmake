# Fuzz targets (tests/fuzz/, included from tests/CMakeLists.txt):
#   fuzz_dispatch  one hostile Request through the rule table and
#                  sj_dispatch, as batch.c applies it, on a seeded world
#   fuzz_batch     a batch of raw frames through sj_batch_apply
#   fuzz_render    any Reply or Event printed by the CLI (pbjson, tables)
# Every build replays the seed corpus and the regressions as CTest tests
# (label `fuzz`) through a plain main(); with -DSJ_FUZZ=ON (clang, with
# SJ_SANITIZE=ON) the targets are libFuzzer programs instead: see
# tests/fuzz/README.md.
option(SJ_FUZZ "Link the fuzz targets with libFuzzer (clang only)" OFF)
set(FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)

if(SJ_FUZZ)
    if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang" OR NOT SJ_SANITIZE)
        message(FATAL_ERROR "SJ_FUZZ needs clang and SJ_SANITIZE=ON: "
                "cmake -DCMAKE_C_COMPILER=clang -DSJ_SANITIZE=ON -DSJ_FUZZ=ON")
    endif()
    # Coverage feedback from the code under test, not only the harness.
    foreach(lib sj_proto sj_store_lmdb sj_store sj_broker sj_client sj_pbjson
                sj_cli)
        target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link)
    endforeach()
endif()

add_library(sj_fuzz_world STATIC ${FUZZ_DIR}/fuzz_world.c
                                 ${FUZZ_DIR}/fuzz_oracle.c)
target_include_directories(sj_fuzz_world PUBLIC ${FUZZ_DIR})
target_link_libraries(sj_fuzz_world PUBLIC sj_broker)
target_compile_options(sj_fuzz_world PRIVATE ${SJ_WARNINGS})

function(sj_fuzz_target name)
    add_executable(fuzz_${name} ${FUZZ_DIR}/fuzz_${name}.c)
    target_link_libraries(fuzz_${name} PRIVATE ${ARGN})
    target_compile_options(fuzz_${name} PRIVATE ${SJ_WARNINGS})
    if(SJ_FUZZ)
        target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
        set(once -runs=0)
    else()
        target_sources(fuzz_${name} PRIVATE ${FUZZ_DIR}/replay_main.c)
    endif()
    add_test(NAME fuzz_${name}
             COMMAND fuzz_${name} ${once} ${FUZZ_DIR}/corpus/${name}
                     ${FUZZ_DIR}/regressions/${name})
    set_tests_properties(fuzz_${name} PROPERTIES TIMEOUT 120 LABELS fuzz
        ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/.ci/lsan.supp")
endfunction()

sj_fuzz_target(dispatch sj_fuzz_world)
sj_fuzz_target(batch sj_fuzz_world)
sj_fuzz_target(render sj_cli)

# Writes the seed corpus: fuzz_gen_corpus tests/fuzz/corpus
add_executable(fuzz_gen_corpus ${FUZZ_DIR}/gen_corpus.c)
target_link_libraries(fuzz_gen_corpus PRIVATE sj_fuzz_world)
target_compile_options(fuzz_gen_corpus PRIVATE ${SJ_WARNINGS})
if(SJ_FUZZ)
    # Instrumented libraries need the coverage callbacks libFuzzer defines.
    target_link_options(fuzz_gen_corpus PRIVATE -fsanitize=fuzzer-no-link)
endif()
