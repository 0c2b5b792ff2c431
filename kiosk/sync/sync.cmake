# The sync worker (kiosk/sync/, docs/sync-protocol.md): a library over the store and the domain,
# used by the app only (tests/arrows/ proves flows cannot include it). Also the domain's request
# signature (shared with the server) and the store's sync tables.
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)
target_sources(kiosk_domain PRIVATE kiosk/domain/sync_sign.c kiosk/domain/config_sign.c)
target_sources(kiosk_store PRIVATE kiosk/store/sync_state.c)
add_library(kiosk_sync STATIC kiosk/sync/sync_clock.c kiosk/sync/sync_config.c
  kiosk/sync/sync_enroll.c kiosk/sync/sync_http.c kiosk/sync/sync_retry.c
  kiosk/sync/sync_remote.c kiosk/sync/sync_status.c kiosk/sync/sync_update_report.c
  kiosk/sync/sync_wire.c kiosk/sync/sync_worker.c)
target_include_directories(kiosk_sync PUBLIC kiosk/sync)
target_link_libraries(kiosk_sync PUBLIC kiosk_store PkgConfig::CURL PRIVATE PkgConfig::ZLIB PkgConfig::INIH
  Threads::Threads)
target_link_libraries(kiosk_app PUBLIC kiosk_sync)
