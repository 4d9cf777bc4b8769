#!/usr/bin/env bash
# Debian's chromium for the dashboard's browser test (tests/dashboard_browser.rs), at the
# version in infra/chromium.version. `install` does nothing when that version is present.
set -euo pipefail
cd "$(dirname "$0")"

version="$(cat chromium.version)"
case "${1:-}" in
  install)
    if [ "$(dpkg-query -W -f='${Version}' chromium 2>/dev/null || true)" = "$version" ]; then
      exit 0
    fi
    sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "chromium=$version" "chromium-common=$version"
    ;;
  *)
    echo "usage: $0 install" >&2
    exit 2
    ;;
esac
