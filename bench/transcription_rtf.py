"""Real-time factor of offline transcription: the project's pipeline vs plain faster-whisper.

    .venv/bin/python bench/transcription_rtf.py [--minutes 10] [--language fr]

Builds (once, cached in data/bench/) a recording of at least `--minutes` of
varied espeak-ng speech with pauses, then transcribes it with the same loaded
model (int8, 2 CPU threads) in several ways and prints a markdown table:
wall time, RTF (= processing time / audio time, lower is better), number of
segments, longest segment, and word error rate against the spoken script.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import shutil
import subprocess
import sys
import time
import unicodedata
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from visio_core.adapters.transcription.local import LocalWhisperTranscriber  # noqa: E402
from visio_core.adapters.transcription.whisper_model import load_model  # noqa: E402
from visio_core.entrypoints.config import Settings  # noqa: E402

VOCAB = {
    "fr": {
        "voice": "fr",
        "speed": 115,
        "subjects": [
            "Le directeur",
            "Notre équipe",
            "Marie",
            "Pierre",
            "Le client de Lyon",
            "La société",
            "Le service technique",
            "Chaque participant",
            "Le comité",
            "Notre partenaire",
        ],
        "verbs": [
            "présente",
            "prépare",
            "vérifie",
            "envoie",
            "termine",
            "organise",
            "explique",
            "propose",
            "modifie",
            "valide",
        ],
        "objects": [
            "le budget de l'année prochaine",
            "le nouveau site internet",
            "la formation de mars",
            "le contrat de maintenance",
            "les chiffres du trimestre",
            "le planning des vacances",
            "la réunion de lundi",
            "le rapport de sécurité",
            "la facture du fournisseur",
            "le projet de rénovation",
        ],
        "ends": [
            "avant la fin du mois.",
            "pour la semaine prochaine.",
            "dès demain matin.",
            "avec toute l'équipe.",
            "comme prévu.",
            "sans attendre.",
            "après la pause.",
            "pendant la réunion.",
        ],
    },
    "en": {
        "voice": "en",
        "speed": 150,
        "subjects": [
            "The director",
            "Our team",
            "Mary",
            "Peter",
            "The client in London",
            "The company",
            "The technical department",
            "Every participant",
            "The committee",
            "Our partner",
        ],
        "verbs": [
            "presents",
            "prepares",
            "checks",
            "sends",
            "finishes",
            "organises",
            "explains",
            "proposes",
            "changes",
            "approves",
        ],
        "objects": [
            "the budget for next year",
            "the new website",
            "the training in March",
            "the maintenance contract",
            "the quarterly figures",
            "the holiday schedule",
            "the Monday meeting",
            "the security report",
            "the supplier invoice",
            "the renovation project",
        ],
        "ends": [
            "before the end of the month.",
            "for next week.",
            "tomorrow morning.",
            "with the whole team.",
            "as planned.",
            "without waiting.",
            "after the break.",
            "during the meeting.",
        ],
    },
}


def sentences(language: str, seed: int = 7):
    vocab, rnd = VOCAB[language], random.Random(seed)
    while True:
        yield " ".join(
            [
                rnd.choice(vocab["subjects"]),
                rnd.choice(vocab["verbs"]),
                rnd.choice(vocab["objects"]),
                rnd.choice(vocab["ends"]),
            ]
        )


def build_recording(language: str, minutes: float, out_dir: Path) -> tuple[Path, str, float]:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        sys.exit("espeak-ng is required (apt-get install espeak-ng)")
    vocab = VOCAB[language]
    key = hashlib.sha256(json.dumps([language, minutes, vocab], sort_keys=True).encode()).hexdigest()[:12]
    wav, script_file = out_dir / f"speech-{language}-{key}.wav", out_dir / f"speech-{language}-{key}.txt"
    if wav.exists() and script_file.exists():
        with wave.open(str(wav)) as fh:
            return wav, script_file.read_text(), fh.getnframes() / fh.getframerate()
    out_dir.mkdir(parents=True, exist_ok=True)
    rnd, parts, script, total, rate = random.Random(11), [], [], 0, 22050
    tmp = out_dir / "sentence.tmp.wav"
    for sentence in sentences(language):
        subprocess.run([espeak, "-v", vocab["voice"], "-s", str(vocab["speed"]), "-w", str(tmp), sentence], check=True)
        with wave.open(str(tmp)) as fh:
            rate = fh.getframerate()
            samples = np.frombuffer(fh.readframes(fh.getnframes()), dtype=np.int16)
        pause = np.zeros(int(rate * rnd.uniform(0.3, 1.5)), dtype=np.int16)
        parts += [samples, pause]
        script.append(sentence)
        total += samples.size + pause.size
        if total >= minutes * 60 * rate:
            break
    tmp.unlink(missing_ok=True)
    with wave.open(str(wav), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes(np.concatenate(parts).tobytes())
    script_file.write_text("\n".join(script) + "\n")
    return wav, script_file.read_text(), total / rate


def _words(text: str) -> list[str]:
    flat = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", flat)


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = _words(reference), _words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        previous, row[0] = row[0], i
        for j in range(1, len(hyp) + 1):
            current = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (ref[i - 1] != hyp[j - 1]))
            previous = current
    return row[len(hyp)] / max(1, len(ref))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--language", choices=sorted(VOCAB), default="fr")
    args = parser.parse_args()

    settings = Settings.load()
    path, script, duration = build_recording(args.language, args.minutes, settings.data_dir / "bench")
    started = time.perf_counter()
    model = load_model(settings.whisper_model_dir)
    load_seconds = time.perf_counter() - started
    pipeline = LocalWhisperTranscriber(settings.whisper_model_dir)
    # warm-up on a few seconds so no variant pays first-call costs
    list(model.transcribe(str(path), language=args.language, clip_timestamps=[0, 5])[0])

    def plain(**options):
        def run():
            segments, _ = model.transcribe(str(path), language=args.language, **options)
            return [(s.start, s.end, s.text) for s in segments]

        return run

    def ours():
        return [(c.start, c.end, c.text) for c in pipeline.transcribe(path, language=args.language)]

    variants = [
        ("WhisperModel.transcribe (defaults: beam 5, no VAD)", plain()),
        ("WhisperModel.transcribe + vad_filter", plain(vad_filter=True)),
        (f"visio pipeline (batched ×{pipeline.batch_size}, VAD, timestamps)", ours),
    ]
    rows = []
    for name, run in variants:
        started = time.perf_counter()
        segments = run()
        seconds = time.perf_counter() - started
        rows.append(
            (
                name,
                seconds,
                seconds / duration,
                len(segments),
                max((end - start for start, end, _ in segments), default=0.0),
                word_error_rate(script, " ".join(text for _, _, text in segments)),
            )
        )
        print(f"done: {name} in {seconds:.1f} s", file=sys.stderr)

    print(
        f"\nAudio: {duration / 60:.1f} min of espeak-ng speech ({args.language}), {path.name}; "
        f"model {settings.whisper_model_dir.name} int8, 2 CPU threads, loaded in {load_seconds:.1f} s.\n"
    )
    print("| variant | wall time (s) | RTF | segments | longest segment (s) | WER |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, seconds, rtf, count, longest, wer in rows:
        print(f"| {name} | {seconds:.1f} | {rtf:.3f} | {count} | {longest:.1f} | {wer:.1%} |")
    base = rows[0][1]
    print(f"\nSpeed-up of the pipeline over plain transcribe: ×{base / rows[-1][1]:.2f}")


if __name__ == "__main__":
    main()
