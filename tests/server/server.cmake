# The reference server's tests (docs/server.md): its parsers and storage as unit tests (storage
# on SQLite here, on a private PostgreSQL through with_postgres.sh), the real server process
# driven over loopback with curl and openssl (e2e; threads, as the server runs a thread pool),
# and fuzz runs of its request parsers. Included from tests/CMakeLists.txt.
set(SERVER_TEST_ENV ${KIOSK_TEST_ENV} "SERVER_BINARY=$<TARGET_FILE:server>"
  "SRV_TESTKIT=$<TARGET_FILE:srv_testkit>" "KIOSK_BINARY=$<TARGET_FILE:kiosk>"
  "SERVER_INGEST_CLIENT=$<TARGET_FILE:server_ingest_client>")
set(WITH_PG bash ${CMAKE_CURRENT_SOURCE_DIR}/server/with_postgres.sh)

add_executable(srv_testkit server/srv_testkit.c)
target_link_libraries(srv_testkit PRIVATE kiosk_domain)

add_executable(test_srv_wire server/test_srv_wire.c)
target_include_directories(test_srv_wire PRIVATE unit)
target_link_libraries(test_srv_wire PRIVATE server_core)
add_test(NAME test_srv_wire COMMAND test_srv_wire)
set_tests_properties(test_srv_wire PROPERTIES LABELS unit ENVIRONMENT "${KIOSK_TEST_ENV}"
  TIMEOUT 60)

add_executable(test_srv_storage server/test_srv_storage.c)
target_include_directories(test_srv_storage PRIVATE unit)
target_link_libraries(test_srv_storage PRIVATE server_core)
add_test(NAME test_srv_storage_sqlite COMMAND test_srv_storage sqlite)
add_test(NAME test_srv_storage_pg COMMAND ${WITH_PG} $<TARGET_FILE:test_srv_storage> pg)
set_tests_properties(test_srv_storage_sqlite PROPERTIES LABELS unit
  ENVIRONMENT "${KIOSK_TEST_ENV}" TIMEOUT 60)
set_tests_properties(test_srv_storage_pg PROPERTIES LABELS e2e ENVIRONMENT "${KIOSK_TEST_ENV}"
  TIMEOUT 90)

# The server process over loopback: each script on SQLite, and those that store records again on
# PostgreSQL. e2e_server_kiosk runs the real kiosk binary against it. Time limits a few times each script's real time on the 2-core CI machine.
foreach(entry e2e_server_enroll:60 e2e_server_batch:60 e2e_server_streams:90
        e2e_server_reconcile:60 e2e_server_faults:90 e2e_server_tls:60
        e2e_server_roster:60 e2e_server_load:120 e2e_server_kiosk:90 e2e_server_hall:90
        e2e_server_clock:60 e2e_server_broken:300)
  string(REPLACE ":" ";" parts ${entry})
  list(GET parts 0 script)
  list(GET parts 1 seconds)
  add_test(NAME ${script} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/server/${script}.sh)
  set_tests_properties(${script} PROPERTIES LABELS "e2e;threads"
    ENVIRONMENT "${SERVER_TEST_ENV}" TIMEOUT ${seconds})
endforeach()
foreach(entry e2e_server_batch:120 e2e_server_streams:150 e2e_server_reconcile:90
        e2e_server_faults:120 e2e_server_load:150 e2e_server_kiosk:120 e2e_server_hall:120
        e2e_server_clock:90)
  string(REPLACE ":" ";" parts ${entry})
  list(GET parts 0 script)
  list(GET parts 1 seconds)
  add_test(NAME ${script}_pg COMMAND ${WITH_PG} bash
    ${CMAKE_CURRENT_SOURCE_DIR}/server/${script}.sh)
  set_tests_properties(${script}_pg PROPERTIES LABELS "e2e;threads"
    ENVIRONMENT "${SERVER_TEST_ENV}" TIMEOUT ${seconds})
endforeach()

# The request parsers under the fuzz driver (tests/fuzz/README.md).
foreach(target srv_batch srv_query srv_enroll srv_signature)
  kiosk_fuzz(${target} LIBS server_wire)
endforeach()

# The admin page's parsers, sessions, logins and lock, alerts and the fleet table (server/web_*,
# fleet.h), on SQLite and on a private PostgreSQL.
add_executable(test_srv_web server/test_srv_web.c)
target_include_directories(test_srv_web PRIVATE unit)
target_link_libraries(test_srv_web PRIVATE server_core)
add_test(NAME test_srv_web_sqlite COMMAND test_srv_web sqlite)
add_test(NAME test_srv_web_pg COMMAND ${WITH_PG} $<TARGET_FILE:test_srv_web> pg)
set_tests_properties(test_srv_web_sqlite PROPERTIES LABELS unit ENVIRONMENT "${KIOSK_TEST_ENV}"
  TIMEOUT 60)
set_tests_properties(test_srv_web_pg PROPERTIES LABELS e2e ENVIRONMENT "${KIOSK_TEST_ENV}"
  TIMEOUT 90)

# The admin page's form, query and cookie parsers and its escaping under the fuzz driver.
kiosk_fuzz(web_parse LIBS server_core)

# The admin page in a real browser: Debian's chromium, headless, through chromedriver and
# python3-selenium (Debian's own Python, which sees python3-selenium).
add_test(NAME e2e_admin_web COMMAND /usr/bin/python3
  ${CMAKE_CURRENT_SOURCE_DIR}/server/e2e_admin_web.py)
add_test(NAME e2e_admin_web_pg COMMAND ${WITH_PG} /usr/bin/python3
  ${CMAKE_CURRENT_SOURCE_DIR}/server/e2e_admin_web.py)
set_tests_properties(e2e_admin_web e2e_admin_web_pg PROPERTIES LABELS e2e
  ENVIRONMENT "${SERVER_TEST_ENV}" TIMEOUT 120)
add_test(NAME e2e_admin_tls COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/server/e2e_admin_tls.sh)
set_tests_properties(e2e_admin_tls PROPERTIES LABELS e2e ENVIRONMENT "${SERVER_TEST_ENV}"
  TIMEOUT 60)

# Signed remote configuration between the real server and the real kiosk.
add_test(NAME e2e_server_config COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/server/e2e_server_config.sh)
set_tests_properties(e2e_server_config PROPERTIES LABELS "e2e;threads"
  ENVIRONMENT "${SERVER_TEST_ENV}" TIMEOUT 120)
