target_sources(kiosk_drivers PRIVATE drivers/idcard_reader.c)
