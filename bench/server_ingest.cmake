# server_ingest_client: the load of bench/server_ingest.sh (records/s the reference server stores
# in 500-record batches); tests/server/e2e_server_load.sh uses it too, small. Included from
# bench/CMakeLists.txt.
pkg_check_modules(BENCH_CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(BENCH_ZLIB REQUIRED IMPORTED_TARGET zlib)
add_executable(server_ingest_client ${CMAKE_CURRENT_LIST_DIR}/server_ingest_client.c)
target_link_libraries(server_ingest_client PRIVATE kiosk_domain PkgConfig::BENCH_CURL
  PkgConfig::BENCH_ZLIB Threads::Threads)
