# The ESC/POS printer: the builder byte for byte and through the test decoder (test_escpos), the
# driver on a file, a FIFO and a pseudo-terminal where the test plays the printer
# (test_escpos_driver, a few seconds of real time), and a fuzz run of the status parser, the
# decoder and the builder (fuzz_escpos). Label unit: the driver runs alone, not in the kiosk.
add_library(escpos_decode STATIC emu/escpos_decode.c)
target_include_directories(escpos_decode PUBLIC emu)
target_link_libraries(escpos_decode PUBLIC kiosk_contract)

foreach(entry test_escpos:30 test_escpos_driver:60)
  string(REPLACE ":" ";" parts ${entry})
  list(GET parts 0 name)
  list(GET parts 1 seconds)
  add_executable(${name} emu/${name}.c)
  target_include_directories(${name} PRIVATE unit)
  target_link_libraries(${name} PRIVATE escpos_decode kiosk_drivers kiosk_domain util)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS unit ENVIRONMENT "${KIOSK_TEST_ENV}"
    TIMEOUT ${seconds})
endforeach()

kiosk_fuzz(escpos LIBS escpos_decode kiosk_drivers)

# The decoder as a command, for the end-to-end test of the kiosk printing through the driver.
add_executable(escpos_dump emu/escpos_dump.c)
target_link_libraries(escpos_dump PRIVATE escpos_decode)
add_test(NAME e2e_print COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/emu/e2e_print.sh)
set_tests_properties(e2e_print PROPERTIES LABELS "e2e;threads" TIMEOUT 60
  ENVIRONMENT "${KIOSK_TEST_ENV};ESCPOS_DUMP=$<TARGET_FILE:escpos_dump>")
if(TEST e2e_broken_binary)
  set_property(TEST e2e_broken_binary APPEND PROPERTY ENVIRONMENT
    "ESCPOS_DUMP=$<TARGET_FILE:escpos_dump>")
endif()
