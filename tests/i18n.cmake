# The kiosk's languages (README "Languages"): every word marked and translated, the catalogs
# checked by msgfmt, the language key, and the translated tables.
add_test(NAME i18n_words COMMAND python3 ${CMAKE_CURRENT_SOURCE_DIR}/i18n/check_words.py
  ${CMAKE_SOURCE_DIR})
set_tests_properties(i18n_words PROPERTIES LABELS unit TIMEOUT 60)
kiosk_unit_test(test_i18n ARGS ${CMAKE_BINARY_DIR}/locale)
add_test(NAME e2e_language COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/i18n/e2e_language.sh)
set_tests_properties(e2e_language PROPERTIES LABELS e2e ENVIRONMENT "${KIOSK_TEST_ENV}" TIMEOUT 60)
# The screens tests (canteen, marriage hall, staff mode) again in English
# (tests/unit/screens_language.h): the same flows and structural checks, the frames written to
# <build>/screens-en/ to be looked at.
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/screens-en)
foreach(t test_screens test_marriage_screens test_staff_screens)
  add_test(NAME ${t}_en COMMAND ${t} ${CMAKE_SOURCE_DIR} en ${CMAKE_BINARY_DIR}/locale
    ${CMAKE_BINARY_DIR}/screens-en)
  set_tests_properties(${t}_en PROPERTIES LABELS golden ENVIRONMENT "${KIOSK_TEST_ENV}" TIMEOUT 60)
endforeach()
