# The points ledger: the in-process suite (tests/test_points.c, which also
# tampers with the LMDB file itself) and the CLI integration test with a
# real broker (tests/integration/it_points.sh).
sj_check_test(points test_points.c)
target_link_libraries(test_points PRIVATE sj_test_world PkgConfig::LMDB
                                          PkgConfig::SODIUM)

sj_it_sh(it_points 110)
