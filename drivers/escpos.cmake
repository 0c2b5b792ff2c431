target_sources(kiosk_drivers PRIVATE drivers/escpos_printer.c)
