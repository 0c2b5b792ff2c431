# The NFC card reader through libnfc (nfc:CONNSTRING); Debian packages libnfc-dev, libnfc-bin.
pkg_check_modules(LIBNFC REQUIRED IMPORTED_TARGET libnfc)
target_sources(kiosk_drivers PRIVATE drivers/nfc_reader.c)
target_link_libraries(kiosk_drivers PRIVATE PkgConfig::LIBNFC)
