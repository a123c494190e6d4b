"""Word error rate, speed and memory of offline transcription: ours vs plain faster-whisper.

    .venv/bin/python bench/wer.py [--languages fr en] [--hour]

For each language, a meeting of 3+ minutes (bench/wer_texts.py: several speakers, names,
numbers) spoken by espeak-ng with Debian's mbrola voices (bench/wer_speech.py; nothing is
downloaded, and without mbrola the bench stops and says how to install it) is transcribed
with the same model (whisper-base int8, 2 CPU threads, beam 5, language given) by:

- `WhisperModel.transcribe` with its defaults (sequential, no VAD): the reference;
- faster-whisper's BatchedInferencePipeline as LocalWhisperTranscriber used it before
  (VAD windows, batches of 8, word timestamps);
- LocalWhisperTranscriber as it is now;
- `--variants before`: LocalWhisperTranscriber as it was before it gave Whisper the
  transcript so far (no previous text, batches of 3).

Each run is its own process, so its peak RSS (ru_maxrss, model included) is its own. The
markdown table gives WER (bench/wer_metric.py: word-level Levenshtein on normalised text),
its substitutions / deletions / insertions, the runs of 4+ consecutive words missing
(a dropped sentence), wall time, CPU time (user + system, all threads: it moves far less
than wall time when other processes share the cores), real-time factor (wall time / audio
time) and peak RSS. The speed rows give plain / ours for wall and CPU time.
`--hour` adds LocalWhisperTranscriber on an hour of the French meeting repeated (≈ 6 min).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from wer_metric import error_counts, missing_runs, words  # noqa: E402
from wer_speech import MbrolaMissing, build  # noqa: E402
from wer_texts import KEY_SENTENCE  # noqa: E402

VARIANTS = {
    "plain": "`WhisperModel.transcribe` (beam 5, sequential, no VAD)",
    "batched": "previous pipeline (BatchedInferencePipeline, VAD, ×8, word timestamps)",
    "ours": "LocalWhisperTranscriber now",
    "before": "LocalWhisperTranscriber without previous text, batches of 3 (as before)",
}


def _child(variant: str, language: str, audio: str) -> None:
    """One variant in this process; prints a JSON line."""
    from visio_core.adapters.transcription.local import LocalWhisperTranscriber
    from visio_core.adapters.transcription.whisper_model import load_model
    from visio_core.entrypoints.config import Settings

    model_dir = Settings.load().whisper_model_dir
    model = load_model(model_dir)
    list(model.transcribe(np.zeros(16000, dtype=np.float32), language=language)[0])  # warm-up
    extra: dict[str, object] = {}
    cpu_started = time.process_time()
    started = time.perf_counter()
    if variant == "plain":
        segments, _info = model.transcribe(audio, language=language, beam_size=5)
        text = " ".join(segment.text for segment in segments)
    elif variant == "batched":
        from faster_whisper import BatchedInferencePipeline

        segments, _info = BatchedInferencePipeline(model).transcribe(
            audio,
            language=language,
            beam_size=5,
            batch_size=8,
            vad_filter=True,
            without_timestamps=False,
            word_timestamps=True,
        )
        text = " ".join(segment.text for segment in segments)
    else:
        transcriber = (
            LocalWhisperTranscriber(model_dir)
            if variant == "ours"
            else LocalWhisperTranscriber(model_dir, batch_size=3, context_tokens=0)
        )
        run = transcriber.start(language=language)
        text = " ".join(cue.text for cue in run.transcribe(Path(audio)))
        extra["redecoded"] = run.redecoded
    seconds = time.perf_counter() - started
    extra["cpu"] = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"text": text, "seconds": seconds, "peak_mb": peak_mb, **extra}))


def _run(variant: str, language: str, audio: Path) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", variant, language, str(audio)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _duration(path: Path) -> float:
    with wave.open(str(path)) as fh:
        return fh.getnframes() / fh.getframerate()


def _hour_of(path: Path, out: Path) -> Path:
    """The recording repeated up to an hour, as Opus (what a worker gets from extract_audio)."""
    from visio_core.adapters.transcription.audio import extract_audio

    target = out / f"{path.stem}-hour.ogg"
    if target.exists():
        return target
    with wave.open(str(path)) as fh:
        one = np.frombuffer(fh.readframes(fh.getnframes()), dtype=np.int16)
        rate = fh.getframerate()
    long_wav = out / f"{path.stem}-hour.tmp.wav"
    with wave.open(str(long_wav), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        for _ in range(int(np.ceil(3600 * rate / one.size))):
            fh.writeframes(one.tobytes())
    extract_audio(long_wav, target)
    long_wav.unlink()
    return target


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        _child(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--languages", nargs="+", choices=["fr", "en"], default=["fr", "en"])
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=["plain", "batched", "ours"])
    parser.add_argument("--hour", action="store_true", help="also an hour of French through LocalWhisperTranscriber")
    args = parser.parse_args()

    from visio_core.entrypoints.config import Settings

    out = Settings.load().data_dir / "bench"
    try:
        recordings = {language: build(language, out) for language in args.languages}
    except MbrolaMissing as error:
        sys.exit(f"bench/wer.py needs Debian's mbrola voices; nothing was measured.\n{error}")

    rows = []
    for language, (audio, reference, duration) in recordings.items():
        results = {}
        for variant in args.variants:
            result = _run(variant, language, audio)
            results[variant] = result
            counts = error_counts(reference, result["text"], language)
            lost = missing_runs(reference, result["text"], language)
            wer = (counts["s"] + counts["d"] + counts["i"]) / counts["n"]
            note = f"{result['redecoded']} re-decoded" if "redecoded" in result else ""
            if language == "en":
                said = set(words(result["text"], language))
                kept = {"freelance", "photographer", "product", "pictures"} <= said
                note = ", ".join(filter(None, [note, f"photographer sentence {'kept' if kept else 'LOST'}"]))
            rows.append(
                (
                    language,
                    VARIANTS[variant],
                    f"{wer:.1%}",
                    f"{counts['s']}/{counts['d']}/{counts['i']}",
                    str(len(lost)),
                    f"{result['seconds']:.1f}",
                    f"{result['cpu']:.1f}",
                    f"{result['seconds'] / duration:.3f}",
                    f"{result['peak_mb']:.0f}",
                    note,
                )
            )
            print(f"{language} {variant}: WER {wer:.1%}, {result['seconds']:.1f} s, lost: {lost}", file=sys.stderr)
        if "plain" in results and "ours" in results:
            wall = results["plain"]["seconds"] / results["ours"]["seconds"]
            cpu = results["plain"]["cpu"] / results["ours"]["cpu"]
            rows.append((language, "speed: plain / ours", "", "", "", f"{wall:.2f}×", f"{cpu:.2f}×", "", "", ""))
        print(f"{language}: {duration:.0f} s of audio, {len(words(reference, language))} words", file=sys.stderr)

    if args.hour:
        audio = _hour_of(recordings.get("fr", build("fr", out))[0], out)
        from visio_core.adapters.transcription.audio import probe_duration

        result = _run("ours", "fr", audio)
        hour = probe_duration(audio)
        rows.append(
            (
                f"fr, {hour / 60:.0f} min (repeated)",
                VARIANTS["ours"],
                "",
                "",
                "",
                f"{result['seconds']:.0f}",
                f"{result['cpu']:.0f}",
                f"{result['seconds'] / hour:.3f}",
                f"{result['peak_mb']:.0f}",
                f"{result['redecoded']} re-decoded",
            )
        )

    header = (
        "language",
        "variant",
        "WER",
        "subst./del./ins.",
        "runs of 4+ words lost",
        "wall (s)",
        "CPU (s)",
        "RTF",
        "peak RSS (MB)",
        "",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] * 2 + ["---:"] * 7 + ["---"]) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f'\n(English check sentence: "{KEY_SENTENCE}")')


if __name__ == "__main__":
    main()
