# Compacts (included OPTIONALly from tests/CMakeLists.txt):
#   compacts     in-process Check suite: every action x state x caller, the
#                version hash, old-version signatures, timers, the notice
#   it_compacts  a real broker and the CLI: negotiate, sign, publish, save
#                the notice and verify it offline; one changed byte fails;
#                the compact's QR code decodes (zbarimg)
sj_check_test(compacts test_compacts.c)
target_link_libraries(test_compacts PRIVATE sj_test_world PkgConfig::SODIUM)
sj_it_sh(it_compacts 110)
