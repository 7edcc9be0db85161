# Check suites of clients/ (included from tests/CMakeLists.txt):
# test_client.c — the library's Lazy Pirate retry against a fake broker;
# test_client_cli.c — protobuf->JSON, option/env precedence, key files.
