#!/usr/bin/env bash
# Idempotent setup: virtualenv, pinned packages, offline Whisper model, voice encoder, npm assets.
# Each step is skipped when its inputs have not changed since it last succeeded.
set -euo pipefail
cd "$(dirname "$0")/.."

want_dev=0
[ "${1:-}" = "--dev" ] && want_dev=1

PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi

install_if_changed() {  # $1: requirements file, $2: stamp name
  local stamp=".venv/.stamp-$2"
  local sum
  sum=$(cat requirements.txt "$1" | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
    echo "==> installing $1"
    .venv/bin/python -m pip install --quiet -r "$1"
    echo "$sum" > "$stamp"
  fi
}
install_if_changed requirements.txt runtime
[ "$want_dev" = 1 ] && install_if_changed requirements-dev.txt dev

.venv/bin/python scripts/assemble_model.py
# Voice encoder for "Intervenant 1/2…" on imported recordings: optional, so a failure only warns.
.venv/bin/python scripts/fetch_voice_encoder.py || \
  echo "voice encoder not fetched: imported recordings will carry no speaker labels" >&2

# espeak-ng voices the demo meeting's recording (make run): Debian's speech synthesiser, no download.
if ! command -v espeak-ng >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  echo "==> installing espeak-ng (Debian package) for the demo recording"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq espeak-ng || \
    echo "espeak-ng could not be installed: the demo meeting will have no recording" >&2
fi

vendor=visio_core/entrypoints/assets
bundle=node_modules/openvidu-browser/static/js/openvidu-browser-2.32.2.min.js
lock_sum=$(sha256sum package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ ! -f "$bundle" ] || [ "$(cat node_modules/.visio-lock 2>/dev/null)" != "$lock_sum" ]; then
  if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
    echo "==> installing nodejs and npm (Debian packages)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
  fi
  command -v npm >/dev/null 2>&1 || { echo "npm is required (Debian: apt-get install nodejs npm)" >&2; exit 1; }
  echo "==> installing npm assets"
  npm ci --no-audit --no-fund --loglevel=error
  [ -f "$bundle" ] || { echo "npm ci did not produce $bundle" >&2; exit 1; }
  echo "$lock_sum" > node_modules/.visio-lock
fi
mkdir -p "$vendor"
cmp -s "$bundle" "$vendor/openvidu-browser-2.32.2.min.js" || cp "$bundle" "$vendor/openvidu-browser-2.32.2.min.js"
