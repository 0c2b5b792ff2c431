# The page-level salvage reader (kiosk/store/salvage.h): the unit test builds real kiosk databases
# with SQLite, damages them and checks which rows come back (test_salvage); the fuzz target scans
# mutated database and WAL images (fuzz_salvage).
add_executable(test_salvage unit/test_salvage.c)
target_include_directories(test_salvage PRIVATE unit)
target_link_libraries(test_salvage PRIVATE kiosk_store PkgConfig::SQLITE3)
add_test(NAME test_salvage COMMAND test_salvage)
set_tests_properties(test_salvage PROPERTIES LABELS unit ENVIRONMENT "${KIOSK_TEST_ENV}"
  TIMEOUT 60)

add_executable(fuzz_salvage fuzz/fuzz_salvage.c fuzz/fuzz_driver.c)
target_link_libraries(fuzz_salvage PRIVATE kiosk_store)
add_test(NAME fuzz_salvage COMMAND fuzz_salvage --runs=20000
  ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/salvage)
set_tests_properties(fuzz_salvage PROPERTIES LABELS fuzz TIMEOUT 300)
