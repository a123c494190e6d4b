from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

from tests.transcription.helpers import ENGLISH_WORDS, FRENCH_WORDS, found, write_wav
from visio_core.adapters.transcription.local import LocalWhisperTranscriber
from visio_core.adapters.transcription.whisper_model import load_model
from visio_core.domain import srt
from visio_core.domain.errors import BackendUnavailable, InvalidInput
from visio_core.entrypoints.config import Settings
from visio_core.entrypoints.transcription import build_transcriber, transcribe_to_srt
from visio_core.services.ports import Transcriber

pytestmark = pytest.mark.slow  # real models, servers or subprocesses: `make test`, not `make check`


@pytest.fixture(scope="module")
def transcriber(whisper_model_dir) -> LocalWhisperTranscriber:
    return LocalWhisperTranscriber(whisper_model_dir)


def _offline_settings(tmp_path: Path, model_dir: Path, **extra: str) -> Settings:
    env = {"VISIO_DATA_DIR": str(tmp_path / "data"), "VISIO_WHISPER_MODEL": str(model_dir), **extra}
    return Settings.load(env=env, secrets_file=tmp_path / "none.toml")


def _assert_monotonic(cues):
    assert [c.index for c in cues] == list(range(1, len(cues) + 1))
    for previous, cue in zip(cues, cues[1:]):
        assert previous.end <= cue.start
    for cue in cues:
        assert 0 <= cue.start <= cue.end


def test_french_speech(transcriber, french_speech):
    progress: list[float] = []
    cues = transcriber.transcribe(french_speech.path, language="fr", on_progress=progress.append)
    text = " ".join(c.text for c in cues)
    assert len(found(text, FRENCH_WORDS)) >= 3, text
    _assert_monotonic(cues)
    assert cues[-1].end <= french_speech.duration + 0.05
    assert progress == sorted(progress) and progress[-1] == 1.0


def test_english_speech_inside_a_video_language_detected(transcriber, mp4_with_speech):
    cues = transcriber.transcribe(mp4_with_speech, language=None)
    text = " ".join(c.text for c in cues)
    assert len(found(text, ENGLISH_WORDS)) >= 3, text
    # the first words are said in the first seconds: timings are on the video's timeline
    assert cues[0].start < 1.0


def test_transcribe_to_srt_offline_uses_the_default_language(tmp_path, whisper_model_dir, webm_with_speech):
    settings = _offline_settings(tmp_path, whisper_model_dir, VISIO_DEFAULT_LANGUAGE="fr")
    assert isinstance(build_transcriber(settings), LocalWhisperTranscriber)
    assert isinstance(build_transcriber(settings), Transcriber)
    text = transcribe_to_srt(settings, webm_with_speech)  # no language: the configured default
    result = srt.parse(text)
    assert result.skipped == 0 and result.cues
    assert srt.render_srt(result.cues) == text
    assert len(found(text, FRENCH_WORDS)) >= 2, text


def test_sequential_decoding_gives_the_same_words(whisper_model_dir, english_speech):
    sequential = LocalWhisperTranscriber(whisper_model_dir, batch_size=1)
    text = " ".join(c.text for c in sequential.transcribe(english_speech.path, language="en"))
    assert len(found(text, ENGLISH_WORDS)) >= 3, text


def test_silence_gives_no_cue(transcriber, tmp_path, whisper_model_dir):
    import numpy as np

    quiet = tmp_path / "quiet.wav"
    write_wav(quiet, np.zeros(16000 * 3, dtype=np.int16), 16000)
    progress: list[float] = []
    assert transcriber.transcribe(quiet, language="fr", on_progress=progress.append) == []
    assert progress[-1] == 1.0
    assert transcribe_to_srt(_offline_settings(tmp_path, whisper_model_dir), quiet) == ""


def test_missing_model_says_run_make_setup(tmp_path, english_speech):
    with pytest.raises(BackendUnavailable, match="make setup"):
        LocalWhisperTranscriber(tmp_path / "no-model")
    settings = _offline_settings(tmp_path, tmp_path / "no-model")
    with pytest.raises(BackendUnavailable, match="make setup"):
        transcribe_to_srt(settings, english_speech.path)


