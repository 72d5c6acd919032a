#!/usr/bin/env bash
# Make sure the Debian/Ubuntu system libraries the portal needs are present.
#   scripts/system-deps.sh run    WeasyPrint (Pango, HarfBuzz subsetting), Arabic font, gettext
#   scripts/system-deps.sh test   the same, plus Debian's chromium for the browser tests
# As root, missing packages are installed with apt-get. Otherwise the exact apt line is printed
# and the script stops, so that nothing half-works.
set -euo pipefail
mode="${1:-run}"

missing=()
have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }
have_lib "libpango-1.0.so.0"      || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
have_lib "libharfbuzz-subset.so.0" || missing+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -qi "amiri" || missing+=(fonts-hosny-amiri)
fc-list 2>/dev/null | grep -qi "dejavu" || missing+=(fonts-dejavu-core)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
command -v flite >/dev/null 2>&1 || missing+=(flite)
if [ "$mode" = "test" ]; then
  command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  $line -qq
else
  echo "Some system packages are missing. Install them, then run the command again:" >&2
  echo "    sudo $line" >&2
  exit 1
fi
