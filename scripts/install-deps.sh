#!/usr/bin/env bash
# Installs the Debian packages Spikecast needs to build, test and run.
# Idempotent: quiet when everything is present. Needs root (or sudo) only when something is missing.
set -euo pipefail

PACKAGES=(libxgboost-dev libcairo2-dev libsqlite3-dev libcurl4-openssl-dev zlib1g-dev pkg-config tzdata fonts-dejavu-core)
# Extra packages used only by the test suite (headless browser check, Prometheus rule tests, compose validation).
if [ "${1:-}" = "--test" ]; then
  PACKAGES+=(chromium prometheus docker-compose)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "spikecast: missing system packages: ${missing[*]}" >&2
    echo "spikecast: run this script as root (or install them with apt-get) and try again." >&2
    exit 1
  fi
fi

echo "spikecast: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "spikecast: system packages ready" >&2
