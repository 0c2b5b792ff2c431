# The PN532 emulator (a reader on a pty, speaking HSU frames) and the tests that run libnfc, the
# kiosk's nfc driver and the real kiosk binary against it. Each test starts its own emulator on
# its own pty, so they may run in parallel.
add_executable(pn532_emu emu/pn532_emu.c)
target_link_libraries(pn532_emu PRIVATE util)

add_library(pn532_harness STATIC emu/pn532_harness.c)
target_include_directories(pn532_harness PUBLIC emu)
target_link_libraries(pn532_harness PUBLIC kiosk_contract)

# libnfc alone against the emulator: the protocol, the card kinds, the faults.
add_executable(test_pn532_emu emu/test_pn532_emu.c)
target_include_directories(test_pn532_emu PRIVATE unit)
target_link_libraries(test_pn532_emu PRIVATE pn532_harness PkgConfig::LIBNFC Threads::Threads)
add_test(NAME test_pn532_emu COMMAND test_pn532_emu $<TARGET_FILE:pn532_emu>)
set_tests_properties(test_pn532_emu PROPERTIES LABELS unit TIMEOUT 30
  ENVIRONMENT "${KIOSK_TEST_ENV};LIBNFC_AUTO_SCAN=false")

# The kiosk's nfc driver and its kiosk-nfc helper against the emulator (also the removal figures
# of bench/nfc_tap.sh). Threads: the driver's, the helper's watcher; under TSan in CI.
add_executable(test_nfc_driver emu/test_nfc_driver.c)
target_include_directories(test_nfc_driver PRIVATE unit)
target_link_libraries(test_nfc_driver PRIVATE pn532_harness kiosk_drivers)
add_test(NAME test_nfc_driver COMMAND test_nfc_driver $<TARGET_FILE:pn532_emu>
  $<TARGET_FILE:kiosk-nfc>)
set_tests_properties(test_nfc_driver PROPERTIES LABELS "unit;threads" TIMEOUT 90
  ENVIRONMENT "${KIOSK_TEST_ENV};LIBNFC_AUTO_SCAN=false")

# The real kiosk binary reading cards through the emulated reader, faults and all (its helper
# dying of libnfc's abort() among them).
add_test(NAME e2e_nfc COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/emu/e2e_nfc.sh)
set_tests_properties(e2e_nfc PROPERTIES LABELS "e2e;threads" TIMEOUT 60
  ENVIRONMENT "${KIOSK_TEST_ENV};PN532_EMU=$<TARGET_FILE:pn532_emu>")
# The broken-binary test runs every e2e script with KIOSK_BINARY=/bin/false; this one also needs
# the emulator, so that its checks (not a missing variable) are what fail there.
if(TEST e2e_broken_binary)
  set_property(TEST e2e_broken_binary APPEND PROPERTY ENVIRONMENT
    "PN532_EMU=$<TARGET_FILE:pn532_emu>")
endif()
