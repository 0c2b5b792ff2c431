# The kiosk's words in each language (kiosk/contract/i18n.h, README "Languages"): po/<lang>.po
# compiled by msgfmt --check into <build>/locale/<lang>/LC_MESSAGES/kiosk.mo, where a kiosk run
# from the build tree finds them; the package installs them to /usr/share/locale.
find_program(KIOSK_MSGFMT msgfmt REQUIRED)
set(KIOSK_LANGUAGES zh_CN en)
if(KIOSK_DATA_DIR STREQUAL CMAKE_SOURCE_DIR)
  set(kiosk_locale_default "${CMAKE_BINARY_DIR}/locale")
else()
  set(kiosk_locale_default "${CMAKE_INSTALL_PREFIX}/share/locale")
endif()
set(KIOSK_LOCALE_DIR "${kiosk_locale_default}" CACHE PATH
  "Where <lang>/LC_MESSAGES/kiosk.mo are found (default: the build tree's, or the installed ones)")

set(kiosk_catalogs)
foreach(lang IN LISTS KIOSK_LANGUAGES)
  set(mo "${CMAKE_BINARY_DIR}/locale/${lang}/LC_MESSAGES/kiosk.mo")
  add_custom_command(OUTPUT "${mo}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${CMAKE_BINARY_DIR}/locale/${lang}/LC_MESSAGES"
    COMMAND ${KIOSK_MSGFMT} --check -o "${mo}" "${CMAKE_SOURCE_DIR}/po/${lang}.po"
    DEPENDS "${CMAKE_SOURCE_DIR}/po/${lang}.po"
    COMMENT "msgfmt po/${lang}.po")
  list(APPEND kiosk_catalogs "${mo}")
  install(FILES "${mo}" DESTINATION share/locale/${lang}/LC_MESSAGES)
endforeach()
add_custom_target(kiosk_catalogs ALL DEPENDS ${kiosk_catalogs})
add_dependencies(kiosk_packaged kiosk_catalogs)
target_compile_definitions(kiosk_app PRIVATE KIOSK_LOCALE_DIR="${KIOSK_LOCALE_DIR}")
