# Deployment (docs/install.md): systemd's notification protocol and the turned panel in the
# kiosk's libraries, the installed layout (/usr/lib/kiosk for the programs, /usr/share/kiosk
# for fonts and voice clips: configure with -DKIOSK_DATA_DIR=/usr/share/kiosk, as debian/rules
# does), and kiosk_next, a test build with one more (dummy) migration for the update tests.
target_sources(kiosk_app PRIVATE kiosk/sdnotify.c)
target_sources(kiosk_ui PRIVATE ui/display.c)

# The programs live in /usr/lib/kiosk (debian/kiosk.links puts /usr/bin/kiosk in front), so a
# helper such as kiosk-nfc is found beside the kiosk binary, as in the build tree.
# kiosk_packaged builds what the packages install (debian/rules builds it, not `all`).
add_custom_target(kiosk_packaged)
add_dependencies(kiosk_packaged kiosk)
install(TARGETS kiosk RUNTIME DESTINATION lib/kiosk)
if(TARGET kiosk-nfc)
  add_dependencies(kiosk_packaged kiosk-nfc)
  install(TARGETS kiosk-nfc RUNTIME DESTINATION lib/kiosk)
endif()
install(FILES fonts/NotoSansCJKsc-Kiosk-Regular.otf fonts/NotoSansCJKsc-Kiosk-Bold.otf
  DESTINATION share/kiosk/fonts)
file(GLOB KIOSK_VOICE_CLIPS ${CMAKE_SOURCE_DIR}/assets/voice/*.wav)
install(FILES ${KIOSK_VOICE_CLIPS} DESTINATION share/kiosk/assets/voice)
install(PROGRAMS packaging/kiosk-update DESTINATION sbin)

# The same kiosk with a schema one migration newer (kiosk/store/store.c): its own copy of
# store.c, linked before the store library so the archive's copy is never pulled in.
add_executable(kiosk_next kiosk/main.c kiosk/store/store.c)
target_compile_definitions(kiosk_next PRIVATE KIOSK_VERSION="${PROJECT_VERSION}+next"
  KIOSK_TEST_FUTURE_MIGRATION)
target_include_directories(kiosk_next PRIVATE kiosk/store)
target_link_libraries(kiosk_next PRIVATE kiosk_app PkgConfig::SQLITE3)

# The reference server (package kiosk-server): /usr/lib/kiosk-server/server.
if(TARGET server)
  add_dependencies(kiosk_packaged server)
  install(TARGETS server RUNTIME DESTINATION lib/kiosk-server)
endif()

# The word catalogs, built for the build tree and installed with the kiosk.
include(po/i18n.cmake)
