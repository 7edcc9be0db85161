# The merchant desktop client's tests (issue 12; included from
# tests/CMakeLists.txt when SJ_DESK is on):
#   desk     Check suite of its GLib-only core: words and times, the
#            hand-over input, the live lists, settings, the GSource and
#            the session's offline refusal
add_executable(test_desk ${CMAKE_CURRENT_LIST_DIR}/test_desk.c)
target_link_libraries(test_desk PRIVATE sj_desk_core PkgConfig::CHECK)
target_compile_options(test_desk PRIVATE ${SJ_WARNINGS})
add_test(NAME desk COMMAND test_desk)
set_tests_properties(desk PROPERTIES
    ENVIRONMENT "SHANGJU_LOCALEDIR=${SJ_BUILD_LOCALEDIR};LANG=C.UTF-8")
#   it_desk  acceptance 1-4: the real window under Xvfb with a session bus,
#            against a real broker, driven through AT-SPI (pyatspi);
#            screenshots to $SJ_SCREENSHOTS (docs/screenshots/ when made
#            for the README)
add_test(NAME it_desk
         COMMAND dbus-run-session -- /usr/bin/python3
                 ${CMAKE_CURRENT_LIST_DIR}/integration/it_desk.py
                 $<TARGET_FILE:shangju-broker> $<TARGET_FILE:shangju>
                 $<TARGET_FILE:it_tool> $<TARGET_FILE:shangju-desk>)
set_tests_properties(it_desk PROPERTIES TIMEOUT 300 LABELS integration
    ENVIRONMENT "SHANGJU_LOCALEDIR=${SJ_BUILD_LOCALEDIR}")
