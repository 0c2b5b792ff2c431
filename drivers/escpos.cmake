# The ESC/POS ticket and receipt printer: the pure protocol module and the driver (iconv is
# glibc's, no extra library).
target_sources(kiosk_drivers PRIVATE drivers/escpos.c drivers/escpos_printer.c)
