#!/usr/bin/env bash
# Installs shellcheck (Debian/Ubuntu package) unless it is already on PATH. Used by CI before the unit tests,
# which run `shellcheck deploy.sh` (test/unit/deploy/package.test.ts).
set -euo pipefail

if command -v shellcheck >/dev/null 2>&1; then
  shellcheck --version | sed -n 2p
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || {
  echo "install-shellcheck: no apt-get here; install shellcheck with your package manager" >&2
  exit 1
}

sudo=()
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null 2>&1 || {
    echo "install-shellcheck: not root and no sudo" >&2
    exit 1
  }
  sudo=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
# Try without refreshing the package lists first (fast when the lists are current), then with.
if ! ${sudo[@]+"${sudo[@]}"} apt-get install -y --no-install-recommends shellcheck >/dev/null 2>&1; then
  ${sudo[@]+"${sudo[@]}"} apt-get update -qq
  ${sudo[@]+"${sudo[@]}"} apt-get install -y --no-install-recommends shellcheck
fi
shellcheck --version | sed -n 2p
