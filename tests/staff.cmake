# Staff mode (docs/staff.md): the core on a real SQLite file (test_staff) and the staff roster
# parser under the fuzzer (fuzz_staff_csv).
kiosk_unit_test(test_staff LIBS kiosk_store PkgConfig::SQLITE3 ARGS ${CMAKE_SOURCE_DIR}/tests/data)

kiosk_fuzz(staff_csv LIBS kiosk_domain)
# The long press in the top-left corner that asks for a staff card.
kiosk_unit_test(test_corner_hold LIBS kiosk_app)
# Staff mode through the router over the canteen flow.
kiosk_unit_test(test_staff_flow LIBS kiosk_flows PkgConfig::SQLITE3
  ARGS ${CMAKE_SOURCE_DIR}/tests/data ${CMAKE_SOURCE_DIR}/tests/policies)

# Staff mode's records at the server: audit chains checked on arrival, voids left out of the
# settlement; the kiosk's own store makes the records.
add_executable(test_srv_staff server/test_srv_staff.c)
target_include_directories(test_srv_staff PRIVATE unit)
target_link_libraries(test_srv_staff PRIVATE server_core kiosk_store)
add_test(NAME test_srv_staff_sqlite COMMAND test_srv_staff sqlite)
add_test(NAME test_srv_staff_pg COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/server/with_postgres.sh
  $<TARGET_FILE:test_srv_staff> pg)
set_tests_properties(test_srv_staff_sqlite PROPERTIES LABELS unit ENVIRONMENT "${KIOSK_TEST_ENV}"
  TIMEOUT 60)
set_tests_properties(test_srv_staff_pg PROPERTIES LABELS e2e ENVIRONMENT "${KIOSK_TEST_ENV}"
  TIMEOUT 90)

# Staff mode's screens: golden images at the three test resolutions.
kiosk_unit_test(test_staff_screens LIBS kiosk_ui kiosk_flows ARGS ${CMAKE_SOURCE_DIR}
  LABELS golden)

# Staff mode through the real binary (the sim reader): PIN hashing, the staff roster, a void, and
# --audit-verify on an intact and on a tampered database.
add_test(NAME e2e_staff COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/e2e_staff.sh)
add_test(NAME e2e_corner COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/e2e_corner.sh)
set_tests_properties(e2e_corner PROPERTIES LABELS e2e ENVIRONMENT "${KIOSK_TEST_ENV}" TIMEOUT 60)
set_tests_properties(e2e_staff PROPERTIES LABELS e2e ENVIRONMENT "${KIOSK_TEST_ENV}" TIMEOUT 120)

# The staff stream and staff mode's records between the real kiosk and the real server.
add_test(NAME e2e_server_staff COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/server/e2e_server_staff.sh)
set_tests_properties(e2e_server_staff PROPERTIES LABELS "e2e;threads" TIMEOUT 120
  ENVIRONMENT "${KIOSK_TEST_ENV};SERVER_BINARY=$<TARGET_FILE:server>;SRV_TESTKIT=$<TARGET_FILE:srv_testkit>")
