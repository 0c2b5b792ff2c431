# Deployment tests (docs/install.md): the systemd notification client and the turned panel
# (unit), the kiosk under a stand-in for systemd's service manager and the update with its
# rollback against the real server (e2e), and the Debian package itself (label package:
# scripts/test.sh runs it as a step of its own, after the three builds).
add_executable(test_sdnotify deploy/test_sdnotify.c)
target_include_directories(test_sdnotify PRIVATE unit)
target_link_libraries(test_sdnotify PRIVATE kiosk_app)
add_test(NAME test_sdnotify COMMAND test_sdnotify)

add_executable(test_display deploy/test_display.c)
target_include_directories(test_display PRIVATE unit ${CMAKE_SOURCE_DIR}/ui)
target_link_libraries(test_display PRIVATE kiosk_ui)
add_test(NAME test_display COMMAND test_display ${CMAKE_SOURCE_DIR})
set_tests_properties(test_sdnotify test_display PROPERTIES LABELS unit
  ENVIRONMENT "${KIOSK_TEST_ENV}" TIMEOUT 60)

add_executable(kiosk_supervise deploy/kiosk_supervise.c)
set_target_properties(kiosk_supervise PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})

foreach(entry e2e_notify:240 e2e_update:300)
  string(REPLACE ":" ";" parts ${entry})
  list(GET parts 0 script)
  list(GET parts 1 seconds)
  add_test(NAME ${script} COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/deploy/${script}.sh)
  set_tests_properties(${script} PROPERTIES LABELS e2e TIMEOUT ${seconds} ENVIRONMENT
    "${KIOSK_TEST_ENV};KIOSK_SUPERVISE=$<TARGET_FILE:kiosk_supervise>;KIOSK_NEXT_BINARY=$<TARGET_FILE:kiosk_next>;SERVER_BINARY=$<TARGET_FILE:server>")
endforeach()

# README's demo command, with this build's kiosk and server (scripts/demo.sh builds nothing then).
add_test(NAME e2e_demo COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/deploy/e2e_demo.sh)
set_tests_properties(e2e_demo PROPERTIES LABELS e2e TIMEOUT 120 ENVIRONMENT
  "${KIOSK_TEST_ENV};SERVER_BINARY=$<TARGET_FILE:server>")

add_test(NAME e2e_package COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/deploy/e2e_package.sh)
set_tests_properties(e2e_package PROPERTIES LABELS package TIMEOUT 1200 RUN_SERIAL TRUE
  ENVIRONMENT "KIOSK_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
