# The sync worker's tests (kiosk/sync/, docs/sync-protocol.md): unit tests of its pure parts and
# of the store's sync tables on a real SQLite file, a scripted server on loopback (sync_server,
# libmicrohttpd) that the end-to-end test drives the real kiosk binary against, fuzz runs of the
# reply parsers, and the include arrows of the new library.
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
add_executable(sync_server sync/sync_server.c)
target_link_libraries(sync_server PRIVATE kiosk_domain PkgConfig::MHD PkgConfig::ZLIB)

foreach(name test_sync_retry test_sync_clock test_sync_wire test_sync_store test_sync_remote
    test_sync_update_report)
  add_executable(${name} sync/${name}.c)
  target_include_directories(${name} PRIVATE unit)
  target_link_libraries(${name} PRIVATE kiosk_sync)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS unit ENVIRONMENT "${KIOSK_TEST_ENV}" TIMEOUT 60)
endforeach()
target_link_libraries(test_sync_store PRIVATE PkgConfig::SQLITE3)
# The canteen flow's side: offline records and the offline meal limit.
add_executable(test_sync_canteen sync/test_sync_canteen.c)
target_include_directories(test_sync_canteen PRIVATE unit)
target_link_libraries(test_sync_canteen PRIVATE kiosk_flows)
add_test(NAME test_sync_canteen COMMAND test_sync_canteen ${CMAKE_SOURCE_DIR})
set_tests_properties(test_sync_canteen PROPERTIES LABELS unit ENVIRONMENT "${KIOSK_TEST_ENV}"
  TIMEOUT 60)

# The real kiosk binary against the scripted server: the worker's thread runs (ThreadSanitizer
# runs it in the tsan build).
add_test(NAME e2e_sync COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sync/e2e_sync.sh)
set_tests_properties(e2e_sync PROPERTIES LABELS "e2e;threads" TIMEOUT 240
  ENVIRONMENT "${KIOSK_TEST_ENV};SYNC_SERVER=$<TARGET_FILE:sync_server>")
# TLS: the private CA, the pin and its spare, refusals; and the [sync] section's refusals.
add_test(NAME e2e_sync_tls COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/sync/e2e_sync_tls.sh)
set_tests_properties(e2e_sync_tls PROPERTIES LABELS "e2e;threads" TIMEOUT 120
  ENVIRONMENT "${KIOSK_TEST_ENV};SYNC_SERVER=$<TARGET_FILE:sync_server>")
if(TEST e2e_broken_binary)
  set_property(TEST e2e_broken_binary APPEND PROPERTY ENVIRONMENT
    "SYNC_SERVER=$<TARGET_FILE:sync_server>")
endif()

foreach(target sync_batch sync_pull sync_snapshot sync_enroll sync_config sync_update_report)
  kiosk_fuzz(${target} LIBS kiosk_sync)
endforeach()

kiosk_arrow(flows_sync kiosk_flows sync.h must-fail)
kiosk_arrow(store_sync kiosk_store sync.h must-fail)
kiosk_arrow(sync_flows kiosk_sync flow.h must-fail)
kiosk_arrow(sync_ok kiosk_sync sync_state.h must-compile)
