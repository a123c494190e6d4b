#!/usr/bin/env bash
# Debian packages the tests use (Chromium for pages and rooms, espeak-ng/sox for speech,
# PostgreSQL 15 for row-level security). apt runs only when one is missing.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v espeak-ng >/dev/null || missing+=(espeak-ng)
command -v sox >/dev/null || missing+=(sox)
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "==> installing system packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
