# The NFC card reader (nfc:CONNSTRING). libnfc 1.8 aborts its whole process on some reader
# faults, so the driver in kiosk_drivers runs the helper program kiosk-nfc, the only code that
# links libnfc (Debian packages libnfc-dev, libnfc-bin). It is built beside the kiosk binary,
# where the driver looks for it by default.
pkg_check_modules(LIBNFC REQUIRED IMPORTED_TARGET libnfc)
target_sources(kiosk_drivers PRIVATE drivers/nfc_reader.c)

add_executable(kiosk-nfc drivers/nfc_helper.c)
target_link_libraries(kiosk-nfc PRIVATE PkgConfig::LIBNFC Threads::Threads)
set_target_properties(kiosk-nfc PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
# The kiosk runs it: building the kiosk builds its helper.
add_dependencies(kiosk_drivers kiosk-nfc)
