#!/usr/bin/env bash
# Debian packages the tests use: Chromium (page and room tests, driven by Playwright with
# executable_path=/usr/bin/chromium), espeak-ng + sox (speech fixtures), PostgreSQL 15
# (row-level security tests on a throw-away cluster), nftables (the room test that cuts the
# loopback's UDP), Debian's mbrola voices (the speaker tests; from contrib/non-free through a
# temporary source list, the machine's own lists untouched; best effort: without them those tests
# skip). apt runs only when something is missing.
set -euo pipefail
pg=/usr/lib/postgresql/15/bin
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
command -v sox >/dev/null 2>&1 || missing+=(sox)
[ -x /usr/sbin/nft ] || missing+=(nftables)
{ [ -x "$pg/initdb" ] && [ -x "$pg/pg_ctl" ]; } || missing+=(postgresql)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

voices=(mbrola mbrola-fr1 mbrola-fr4 mbrola-us1 mbrola-us2 mbrola-en1)
if [ ! -d /usr/share/mbrola/fr1 ] || [ ! -d /usr/share/mbrola/us2 ]; then
  echo "==> mbrola voices missing; installing them from Debian contrib/non-free (best effort)"
  extra=$(mktemp)
  echo "deb http://deb.debian.org/debian bookworm contrib non-free" > "$extra"
  apt_extra=(-o "Dir::Etc::SourceList=$extra" -o Dir::Etc::SourceParts=/dev/null)
  { $SUDO apt-get "${apt_extra[@]}" update -qq \
    && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get "${apt_extra[@]}" install -y -qq "${voices[@]}"; } \
    || echo "==> mbrola voices not installed: the speaker tests will skip"
  rm -f "$extra"
  $SUDO apt-get update -qq || true  # that update kept only the extra lists: bring the machine's own back
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "==> missing for tests: ${missing[*]}; installing with apt-get"
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium espeak-ng sox postgresql nftables
# Debian 12's `postgresql` is version 15; fail here rather than deep inside the test suite.
[ -x "$pg/initdb" ] && [ -x "$pg/pg_ctl" ] || { echo "PostgreSQL 15 binaries not found in $pg" >&2; exit 1; }