def test_broken_model_is_a_clear_error(tmp_path, whisper_model_dir):
    broken = tmp_path / "broken-model"
    broken.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        shutil.copy(whisper_model_dir / name, broken / name)
    (broken / "model.bin").write_bytes(b"not a model")
    with pytest.raises(BackendUnavailable, match="n'a pas pu être chargé"):
        load_model(broken)


def test_bad_inputs(transcriber, tmp_path, whisper_model_dir, english_speech):
    notes = tmp_path / "notes.txt"
    notes.write_text("pas un enregistrement\n" * 20)
    with pytest.raises(InvalidInput, match="lisible"):
        transcriber.transcribe(notes, language="fr")
    with pytest.raises(InvalidInput, match="Langue inconnue"):
        transcriber.transcribe(english_speech.path, language="klingon")
    with pytest.raises(InvalidInput, match="introuvable"):
        transcribe_to_srt(_offline_settings(tmp_path, whisper_model_dir), tmp_path / "absent.webm")


def test_model_is_loaded_once_across_threads(whisper_model_dir):
    # cpu_threads=1 is a key no other test uses, so this really races the first load
    results, barrier = [], threading.Barrier(4)

    def load():
        barrier.wait()
        results.append(load_model(whisper_model_dir, cpu_threads=1))

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(model is results[0] for model in results)
    assert load_model(whisper_model_dir) is load_model(Path(str(whisper_model_dir) + "/"))


def test_previous_text_is_the_end_of_the_transcript_and_leaves_room_for_the_vocabulary(whisper_model_dir):
    from visio_core.adapters.transcription.run import HOTWORDS_MAX, PROMPT_TOKENS
    from visio_core.domain.srt import Cue

    model = load_model(whisper_model_dir)
    transcriber = LocalWhisperTranscriber(whisper_model_dir)
    said = [Cue(0, i, i + 1, f"Phrase numéro {i}, dite par Julien à Sophie.") for i in range(60)]
    first = transcriber.start(language="fr")
    first.remember(said[:30])
    first.remember(said[30:])
    alone = first.previous_text()
    assert alone is not None and alone.endswith(said[-1].text)
    assert len(first.context) == transcriber.context_tokens

    # the same transcript so far, in a run given a long vocabulary (made into hotwords as transcribe() does)
    run = transcriber.start(language="fr", vocabulary=["Girard", "Foxeo", "visioconférence"] * 30)
    assert run.hotwords == " ".join(["Girard", "Foxeo", "visioconférence"] * 30)[:HOTWORDS_MAX]
    run.context = list(first.context)
    run.remember(said[-1:])
    vocabulary = len(model.hf_tokenizer.encode(" " + run.hotwords, add_special_tokens=False).ids)
    assert 0 < len(run.context) <= PROMPT_TOKENS - vocabulary  # both fit in Whisper's slot
    assert run.previous_text().endswith(said[-1].text)


def test_one_transcriber_runs_two_transcriptions_at_once(transcriber, french_speech):
    """Everything a transcription changes lives in its own run: two at once on one instance give
    what each gives alone. The same speech with and without a vocabulary, which changes its words:
    state kept on the transcriber would give both runs the vocabulary of the one that started last."""
    jobs = {
        "with vocabulary": dict(vocabulary=["Julien", "budget", "Foxeo"]),
        "without": dict(vocabulary=()),
    }
    alone = {name: transcriber.transcribe(french_speech.path, language="fr", **job) for name, job in jobs.items()}
    assert alone["with vocabulary"] != alone["without"]  # the vocabulary counts
    together: dict[str, list] = {}
    barrier = threading.Barrier(len(jobs))

    def run(name: str) -> None:
        barrier.wait()
        together[name] = transcriber.transcribe(french_speech.path, language="fr", **jobs[name])

    threads = [threading.Thread(target=run, args=(name,)) for name in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert together == alone
