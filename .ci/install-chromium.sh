#!/usr/bin/env bash
# Installs Debian's chromium (the browser the browser tests drive through playwright-core, which downloads no
# browser of its own) unless /usr/bin/chromium is already there. Run by `npm test`'s pretest, so a fresh machine
# needs no manual step; test/helpers/browser.ts names this script when the browser is missing.
set -euo pipefail

readonly CHROMIUM=/usr/bin/chromium

if [[ -x $CHROMIUM ]]; then
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || {
  echo "install-chromium: no apt-get here; install Chromium so that $CHROMIUM exists (Debian/Ubuntu package chromium)" >&2
  exit 1
}

sudo=()
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null 2>&1 || {
    echo "install-chromium: not root and no sudo; as root run: apt-get install -y chromium" >&2
    exit 1
  }
  sudo=(sudo)
fi

echo "install-chromium: installing Debian's chromium (for the browser tests)" >&2
export DEBIAN_FRONTEND=noninteractive
# Without the recommended desktop packages (udev, upower, printing, a notification daemon: nothing a headless
# browser uses), but with a font family, so pages render text the same on every machine.
packages=(chromium fonts-liberation)
# Try without refreshing the package lists first (fast when the lists are current), then with.
if ! ${sudo[@]+"${sudo[@]}"} apt-get install -y --no-install-recommends "${packages[@]}" >/dev/null 2>&1; then
  ${sudo[@]+"${sudo[@]}"} apt-get update -qq
  ${sudo[@]+"${sudo[@]}"} apt-get install -y --no-install-recommends "${packages[@]}" >/dev/null || {
    echo "install-chromium: apt-get install chromium failed (output above); the browser tests need $CHROMIUM" >&2
    exit 1
  }
fi

[[ -x $CHROMIUM ]] || {
  echo "install-chromium: the chromium package is installed but $CHROMIUM is missing" >&2
  exit 1
}
# (Debian's launcher script may complain about /dev/shm on stderr; the browser itself is fine.)
"$CHROMIUM" --version 2>/dev/null | sed 's/^/install-chromium: /' >&2
