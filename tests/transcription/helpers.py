"""Speech and media makers and tolerant word checks shared by the transcription tests."""

from __future__ import annotations

import difflib
import secrets
import subprocess
import wave
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

API_KEY = "sk-test-" + secrets.token_hex(12)  # generated per run: no key-like constant in git

FRENCH = (
    "Bonjour à tous. Le projet commence lundi. Merci beaucoup. "
    "Nous allons parler du budget de l'année prochaine et des nouveaux clients."
)
FRENCH_WORDS = ("bonjour", "projet", "merci", "budget", "client")

ENGLISH = "Hello everyone. Today we talk about the garden and the kitchen. Thank you very much."
ENGLISH_WORDS = ("hello", "garden", "kitchen", "thank")

# One sentence a line, with a distinct keyword each: what a chunked transcript must keep.
LONG_ENGLISH = [
    ("Good morning everyone, welcome to the weekly meeting.", "morning"),
    ("The first topic today is the new garden behind the office.", "garden"),
    ("We need to buy more chairs for the kitchen.", "kitchen"),
    ("The second topic is the budget for the next year.", "budget"),
    ("Our sales went up in the spring.", "spring"),
    ("The third topic is the summer holiday schedule.", "summer"),
    ("Please send your holiday dates before the end of the month.", "month"),
    ("The fourth topic is the computer security training.", "computer"),
    ("The training will take place in the large meeting room.", "training"),
    ("The fifth topic is the company football tournament.", "football"),
    ("Our team will play against the marketing department.", "marketing"),
    ("The last topic is the chocolate cake for the party.", "chocolate"),
    ("Thank you all for listening, and have a nice weekend.", "weekend"),
]
GAP_SECONDS = 0.8

OPERATOR, CLIENT = "MiKL", "Claire Martin"

# Two people taking turns, each with his own mbrola voice: (operator voice, client voice), turns.
TWO_SPEAKERS = {
    "fr": (
        ("mb-fr1", "mb-fr4"),
        [
            (OPERATOR, "Bonjour Claire, merci d'être venue à cette réunion."),
            (CLIENT, "Bonjour, je vous présente les résultats du premier trimestre."),
            (OPERATOR, "Les ventes de la boutique en ligne ont beaucoup augmenté cette année."),
            (CLIENT, "Nous avons aussi recruté deux nouveaux développeurs au mois de mars."),
            (OPERATOR, "Très bien, il faudra préparer le budget pour la rentrée."),
            (CLIENT, "Je vous envoie le document complet avant vendredi soir."),
            (OPERATOR, "Parfait, passez une excellente journée."),
            (CLIENT, "Merci beaucoup, à la semaine prochaine."),
        ],
    ),
    "en": (
        ("mb-us2", "mb-us1"),
        [
            (OPERATOR, "Good morning Claire, thank you for joining the meeting today."),
            (CLIENT, "Good morning, I would like to present the results of the first quarter."),
            (OPERATOR, "The online shop sold many more products this year."),
            (CLIENT, "We also hired two new developers in the month of March."),
            (OPERATOR, "Very good, we need to prepare the budget for the autumn."),
            (CLIENT, "I will send you the full report before Friday evening."),
            (OPERATOR, "Perfect, have a wonderful day."),
            (CLIENT, "Thank you very much, see you next week."),
        ],
    ),
}


@dataclass(frozen=True)
class Speech:
    path: Path
    duration: float
    silences: tuple[tuple[float, float], ...] = ()  # (start, end) of the pauses between sentences


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as fh:
        return np.frombuffer(fh.readframes(fh.getnframes()), dtype=np.int16), fh.getframerate()


def write_wav(path: Path, samples: np.ndarray, rate: int) -> None:
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes(samples.astype(np.int16).tobytes())


