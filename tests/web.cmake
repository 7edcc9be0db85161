# The public web front's suites (issue 10; included from
# tests/CMakeLists.txt):
#   web_pages  page builders and the escaper with hostile text
add_executable(test_web_pages ${CMAKE_CURRENT_LIST_DIR}/test_web_pages.c)
target_link_libraries(test_web_pages PRIVATE sj_web_pages PkgConfig::CHECK)
target_compile_options(test_web_pages PRIVATE ${SJ_WARNINGS})
add_test(NAME web_pages COMMAND test_web_pages)
set_tests_properties(web_pages PROPERTIES
    ENVIRONMENT "SHANGJU_LOCALEDIR=${SJ_BUILD_LOCALEDIR};TZ=UTC")
#   it_web     acceptance 2 and 3: every page against a real broker,
#              privacy by searching the bytes, 405, 2,000 idle connections,
#              a change within a second, 503 and recovery, the placard loop
add_test(NAME it_web
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/integration/it_web.py
                 $<TARGET_FILE:shangju-broker> $<TARGET_FILE:shangju>
                 $<TARGET_FILE:it_tool> $<TARGET_FILE:shangju-web>)
set_tests_properties(it_web PROPERTIES TIMEOUT 120 LABELS integration
    ENVIRONMENT "SHANGJU_LOCALEDIR=${SJ_BUILD_LOCALEDIR};TZ=UTC")
#   it_web_browser  acceptance 4: headless Chromium (Selenium) at 390x844
#              and 320 px reads lang, the body font, a tap target, reflow
add_test(NAME it_web_browser
         COMMAND /usr/bin/python3
                 ${CMAKE_CURRENT_LIST_DIR}/integration/it_web_browser.py
                 $<TARGET_FILE:shangju-broker> $<TARGET_FILE:shangju>
                 $<TARGET_FILE:it_tool> $<TARGET_FILE:shangju-web>)
set_tests_properties(it_web_browser PROPERTIES TIMEOUT 180 LABELS integration
    ENVIRONMENT "SHANGJU_LOCALEDIR=${SJ_BUILD_LOCALEDIR};TZ=UTC")
#   web_bench_smoke  acceptance 5's benchmark (tests/bench/web_bench.sh:
#              wrk on /m/ID, postings with and without web load) in 1-second
#              phases: it works end to end; no assertion on speed (`make
#              bench-web` runs it in full and prints the figures)
if(TARGET shangju-bench)
    add_test(NAME web_bench_smoke
             COMMAND /bin/bash ${CMAKE_CURRENT_LIST_DIR}/bench/web_bench.sh
                     ${CMAKE_BINARY_DIR} --quick)
    set_tests_properties(web_bench_smoke PROPERTIES TIMEOUT 90
        LABELS integration RUN_SERIAL TRUE
        ENVIRONMENT "SHANGJU_LOCALEDIR=${SJ_BUILD_LOCALEDIR};TZ=UTC")
endif()
