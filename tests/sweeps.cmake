# The broken-binary sweeps (tests/e2e/sweep_lib.sh) run the scripts of other folders, so each
# also gets the programs those scripts are given besides the one it breaks: e2e_notify and
# e2e_update (tests/deploy) need the stand-in service manager, the next build and the server.
set_property(TEST e2e_broken_binary APPEND PROPERTY ENVIRONMENT
  "KIOSK_SUPERVISE=$<TARGET_FILE:kiosk_supervise>" "KIOSK_NEXT_BINARY=$<TARGET_FILE:kiosk_next>"
  "SERVER_BINARY=$<TARGET_FILE:server>")
# e2e_package on a build broken on purpose (label package, with e2e_package: one more
# dpkg-buildpackage, about 40 s).
add_test(NAME e2e_package_broken COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/deploy/e2e_package_broken.sh)
set_tests_properties(e2e_package_broken PROPERTIES LABELS package TIMEOUT 1200 RUN_SERIAL TRUE
  ENVIRONMENT "KIOSK_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
