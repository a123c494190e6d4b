"""What an operator's vocabulary changes: a French meeting full of client and product names,
transcribed by LocalWhisperTranscriber without and with the names given to the decoder.

    .venv/bin/python bench/vocabulary.py [--runs 1]

The meeting (written for this bench: MiKL of Foxeo and his client Claire Martin, 12 names of
people, companies and products, most of them twice or more) is spoken by espeak-ng with Debian's
mbrola voices mb-fr1 and mb-fr4 (bench/wer_speech.py; without mbrola the bench stops and says how
to install it). A name is written one way and said as a French speaker says it ("MiKL" is said
"Mikel"): the transcript should carry the written form, which only the vocabulary can teach.

Variants, same model (whisper-base int8, 2 threads, beam 5, language fr), each in its own process:

- no vocabulary;
- the vocabulary as shipped: faster-whisper's `hotwords` (the names put before each window as
  text Whisper continues);
- the same names as `initial_prompt` instead (the other way faster-whisper takes a prompt; the
  OpenAI API's `prompt` works like it), for comparison.

Reported: WER (bench/wer_metric.py), name recall (occurrences of the names spelled exactly as
written, case and accents included, over their occurrences in the script) and wall time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import time
import wave
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from wer_metric import error_counts, word_error_rate  # noqa: E402
from wer_speech import RATE, MbrolaMissing, _synthesise, check_voices  # noqa: E402

NAMES = [
    "Foxeo",
    "MiKL",
    "Claire Martin",
    "Kerguelen Solutions",
    "Anaïs Trévidic",
    "Yannick Ollivro",
    "Szczepaniak",
    "Baudrimont",
    "Datalyse",
    "Zéphyra",
    "Kobalt",
    "Brocéliande Conseil",
]
# How the names are said (espeak-ng reads French spelling); the others are said as written.
SPOKEN = {
    "MiKL": "Mikel",
    "Foxeo": "Foxéo",
    "Kerguelen": "Kerguélène",
    "Szczepaniak": "Chtchépaniak",
    "Ollivro": "Olivro",
    "Datalyse": "Datalise",
    "Zéphyra": "Zéfira",
}
VOICES = {"MiKL": ("mb-fr1", 140, 45), "Claire": ("mb-fr4", 140, 50)}
SCRIPT = [
    (
        "MiKL",
        "Bonjour Claire, ici MiKL, de chez Foxeo. Merci d'avoir pris le temps de faire ce point "
        "sur le projet Kerguelen Solutions.",
    ),
    (
        "Claire",
        "Bonjour MiKL. Oui, chez Kerguelen Solutions, tout le monde attend la nouvelle version "
        "de Datalyse avant la fin du mois.",
    ),
    (
        "MiKL",
        "Très bien. Anaïs Trévidic termine les tableaux de bord de Datalyse, et Yannick Ollivro "
        "s'occupe de la connexion avec Kobalt.",
    ),
    (
        "Claire",
        "Parfait. Monsieur Szczepaniak, notre directeur financier, voudrait aussi un export vers "
        "Kobalt pour la comptabilité.",
    ),
    (
        "MiKL",
        "C'est prévu. Foxeo peut livrer l'export dans Zéphyra, notre module de facturation, dès la semaine prochaine.",
    ),
    ("Claire", "Et pour la formation ? Madame Baudrimont préfère que Brocéliande Conseil anime les ateliers."),
    (
        "MiKL",
        "Aucun problème, je connais bien l'équipe de Brocéliande Conseil. Je préviens Anaïs Trévidic "
        "et Yannick Ollivro dès ce soir.",
    ),
    ("Claire", "Merci. Je transmets le compte rendu à Monsieur Szczepaniak et à Madame Baudrimont demain matin."),
    ("MiKL", "Dernière chose : Zéphyra sera installé sur les serveurs de Kerguelen Solutions, et non chez Foxeo."),
    ("Claire", "C'est noté. À bientôt MiKL, et bonne fin de journée de la part de Claire Martin."),
]
PAUSE = 0.8  # seconds between turns

VARIANTS = {
    "none": "no vocabulary",
    "hotwords": "vocabulary as `hotwords` (as shipped)",
    "prompt": "vocabulary as `initial_prompt`",
}


def spoken(text: str) -> str:
    for written, said in SPOKEN.items():
        text = re.sub(rf"\b{re.escape(written)}\b", said, text)
    return text


def build(out_dir: Path) -> tuple[Path, str, float]:
    """(wav path, reference text, seconds) of the meeting, cached under a hash of what shapes it."""
    key = hashlib.sha256(json.dumps([SCRIPT, SPOKEN, VOICES, PAUSE, RATE], sort_keys=True).encode()).hexdigest()[:12]
    wav, ref = out_dir / f"vocabulary-{key}.wav", out_dir / f"vocabulary-{key}.txt"
    reference = "\n".join(text for _speaker, text in SCRIPT) + "\n"
    if not (wav.exists() and ref.exists()):
        check_voices("fr")  # mb-fr1 and mb-fr4, the voices used here
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = out_dir / "vocabulary.tmp.wav"
        parts = [np.zeros(RATE // 2, dtype=np.int16)]
        for speaker, text in SCRIPT:
            voice, speed, pitch = VOICES[speaker]
            parts += [
                _synthesise("espeak-ng", voice, speed, pitch, spoken(text), tmp),
                np.zeros(int(RATE * PAUSE), dtype=np.int16),
            ]
        tmp.unlink(missing_ok=True)
        speech = np.concatenate(parts).astype(np.float32)
        noise = np.random.default_rng(7).normal(0, 32768 * 10 ** (-60 / 20), speech.size)  # a room's floor
        with wave.open(str(wav), "wb") as fh:
            fh.setnchannels(1)
            fh.setsampwidth(2)
            fh.setframerate(RATE)
            fh.writeframes(np.clip(speech + noise, -32768, 32767).astype(np.int16).tobytes())
        ref.write_text(reference)
    with wave.open(str(wav)) as fh:
        return wav, reference, fh.getnframes() / fh.getframerate()


def name_hits(text: str) -> dict[str, int]:
    """How many times each name is written exactly (case and accents included) in `text`."""
    return {name: len(re.findall(rf"(?<!\w){re.escape(name)}(?!\w)", text)) for name in NAMES}


def _child(variant: str, audio: str) -> None:
    """One variant in this process; prints a JSON line."""
    from visio_core.adapters.transcription.local import LocalWhisperTranscriber
    from visio_core.adapters.transcription.run import TranscriptionRun
    from visio_core.adapters.transcription.whisper_model import load_model
    from visio_core.entrypoints.config import Settings

    class PromptTranscriber(LocalWhisperTranscriber):
        """The names as Whisper's initial prompt instead of hotwords."""

        def start(self, **kwargs: Any) -> TranscriptionRun:
            run = super().start(**kwargs)
            if run.options.pop("hotwords", None):
                run.options["initial_prompt"] = ", ".join(NAMES) + "."
            return run

    model_dir = Settings.load().whisper_model_dir
    model = load_model(model_dir)
    list(model.transcribe(np.zeros(16000, dtype=np.float32), language="fr")[0])  # warm-up
    transcriber = (PromptTranscriber if variant == "prompt" else LocalWhisperTranscriber)(model_dir)
    started = time.perf_counter()
    run = transcriber.start(language="fr", vocabulary=NAMES if variant != "none" else ())
    cues = run.transcribe(Path(audio))
    seconds = time.perf_counter() - started
    print(json.dumps({"text": "\n".join(cue.text for cue in cues), "seconds": seconds, "redecoded": run.redecoded}))


