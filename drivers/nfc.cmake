target_sources(kiosk_drivers PRIVATE drivers/nfc_reader.c)
