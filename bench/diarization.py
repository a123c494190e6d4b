"""Lines grouped by voice ("Intervenant 1/2…"): accuracy on Whisper's cues, speed and memory.

    .venv/bin/python bench/diarization.py [--repeat 5]

Speech: the three-voice conversation of tests/transcription/conversation.py (mbrola us1, us2,
en1; 18 known turns, ≈ 1.5 min) and the same text in one voice. Accuracy: offline Whisper's cues
of the conversation, each cue's true speaker being whoever spoke most of it, under the best
matching of groups to people. Speed: the conversation repeated `--repeat` times, its turns as
spans, clustered by `VoiceClusters` (encoder in numpy on one BLAS thread, then clustering);
wall and CPU seconds per minute of audio. Memory: peak RSS growth of this process during it.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.transcription import conversation  # noqa: E402
from visio_core.adapters.transcription.voices import VoiceClusters  # noqa: E402
from visio_core.entrypoints.config import Settings  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def repeated(talk: conversation.Conversation, times: int, path: Path) -> conversation.Conversation:
    with wave.open(str(talk.path)) as fh:
        samples = np.frombuffer(fh.readframes(fh.getnframes()), dtype=np.int16)
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(conversation.RATE)
        fh.writeframes(np.tile(samples, times).tobytes())
    length = samples.size / conversation.RATE
    turns = tuple((who, s + n * length, e + n * length) for n in range(times) for who, s, e in talk.turns)
    return conversation.Conversation(path, turns, length * times)


def with_noise(talk: conversation.Conversation, dbfs: float, path: Path) -> conversation.Conversation:
    """The conversation under white noise at `dbfs` (a room, a fan, a poor microphone)."""
    with wave.open(str(talk.path)) as fh:
        samples = np.frombuffer(fh.readframes(fh.getnframes()), dtype=np.int16).astype(np.float64)
    noise = np.random.default_rng(1).normal(0, 32768 * 10 ** (dbfs / 20), samples.size)
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(conversation.RATE)
        fh.writeframes(np.clip(samples + noise, -32768, 32767).astype(np.int16).tobytes())
    return conversation.Conversation(path, talk.turns, talk.duration)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    settings = Settings.load()
    if not settings.voice_encoder.is_file():
        sys.exit(f"no voice encoder at {settings.voice_encoder}: run `make setup`")
    try:
        espeak = conversation.mbrola_espeak()
    except conversation.VoicesMissing as missing:
        sys.exit(str(missing))
    voices = VoiceClusters(settings.voice_encoder)
    with tempfile.TemporaryDirectory() as tmp:
        talk = conversation.build(espeak, Path(tmp) / "three.wav", conversation.TURNS)
        alone = conversation.build(espeak, Path(tmp) / "one.wav", conversation.ONE_VOICE)
        long = repeated(talk, args.repeat, Path(tmp) / "long.wav")

        voices.cluster(alone.path, [(0.0, 2.0)])  # load the weights outside the measures
        rss_before = peak_rss_mb()
        wall, cpu = time.perf_counter(), time.process_time()
        groups = voices.cluster(long.path, [(s, e) for _w, s, e in long.turns])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rss_growth = peak_rss_mb() - rss_before
        minutes = long.duration / 60
        on_turns = conversation.share_right([w for w, _s, _e in long.turns], groups)

        one = voices.cluster(alone.path, [(s, e) for _w, s, e in alone.turns])

        noisy = {}
        for dbfs in (-40, -30):
            loud = with_noise(talk, dbfs, Path(tmp) / f"noise{-dbfs}.wav")
            noisy[dbfs] = voices.cluster(loud.path, [(s, e) for _w, s, e in talk.turns])

        from visio_core.adapters.transcription.local import LocalWhisperTranscriber

        cues = LocalWhisperTranscriber(settings.whisper_model_dir).transcribe(talk.path, language="en")
        found = voices.cluster(talk.path, [(c.start, c.end) for c in cues])
        truth = [conversation.true_speaker(talk, c.start, c.end) for c in cues]
        on_cues = conversation.share_right(truth, found)

    print("| measure | value |")
    print("|---|---:|")
    print(
        f"| Whisper cues of the 3-voice conversation ({talk.duration:.0f} s, {len(cues)} cues) "
        f"put with the right person | {on_cues:.1%} |"
    )
    print(f"| speakers found there (3 spoke) | {len({g for g in found if g is not None})} |")
    print(
        f"| known turns, conversation ×{args.repeat} ({long.duration / 60:.1f} min, {len(long.turns)} turns) "
        f"| {on_turns:.1%} |"
    )
    for dbfs, found_there in noisy.items():
        print(
            f"| known turns under white noise at {dbfs} dBFS: right / speakers found | "
            f"{conversation.share_right([w for w, _s, _e in talk.turns], found_there):.1%} / "
            f"{len(set(found_there))} |"
        )
    print(
        f"| speakers found in the one-voice file ({alone.duration:.0f} s) | {len({g for g in one if g is not None})} |"
    )
    print(f"| wall time per minute of audio (s) | {wall / minutes:.2f} |")
    print(f"| CPU time per minute of audio (s) | {cpu / minutes:.2f} |")
    print(f"| peak RSS growth while clustering {long.duration / 60:.1f} min (MB) | {rss_growth:.0f} |")
    print(f"| peak RSS of the process (MB) | {peak_rss_mb():.0f} |")


if __name__ == "__main__":
    main()