def _run(variant: str, audio: Path) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", variant, str(audio)], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    parser.add_argument("--show", action="store_true", help="print each transcript")
    args = parser.parse_args()

    from visio_core.entrypoints.config import Settings

    try:
        audio, reference, seconds = build(Settings.load().data_dir / "bench")
    except MbrolaMissing as error:
        sys.exit(str(error))
    expected = name_hits(reference)
    total = sum(expected.values())
    print(
        f"French meeting: {seconds:.1f} s, {len(reference.split())} words, {total} occurrences of {len(NAMES)} names\n"
    )
    rows = []
    for variant in args.variants:
        result = _run(variant, audio)
        hits = name_hits(result["text"])
        found = sum(min(hits[name], n) for name, n in expected.items())
        counts = error_counts(reference, result["text"], "fr")
        missed = [name for name in NAMES if hits[name] < expected[name]]
        rows.append(
            (
                variant,
                word_error_rate(reference, result["text"], "fr"),
                counts,
                found,
                total,
                result["seconds"],
                seconds,
                result["redecoded"],
                missed,
            )
        )
        if args.show:
            print(f"--- {variant}\n{result['text']}\n")
    print("| variant | WER | subst./del./ins. | names spelled exactly | wall (s) | RTF | stretches decoded again |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for variant, wer, counts, found, total, wall, length, redecoded, _missed in rows:
        print(
            f"| {VARIANTS[variant]} | {wer:.1%} | {counts['s']}/{counts['d']}/"
            f"{counts['i']} | {found}/{total} ({found / total:.0%}) | {wall:.1f} | {wall / length:.3f} | {redecoded} |"
        )
    print()
    for variant, *_rest, missed in rows:
        print(f"{variant}: names not always spelled right: {', '.join(missed) or 'none'}")


if __name__ == "__main__":
    main()
