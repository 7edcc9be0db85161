# The power-cut half of the crash test (included after durability.cmake):
# libsj_powercut.so, preloaded into the broker, journals every write to the
# store that no sync covered, and test_crash takes those writes away after
# each SIGKILL (tests/crash/powercut.{c,h}).
add_library(sj_powercut SHARED crash/powercut.c)
target_compile_options(sj_powercut PRIVATE ${SJ_WARNINGS})
target_link_libraries(sj_powercut PRIVATE ${CMAKE_DL_LIBS} Threads::Threads)
set_target_properties(sj_powercut PROPERTIES PREFIX "lib"
                                             OUTPUT_NAME "sj_powercut")

target_sources(test_crash PRIVATE crash/powercut_rollback.c)
target_compile_definitions(test_crash PRIVATE
    SJ_POWERCUT_PATH="$<TARGET_FILE:sj_powercut>")
add_dependencies(test_crash sj_powercut)
set_tests_properties(crash PROPERTIES TIMEOUT 540)
