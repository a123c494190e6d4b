#!/usr/bin/env python3
"""Take Resemblyzer's voice encoder weights out of its PyPI wheel into models/voice-encoder.

Resemblyzer 0.1.4 (Apache-2.0) ships `pretrained.pt` (17 MB) inside its wheel. The package
itself is not installed (it needs torch, whose PyPI wheel pulls gigabytes of CUDA): pip only
downloads the wheel, without dependencies, and the weights and licence are extracted and
checked by sha256. Visio reads them in numpy (visio_core/adapters/transcription/voice_encoder.py).
Without them, imported recordings simply get no "Intervenant N" labels.

    python scripts/fetch_voice_encoder.py [--target DIR]
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

WHEEL = "resemblyzer==0.1.4"
WHEEL_SHA256 = "8f12eb2f1a9982d32e8db7856de754709b59c93a77bcf0ff536584b619a9dd1f"
WEIGHTS_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TARGET = ROOT / "models" / "voice-encoder"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                WHEEL,
                "--no-deps",
                "--only-binary=:all:",
                "--quiet",
                "--dest",
                tmp,
            ],
            check=True,
        )
        wheels = list(Path(tmp).glob("*.whl"))
        if len(wheels) != 1 or sha256_of(wheels[0]) != WHEEL_SHA256:
            sys.exit(f"fetch_voice_encoder: {WHEEL} wheel missing or not the expected one (sha256)")
        target.mkdir(parents=True, exist_ok=True)
        partial = target / "pretrained.pt.partial"
        with zipfile.ZipFile(wheels[0]) as wheel:
            partial.write_bytes(wheel.read("resemblyzer/pretrained.pt"))
            (target / "LICENSE").write_bytes(wheel.read("Resemblyzer-0.1.4.dist-info/LICENSE"))
    if sha256_of(partial) != WEIGHTS_SHA256:
        partial.unlink()
        sys.exit("fetch_voice_encoder: pretrained.pt does not have the expected sha256")
    os.replace(partial, target / "pretrained.pt")
    print(f"voice encoder ready in {target}")


def main(argv: list[str]) -> int:
    target = Path(argv[argv.index("--target") + 1]) if "--target" in argv else DEFAULT_TARGET
    weights = target / "pretrained.pt"
    stamp = target / ".sha256"
    st = weights.stat() if weights.is_file() else None
    expected = f"{WEIGHTS_SHA256} {st.st_size} {int(st.st_mtime)}\n" if st else ""
    if st and stamp.is_file() and stamp.read_text() == expected:
        return 0
    if not (st and sha256_of(weights) == WEIGHTS_SHA256):
        fetch(target)
    st = weights.stat()
    stamp.write_text(f"{WEIGHTS_SHA256} {st.st_size} {int(st.st_mtime)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
