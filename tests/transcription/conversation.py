"""A conversation with known turns, spoken by distinct espeak-ng/mbrola voices, and a way to score
how many cues a diarization put with the right person."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

RATE = 16000
# Three voices that differ as people do: a woman (US), a man (US), a man (British).
VOICES = {"Alice": ("mb-us1", 150), "Bob": ("mb-us2", 140), "Carl": ("mb-en1", 145)}
TURNS = [
    ("Alice", "Good morning everyone, thank you for joining the weekly review."),
    ("Bob", "Good morning. I have the sales figures for the last quarter ready."),
    ("Alice", "Great, let us start with those before we talk about the new office."),
    ("Bob", "Sales went up by twelve percent, mostly thanks to the spring campaign."),
    ("Carl", "That is good news. Did the online shop contribute as much as we hoped?"),
    ("Bob", "Almost. The online shop brought one third of the new customers."),
    ("Alice", "Carl, can you tell us where we are with the move to the new building?"),
    ("Carl", "Of course. The painters finish on Friday and the furniture arrives next Tuesday."),
    ("Carl", "We still need to choose a company for the internet connection."),
    ("Alice", "Let us decide that today, so that nobody works without a network next month."),
    ("Bob", "I received two offers. The cheaper one cannot install before the end of the month."),
    ("Carl", "Then we should take the other one, even if it costs a little more."),
    ("Alice", "I agree. Bob, please send them the signed contract this afternoon."),
    ("Bob", "I will do it right after this meeting."),
    ("Carl", "One more thing: the parking spaces are shared with the bakery downstairs."),
    ("Alice", "Fine, we will write a short note for everyone about the parking rules."),
    ("Bob", "Should we also plan a small party for the opening of the new office?"),
    ("Alice", "Yes, let us plan it for the first Friday after the move. Thank you all."),
]
ONE_VOICE = [("Alice", text) for _speaker, text in TURNS[:8]]


class VoicesMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Conversation:
    path: Path
    turns: tuple[tuple[str, float, float], ...]  # (speaker, start, end) in seconds
    duration: float


def mbrola_espeak() -> str:
    """espeak-ng once every voice above speaks; VoicesMissing (with how to install them) otherwise."""
    espeak = shutil.which("espeak-ng")
    if espeak is None or shutil.which("mbrola") is None:
        raise VoicesMissing("espeak-ng and mbrola are needed for distinct voices")
    for voice, _speed in VOICES.values():
        probe = subprocess.run([espeak, "-v", voice, "--stdout", "test"], capture_output=True)
        if probe.returncode != 0 or len(probe.stdout) < 1000:
            raise VoicesMissing(f"mbrola voice {voice} is not installed (Debian: mbrola-{voice[3:]})")
    return espeak


def _say(espeak: str, voice: str, speed: int, text: str, tmp: Path) -> np.ndarray:
    subprocess.run([espeak, "-v", voice, "-s", str(speed), "-w", str(tmp), text], check=True, capture_output=True)
    with wave.open(str(tmp)) as fh:
        samples = np.frombuffer(fh.readframes(fh.getnframes()), dtype=np.int16)
        rate = fh.getframerate()
    if rate == RATE:
        return samples
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    return np.concatenate([f.to_ndarray().reshape(-1) for f in [*resampler.resample(frame), *resampler.resample(None)]])


def build(espeak: str, path: Path, turns: list[tuple[str, str]]) -> Conversation:
    """The turns spoken one after the other, with pauses of 0.4 to 1.1 s (the same on every run)."""
    pauses = itertools.cycle([0.6, 0.9, 0.4, 1.1, 0.7])
    parts = [np.zeros(RATE // 2, dtype=np.int16)]
    position = parts[0].size
    timed = []
    for speaker, text in turns:
        voice, speed = VOICES[speaker]
        samples = _say(espeak, voice, speed, text, path.with_suffix(".tmp.wav"))
        timed.append((speaker, position / RATE, (position + samples.size) / RATE))
        gap = np.zeros(int(RATE * next(pauses)), dtype=np.int16)
        parts += [samples, gap]
        position += samples.size + gap.size
    path.with_suffix(".tmp.wav").unlink(missing_ok=True)
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(RATE)
        fh.writeframes(np.concatenate(parts).tobytes())
    return Conversation(path, tuple(timed), position / RATE)


def true_speaker(conversation: Conversation, start: float, end: float) -> str | None:
    """Who spoke most of the span (None when nobody did)."""
    overlap = {}
    for speaker, s, e in conversation.turns:
        overlap[speaker] = overlap.get(speaker, 0.0) + max(0.0, min(end, e) - max(start, s))
    best = max(overlap, key=lambda name: overlap[name])
    return best if overlap[best] > 0 else None


def share_right(truth: list[str | None], found: list[str | None]) -> float:
    """The share of spans whose found label is the truth, under the best matching of labels to people."""
    labels = sorted({f for f in found if f is not None})
    people = sorted({t for t in truth if t is not None})
    best = 0
    for chosen in itertools.permutations(people + [None] * len(labels), len(labels)):
        mapping = dict(zip(labels, chosen, strict=True))
        best = max(best, sum(1 for t, f in zip(truth, found, strict=True) if t is not None and mapping.get(f) == t))
    counted = sum(1 for t in truth if t is not None)
    return best / counted if counted else 1.0
