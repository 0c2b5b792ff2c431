# The certified ID-card reader (gat467): the protocol module's byte-exact unit test, a fuzz run
# of its frame and text-block parsers, the reader emulator on a pseudo-terminal, and the real
# kiosk reading ID cards through that emulator (e2e). Included from tests/CMakeLists.txt.

add_executable(test_idcard_proto emu/test_idcard_proto.c)
target_include_directories(test_idcard_proto PRIVATE unit)
target_link_libraries(test_idcard_proto PRIVATE kiosk_drivers)
add_test(NAME test_idcard_proto COMMAND test_idcard_proto)
set_tests_properties(test_idcard_proto PROPERTIES LABELS unit ENVIRONMENT "${KIOSK_TEST_ENV}"
  TIMEOUT 60)

kiosk_fuzz(idcard LIBS kiosk_drivers TIMEOUT 600)

add_executable(idcard_emu emu/idcard_emu.c)
target_link_libraries(idcard_emu PRIVATE kiosk_drivers)

add_test(NAME e2e_idcard COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/emu/e2e_idcard.sh)
set_tests_properties(e2e_idcard PROPERTIES LABELS "e2e;threads" TIMEOUT 120
  ENVIRONMENT "${KIOSK_TEST_ENV};IDCARD_EMU=$<TARGET_FILE:idcard_emu>")
# The broken-binary test runs every e2e script with KIOSK_BINARY=/bin/false; this one also needs
# the emulator, so that its checks (not a missing variable) are what fail there.
if(TEST e2e_broken_binary)
  set_property(TEST e2e_broken_binary APPEND PROPERTY ENVIRONMENT
    "IDCARD_EMU=$<TARGET_FILE:idcard_emu>")
endif()
