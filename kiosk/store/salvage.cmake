target_sources(kiosk_store PRIVATE kiosk/store/salvage.c)
