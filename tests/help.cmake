# The help call (呼叫工作人员): the kiosk's records (test_help_call, in CMakeLists.txt) and the
# server's alerts made from them, on SQLite and PostgreSQL.
add_executable(test_srv_help server/test_srv_help.c)
target_include_directories(test_srv_help PRIVATE unit)
target_link_libraries(test_srv_help PRIVATE server_core kiosk_store)
add_test(NAME test_srv_help_sqlite COMMAND test_srv_help sqlite)
add_test(NAME test_srv_help_pg COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/server/with_postgres.sh
  $<TARGET_FILE:test_srv_help> pg)
set_tests_properties(test_srv_help_sqlite PROPERTIES LABELS unit ENVIRONMENT "${KIOSK_TEST_ENV}"
  TIMEOUT 60)
set_tests_properties(test_srv_help_pg PROPERTIES LABELS e2e ENVIRONMENT "${KIOSK_TEST_ENV}"
  TIMEOUT 90)
