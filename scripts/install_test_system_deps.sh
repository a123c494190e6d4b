#!/usr/bin/env bash
# Debian packages the tests use: Chromium (page and room tests, driven by Playwright with
# executable_path=/usr/bin/chromium), espeak-ng + sox (speech fixtures), PostgreSQL 15
# (row-level security tests on a throw-away cluster), nftables (the room test that cuts the
# loopback's UDP). apt runs only when something is missing.
set -euo pipefail
pg=/usr/lib/postgresql/15/bin
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
command -v sox >/dev/null 2>&1 || missing+=(sox)
[ -x /usr/sbin/nft ] || missing+=(nftables)
{ [ -x "$pg/initdb" ] && [ -x "$pg/pg_ctl" ]; } || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "==> missing for tests: ${missing[*]}; installing with apt-get"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium espeak-ng sox postgresql nftables
# Debian 12's `postgresql` is version 15; fail here rather than deep inside the test suite.
[ -x "$pg/initdb" ] && [ -x "$pg/pg_ctl" ] || { echo "PostgreSQL 15 binaries not found in $pg" >&2; exit 1; }
