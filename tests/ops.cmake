# The operators' issue (issue 15), included from tests/CMakeLists.txt:
#   zone   the community's time zone: dates typed and printed, impossible
#          dates refused, report and ranking years in Asia/Shanghai
sj_check_test(zone ${CMAKE_CURRENT_LIST_DIR}/test_zone.c)
target_link_libraries(test_zone PRIVATE sj_test_world)
