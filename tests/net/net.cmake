# Network faults between real kiosks and the real server (tests/net/): the TCP fault proxy and the
# end-to-end tests that run kiosks through it. Included from tests/CMakeLists.txt.
add_executable(fault_proxy net/fault_proxy.c)

set(NET_TEST_ENV ${SERVER_TEST_ENV} "FAULT_PROXY=$<TARGET_FILE:fault_proxy>")
foreach(entry e2e_fleet_faults:240 e2e_fleet_offline:120 e2e_fleet_clock:120)
  string(REPLACE ":" ";" parts ${entry})
  list(GET parts 0 script)
  list(GET parts 1 seconds)
  add_test(NAME ${script} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/net/${script}.sh)
  set_tests_properties(${script} PROPERTIES LABELS e2e ENVIRONMENT "${NET_TEST_ENV}"
    TIMEOUT ${seconds})
endforeach()
