# The certified ID-card reader (gat467): the pure GA/T 467 protocol, the serial transport (which
# the ESC/POS printer may share) and the driver thread.
target_sources(kiosk_drivers PRIVATE drivers/idcard_proto.c drivers/serial.c
  drivers/idcard_reader.c)
