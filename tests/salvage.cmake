# The page-level salvage reader (kiosk/store/salvage.h): the unit test builds real kiosk databases
# with SQLite, damages them and checks which rows come back (test_salvage); the fuzz target scans
# mutated database and WAL images (fuzz_salvage).
add_executable(test_salvage unit/test_salvage.c)
target_include_directories(test_salvage PRIVATE unit)
target_link_libraries(test_salvage PRIVATE kiosk_store PkgConfig::SQLITE3)
add_test(NAME test_salvage COMMAND test_salvage)
set_tests_properties(test_salvage PROPERTIES LABELS unit ENVIRONMENT "${KIOSK_TEST_ENV}"
  TIMEOUT 60)

kiosk_fuzz(salvage LIBS kiosk_store)
