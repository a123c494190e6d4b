"""Meeting recordings for bench/wer.py, spoken by espeak-ng with Debian's mbrola voices.

Each turn of wer_texts.py is synthesised with its speaker's voice, resampled to 16 kHz and
joined with pauses of 0.3–2.5 s (seeded, so every run builds the same file); a faint noise
floor (≈ −60 dBFS) stands in for a room. The WAV and its reference text are cached in
data/bench/ under a hash of everything that shapes them.

Plain espeak-ng voices are not a fallback: they measure the synthetic voice (≈ 75 % WER in
French), not the transcriber. Without mbrola the bench stops and says how to install it.
Run on its own, this module builds both recordings and prints their length.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wer_texts import SCRIPTS  # noqa: E402

RATE = 16000
INSTALL_HINT = (
    "echo 'deb http://deb.debian.org/debian bookworm contrib non-free' > /tmp/extra.list\n"
    "apt-get -o Dir::Etc::SourceList=/tmp/extra.list -o Dir::Etc::SourceParts=/dev/null update\n"
    "apt-get -o Dir::Etc::SourceList=/tmp/extra.list -o Dir::Etc::SourceParts=/dev/null "
    "install -y mbrola mbrola-fr1 mbrola-fr4 mbrola-us1 mbrola-us2 mbrola-en1"
)


class MbrolaMissing(RuntimeError):
    pass


def _voices_needed(language: str) -> set[str]:
    return {voice for voice, _speed, _pitch in SCRIPTS[language][1].values()}


def check_voices(language: str) -> str:
    """The espeak-ng executable, once every mbrola voice of `language` is known to work."""
    espeak = shutil.which("espeak-ng")
    if espeak is None or shutil.which("mbrola") is None:
        raise MbrolaMissing("espeak-ng and mbrola are required (Debian contrib/non-free):\n" + INSTALL_HINT)
    for voice in sorted(_voices_needed(language)):
        probe = subprocess.run([espeak, "-v", voice, "--stdout", "test"], capture_output=True)
        if probe.returncode != 0 or len(probe.stdout) < 1000:
            raise MbrolaMissing(f"mbrola voice {voice} is not installed (package mbrola-{voice[3:]}):\n" + INSTALL_HINT)
    return espeak


def _to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    if rate == RATE:
        return samples
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    out = [*resampler.resample(frame), *resampler.resample(None)]
    return np.concatenate([f.to_ndarray().reshape(-1) for f in out])


def _synthesise(espeak: str, voice: str, speed: int, pitch: int, text: str, tmp: Path) -> np.ndarray:
    subprocess.run(
        [espeak, "-v", voice, "-s", str(speed), "-p", str(pitch), "-a", "60", "-w", str(tmp), text],
        check=True,
        capture_output=True,
    )  # mbrola prints "Saturation" notes on stderr
    with wave.open(str(tmp)) as fh:
        samples = np.frombuffer(fh.readframes(fh.getnframes()), dtype=np.int16)
        return _to_16k(samples, fh.getframerate())


def build(language: str, out_dir: Path) -> tuple[Path, str, float]:
    """(wav path, reference text, duration in seconds) of the meeting in `language`."""
    turns, voices = SCRIPTS[language]
    key = hashlib.sha256(json.dumps([turns, voices, RATE, 2], sort_keys=True).encode()).hexdigest()[:12]
    wav, ref = out_dir / f"wer-{language}-{key}.wav", out_dir / f"wer-{language}-{key}.txt"
    if wav.exists() and ref.exists():
        with wave.open(str(wav)) as fh:
            return wav, ref.read_text(), fh.getnframes() / fh.getframerate()
    espeak = check_voices(language)
    out_dir.mkdir(parents=True, exist_ok=True)
    rnd = random.Random(f"wer-{language}")
    tmp = out_dir / f"wer-{language}.tmp.wav"
    parts = [np.zeros(RATE // 2, dtype=np.int16)]
    for speaker, text in turns:
        voice, speed, pitch = voices[speaker]
        parts += [
            _synthesise(espeak, voice, speed, pitch, text, tmp),
            np.zeros(int(RATE * rnd.uniform(0.3, 2.5)), dtype=np.int16),
        ]
    tmp.unlink(missing_ok=True)
    speech = np.concatenate(parts).astype(np.float32)
    noise = np.random.default_rng(7).normal(0, 32768 * 10 ** (-60 / 20), speech.size)
    samples = np.clip(speech + noise, -32768, 32767).astype(np.int16)
    with wave.open(str(wav), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(RATE)
        fh.writeframes(samples.tobytes())
    reference = "\n".join(text for _speaker, text in turns) + "\n"
    ref.write_text(reference)
    return wav, reference, samples.size / RATE


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from visio_core.entrypoints.config import Settings

    target = Settings.load().data_dir / "bench"
    for code in SCRIPTS:
        try:
            path, _text, seconds = build(code, target)
        except MbrolaMissing as error:
            sys.exit(str(error))
        print(f"{code}: {seconds:.1f} s in {path}")
