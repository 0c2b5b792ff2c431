# Deployment tests (docs/install.md): the systemd notification client and the turned panel
# (unit), the kiosk under a stand-in for systemd's service manager and the update with its
# rollback (e2e), and the Debian package itself (label package: scripts/test.sh runs it as a
# step of its own, after the three builds).
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
