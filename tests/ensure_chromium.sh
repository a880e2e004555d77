#!/usr/bin/env bash
# Make sure Debian's Chromium and its WebDriver are installed (the browser tests need both).
# Installs them with apt-get when /usr/bin/chromium or /usr/bin/chromedriver is missing; exits
# non-zero, loudly, if that is impossible. Nothing else is downloaded: Selenium is pointed at
# these two binaries and never fetches a driver or browser of its own.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi

echo "ensure_chromium: /usr/bin/chromium or /usr/bin/chromedriver is missing; installing chromium chromium-driver with apt-get" >&2
if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null; then SUDO=(sudo -n); else
  echo "ensure_chromium: FAILED: not root and no sudo; install them by hand: apt-get install -y chromium chromium-driver" >&2
  exit 1
fi
if ! { "${SUDO[@]}" apt-get update && DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y chromium chromium-driver; }; then
  echo "ensure_chromium: FAILED: apt-get could not install chromium chromium-driver" >&2
  exit 1
fi
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "ensure_chromium: FAILED: apt-get ran but /usr/bin/chromium or /usr/bin/chromedriver is still missing" >&2
  exit 1
fi
/usr/bin/chromium --version
