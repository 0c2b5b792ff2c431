#!/usr/bin/env bash
# Installs the Debian packages the kiosk needs to build, run and test (as root, with apt-get).
# Quick when everything is there already.
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libfontconfig-dev
  libsqlite3-dev libjansson-dev libsodium-dev libinih-dev
  fonts-noto-cjk fonts-babelstone-han # fallback faces for rare characters in names (fontconfig)
  jq sqlite3 procps strace util-linux # used by the end-to-end tests
  clang libclang-rt-14-dev # the second compiler of the test run, and libFuzzer
  libnfc-dev libnfc-bin # the NFC reader; nfc-list for the emulator tests
  libcurl4-openssl-dev zlib1g-dev # the kiosk's sync worker (HTTPS, gzip'd batches)
  libmicrohttpd-dev libgnutls28-dev libpq-dev # the reference server (HTTPS, PostgreSQL backend)
  postgresql # the server's PostgreSQL tests start their own instance on a private port
  gnutls-bin # certtool: the tests' private CA and server certificate
  libebur128-dev # clipcheck: the voice prompts' loudness (EBU R 128) and true peak
  debhelper dpkg-dev lintian udev systemd # the Debian packages and their checks (docs/install.md)
  chromium chromium-driver python3-selenium # the admin page's browser test (e2e_admin_web)
  gettext locales-all python3 # the word catalogs (msgfmt, xgettext; i18n_words) and their locales
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
