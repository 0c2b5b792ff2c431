# Network faults between real kiosks and the real server (tests/net/): the TCP fault proxy and the
# end-to-end tests that run kiosks through it. Included from tests/CMakeLists.txt. The short ones
# also run under ThreadSanitizer (label threads: the kiosk's sync worker, the server's threads);
# e2e_fleet_faults, which needs 500 faults, does not.
add_executable(fault_proxy net/fault_proxy.c)

set(NET_TEST_ENV ${SERVER_TEST_ENV} "FAULT_PROXY=$<TARGET_FILE:fault_proxy>")
foreach(entry e2e_fleet_faults:240:e2e e2e_fleet_offline:120:e2e|threads
        e2e_fleet_clock:120:e2e|threads e2e_fleet_broken:120:e2e)
  string(REPLACE ":" ";" parts ${entry})
  list(GET parts 0 script)
  list(GET parts 1 seconds)
  list(GET parts 2 labels)
  string(REPLACE "|" ";" labels ${labels})
  add_test(NAME ${script} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/net/${script}.sh)
  set_tests_properties(${script} PROPERTIES LABELS "${labels}" ENVIRONMENT "${NET_TEST_ENV}"
    TIMEOUT ${seconds})
endforeach()
add_test(NAME e2e_fleet_offline_pg COMMAND ${WITH_PG} bash
  ${CMAKE_CURRENT_SOURCE_DIR}/net/e2e_fleet_offline.sh)
set_tests_properties(e2e_fleet_offline_pg PROPERTIES LABELS "e2e;threads"
  ENVIRONMENT "${NET_TEST_ENV}" TIMEOUT 150)
