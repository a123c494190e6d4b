"""Offline transcription with faster-whisper (CTranslate2), on the CPU.

The model is loaded once per (directory, threads, compute type) and shared by
every transcriber and thread of the process (`whisper_model.py`). A transcriber holds only its
settings: each call gets its own `TranscriptionRun` (`run.py`), so one transcriber can run
several transcriptions at once.

How a recording is transcribed:

1. The audio is read in blocks of a minute (`iter_blocks`), never whole, and
   Silero VAD (faster-whisper's) finds the speech in each block (`speech.py`).
2. Speech pieces are packed into windows of at most 30 s, silence left out, as
   faster-whisper's batched pipeline does, except that a window is closed at the
   longest pause of its last part rather than wherever the next piece no longer
   fits, so a window rarely ends in the middle of a sentence (`windows.py`).
3. Windows are decoded 2 at a time (beam search, word timestamps) by
   BatchedInferencePipeline, given as clips. The encoder and the word aligner see
   one window at a time (`_Stepwise`), and the C heap is trimmed after each stage
   (`release_memory`; both in `faster_whisper_internals.py`). What is left is the
   beam search, ~60 MB per window of the batch, plus ~40 MB per window for the
   previous text (5. below): on 3 minutes, batches of 3 with it peaked at 595–640 MB,
   batches of 2 at 480–550 MB (a worker must stay under 600 MB). Without the previous
   text an hour peaked at ~505 MB with batches of 3, 563–592 MB with 4, 650–675 MB
   with 8 on 3 minutes already.
4. A batched decode has no second chance: Whisper decodes each window once, and
   what it leaves out is lost (it often stops before the end of a full window, or
   skips a sentence, where sequential decoding would seek back to it). So every
   window is checked (`decoding.py`, `run.py`):
   - a stretch of a second or more with no decoded word where VAD hears speech is
     decoded again on its own, sequentially (Whisper's loop, with its temperature
     fallback);
   - a window whose decode looks poor (a repetition loop, or a mean log-probability
     under Whisper's -1.0) is decoded again whole, sequentially; Whisper's own
     no-speech rule then drops it if it was noise.
5. Each batch is given the end of the transcript so far as the text Whisper continues
   (its "previous text", up to CONTEXT_TOKENS), as sequential decoding does with
   condition_on_previous_text: without it, each window started from nothing and a
   word the context makes clear was heard as something else ("la réunion de jeudi
   est maintenue" → "de jeux d'y a maintenue", "d'ici trois semaines" → "d'ici trop
   à semaine"); French lost 0.8 points to plain decoding that way. The windows of one
   batch share the same text (they are decoded together), so the second window's text
   is a window old: one more reason for batches of 2. The second-chance decodes above
   get none: given it, Whisper's sequential loop made up sentences in the silence at
   the end of a window.
6. Cues are built from word timestamps mapped back to the recording's timeline and
   split where the speaker paused for long, so no cue spans a silence that was cut out
   (`cues.py`).

bench/wer.py measures word error rate, speed and memory against plain
WhisperModel.transcribe; docs/PERFORMANCE.md has the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from visio_core.adapters.transcription.faster_whisper_internals import stepwise
from visio_core.adapters.transcription.run import CONTEXT_TOKENS, TranscriptionRun
from visio_core.adapters.transcription.whisper_model import check_model_dir, load_model
from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import t
from visio_core.domain.languages import WHISPER_LANGUAGES
from visio_core.domain.srt import Cue
from visio_core.services.ports import ProgressCallback

DEFAULT_BATCH_SIZE = 2  # windows decoded together: each costs ~100 MB in the beam search (see above)


def _check_language(language: str | None) -> str | None:
    if language is None:
        return None
    code = language.strip().lower()
    if code not in WHISPER_LANGUAGES:
        raise InvalidInput(t("transcription.bad_language", value=language))
    return code


class LocalWhisperTranscriber:
    """The `Transcriber` port on the offline model: settings only, no state between calls."""

    name = "offline"

    def __init__(
        self,
        model_dir: str | Path,
        *,
        cpu_threads: int = 2,
        compute_type: str = "int8",
        batch_size: int = DEFAULT_BATCH_SIZE,
        beam_size: int = 5,
        context_tokens: int = CONTEXT_TOKENS,
    ) -> None:
        self.model_dir = check_model_dir(model_dir)  # fail early with "run make setup"
        self.cpu_threads = cpu_threads
        self.compute_type = compute_type
        self.batch_size = batch_size
        self.beam_size = beam_size
        self.context_tokens = context_tokens

    def __repr__(self) -> str:
        return f"LocalWhisperTranscriber({str(self.model_dir)!r}, batch_size={self.batch_size})"

    def transcribe(
        self,
        media_path: Path,
        *,
        language: str | None,
        on_progress: ProgressCallback | None = None,
        vocabulary: Sequence[str] = (),
    ) -> list[Cue]:
        return self.start(language=language, on_progress=on_progress, vocabulary=vocabulary).transcribe(media_path)

    def start(
        self,
        *,
        language: str | None,
        on_progress: ProgressCallback | None = None,
        vocabulary: Sequence[str] = (),
    ) -> TranscriptionRun:
        """A new transcription with this transcriber's settings (benches read its counters)."""
        language = _check_language(language)
        model = load_model(self.model_dir, cpu_threads=self.cpu_threads, compute_type=self.compute_type)
        return TranscriptionRun(
            stepwise(model),
            language=language,
            vocabulary=vocabulary,
            on_progress=on_progress,
            batch_size=self.batch_size,
            beam_size=self.beam_size,
            context_tokens=self.context_tokens,
        )
