#!/usr/bin/env bash
# Create .venv and install the portal's Python packages; with --tests, also the test
# packages and Debian's Chromium for the browser tests. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi

requirements=requirements.txt
if [ "${1:-}" = "--tests" ]; then
  requirements=requirements-dev.txt
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"

# The browser tests need Chromium, and the board packet PDF test needs a font with Vietnamese letters.
if [ "${1:-}" = "--tests" ] && { [ ! -x /usr/bin/chromium ] || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; }; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium and fonts-dejavu-core for the tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null
  else
    echo "Chromium or DejaVu Sans is missing: install Debian's chromium and fonts-dejavu-core packages (sudo apt-get install chromium fonts-dejavu-core)." >&2
  fi
fi
