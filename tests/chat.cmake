# The chat bridge's suites (included from tests/CMakeLists.txt):
#   links   the broker side: link / invite / join / resolve / cursor
sj_check_test(links test_links.c)
target_link_libraries(test_links PRIVATE sj_test_world)