def say(espeak: str, directory: Path, name: str, text: str, voice: str, speed: int, pad: float) -> Speech:
    raw = directory / f"{name}.raw.wav"
    subprocess.run([espeak, "-v", voice, "-s", str(speed), "-w", str(raw), text], check=True)
    samples, rate = read_wav(raw)
    silence = np.zeros(int(rate * pad), dtype=np.int16)
    out = directory / f"{name}.wav"
    write_wav(out, np.concatenate([silence, samples, silence]), rate)
    return Speech(out, (samples.size + 2 * silence.size) / rate)


def write_media(
    path: Path,
    speech: Speech | None,
    *,
    video: str | None,
    audio: str | None,
    audio_start: float = 0.0,
    seconds: float | None = None,
) -> Path:
    """A media file made with PyAV: `video` codec (libx264, libvpx-vp9) with moving frames,
    `audio` codec (aac, libopus) carrying `speech` shifted by `audio_start` seconds."""
    seconds = seconds or (speech.duration + audio_start if speech else 2.0)
    with av.open(str(path), "w") as out:
        vstream = astream = None
        if video:
            vstream = out.add_stream(video, rate=10)
            vstream.width, vstream.height, vstream.pix_fmt = 160, 120, "yuv420p"
        if audio:
            astream = out.add_stream(audio, rate=48000)
            astream.layout = "mono"
        if vstream:
            for i in range(int(seconds * 10)):
                image = np.full((120, 160, 3), (i * 7) % 255, dtype=np.uint8)
                frame = av.VideoFrame.from_ndarray(image, format="rgb24")
                frame.pts = i
                out.mux(vstream.encode(frame))
            out.mux(vstream.encode(None))
        if astream and speech:
            samples, rate = read_wav(speech.path)
            resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
            source = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
            source.sample_rate = rate
            data = np.concatenate(
                [f.to_ndarray().reshape(-1) for f in resampler.resample(source)]
                + [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
            )
            start = int(audio_start * 48000)
            for offset in range(0, data.size, 960):
                block = data[offset : offset + 960]
                frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="mono")
                frame.sample_rate = 48000
                frame.time_base = Fraction(1, 48000)
                frame.pts = start + offset
                out.mux(astream.encode(frame))
            out.mux(astream.encode(None))
    return path


def words_in(text: str) -> set[str]:
    """Lower-case words without accents, for tolerant comparisons."""
    import re
    import unicodedata

    flat = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return set(re.findall(r"[a-z0-9]+", flat))


def found(text: str, expected) -> set[str]:
    """The expected words (accents ignored, plural s tolerated) that appear in text."""
    present = words_in(text)
    return {w for w in expected if any(p == w or p == w + "s" or p.startswith(w) for p in present)}


def attribution(cues: list[dict], turns: list[tuple[str, str]]) -> tuple[int, int, int]:
    """(words found in both, of them named right, words in the script once).

    The script is taken twice: the end of a pass the room heard only in part may come first."""
    said = [(word, speaker) for speaker, sentence in turns for word in _words(sentence)] * 2
    heard = [(word, cue.get("speaker")) for cue in cues for word in _words(cue["text"])]
    matcher = difflib.SequenceMatcher(None, [w for w, _ in said], [w for w, _ in heard], autojunk=False)
    found = right = 0
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            found += 1
            right += said[block.a + k][1] == heard[block.b + k][1]
    return found, right, len(said) // 2


def _words(text: str) -> list[str]:
    """Words in order, lower case, accents removed (words_in gives them as a set)."""
    import re
    import unicodedata

    flat = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", flat)


def require_mbrola(voices: tuple[str, ...]) -> None:
    import shutil

    import pytest

    listed = subprocess.run(["espeak-ng", "--voices=mb"], capture_output=True, text=True).stdout
    if (
        shutil.which("mbrola") is None
        or any(f"mb/{v} " not in listed for v in voices)
        or any(not Path(f"/usr/share/mbrola/{v[3:]}").exists() for v in voices)
    ):
        pytest.skip(f"mbrola voices {voices} are not installed (docs/PERFORMANCE.md has the command)")
