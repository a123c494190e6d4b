"""Offline transcription with faster-whisper (CTranslate2), on the CPU.

The model is loaded once per (directory, threads, compute type) and shared by
every transcriber and thread of the process.

How a recording is transcribed:

1. The audio is read in blocks of a minute (`iter_blocks`), never whole, and
   Silero VAD (faster-whisper's) finds the speech in each block.
2. Speech pieces are packed into windows of at most 30 s, silence left out, as
   faster-whisper's batched pipeline does, except that a window is closed at the
   longest pause of its last part rather than wherever the next piece no longer
   fits, so a window rarely ends in the middle of a sentence.
3. Windows are decoded 2 at a time (beam search, word timestamps) by
   BatchedInferencePipeline, given as clips. The encoder and the word aligner see
   one window at a time (`_Stepwise`), and the C heap is trimmed after each stage
   (`release_memory`). What is left is the beam search, ~60 MB per window of the
   batch, plus ~40 MB per window for the previous text (5. below): on 3 minutes,
   batches of 3 with it peaked at 595–640 MB, batches of 2 at 480–550 MB (a worker
   must stay under 600 MB). Without the previous text an hour peaked at ~505 MB with
   batches of 3, 563–592 MB with 4, 650–675 MB with 8 on 3 minutes already.
4. A batched decode has no second chance: Whisper decodes each window once, and
   what it leaves out is lost (it often stops before the end of a full window, or
   skips a sentence, where sequential decoding would seek back to it). So every
   window is checked:
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
   split where the speaker paused for long, so no cue spans a silence that was cut out.

bench/wer.py measures word error rate, speed and memory against plain
WhisperModel.transcribe; docs/PERFORMANCE.md has the numbers.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from visio_core.adapters.transcription.audio import SAMPLE_RATE, iter_blocks, probe_duration
from visio_core.domain.errors import BackendUnavailable, InvalidInput
from visio_core.domain.i18n import t
from visio_core.domain.languages import WHISPER_LANGUAGES
from visio_core.domain.srt import Cue, normalize
from visio_core.services.ports import ProgressCallback

log = logging.getLogger(__name__)
HOTWORDS_MAX = 400  # characters of vocabulary given to the decoder
PROMPT_TOKENS = 223  # Whisper's room for previous text (max_length // 2 - 1): vocabulary + context

DEFAULT_BATCH_SIZE = 2  # windows decoded together: each costs ~100 MB in the beam search (see above)
LOOP_COMPRESSION_RATIO = 2.4  # Whisper's own threshold for "this text repeats itself"
LOW_LOGPROB = -1.0  # Whisper's own threshold for "this decode failed"
WINDOW_SECONDS = 30.0  # what Whisper sees at once
BLOCK_SECONDS = 60.0  # audio read and run through VAD at a time
MIN_FILL = 0.6  # a window is closed at its longest pause after this share of WINDOW_SECONDS
VAD_THRESHOLD = 0.5
VAD_MIN_SILENCE_MS = 160  # a pause this long ends a speech piece (faster-whisper's batched default)
SPEECH_PAD = 0.4  # seconds of audio kept around each speech piece
MISSED_SPEECH = 1.0  # seconds without a decoded word, while VAD hears speech, that are decoded again
MISSED_SPEECH_VAD = 0.3  # ... of which at least this much VAD speech
CUE_PAUSE = 1.5  # a longer pause between two words starts a new cue
ENCODE_STEP = 1  # windows encoded at once
ALIGN_STEP = 1  # windows aligned (word timestamps) at once
CONTEXT_TOKENS = 223  # tokens of the transcript so far given to the next batch (see 5. above)

_models: dict[tuple[str, int, str], object] = {}
_models_lock = threading.Lock()


def check_model_dir(model_dir: str | Path) -> Path:
    path = Path(model_dir).expanduser().resolve()
    if not (path / "model.bin").is_file() or not (path / "config.json").is_file():
        raise BackendUnavailable(t("transcription.model_missing", path=path))
    return path


def load_model(model_dir: str | Path, *, cpu_threads: int = 2, compute_type: str = "int8") -> Any:
    """The shared faster_whisper.WhisperModel for this directory (loaded on first use)."""
    path = check_model_dir(model_dir)
    key = (str(path), cpu_threads, compute_type)
    with _models_lock:
        model = _models.get(key)
        if model is None:
            from faster_whisper import WhisperModel

            try:
                model = WhisperModel(
                    str(path),
                    device="cpu",
                    compute_type=compute_type,
                    cpu_threads=cpu_threads,
                    local_files_only=True,
                )
            except (RuntimeError, ValueError, OSError) as error:
                raise BackendUnavailable(t("transcription.model_invalid", path=path, detail=error)) from None
            log.info("whisper model loaded from %s", path)
            _models[key] = model
        return model


def _check_language(language: str | None) -> str | None:
    if language is None:
        return None
    code = language.strip().lower()
    if code not in WHISPER_LANGUAGES:
        raise InvalidInput(t("transcription.bad_language", value=language))
    return code


# ---------------------------------------------------------------------------------------------
# Speech pieces and windows


@dataclass(frozen=True)
class Piece:
    """A stretch of speech (VAD, padded) at samples [start, end) of the recording."""

    start: int
    end: int
    pause: float  # seconds of silence between the previous piece's speech and this one's


@dataclass
class Window:
    """Speech pieces laid end to end, silence between them left out: what Whisper decodes."""

    audio: np.ndarray
    pieces: list[Piece]
    offsets: np.ndarray  # where each piece starts inside `audio`, in samples

    @classmethod
    def of(cls, parts: list[tuple[Piece, np.ndarray]]) -> Window:
        sizes = [audio.size for _piece, audio in parts]
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
        audio = np.concatenate([audio for _piece, audio in parts]).astype(np.float32, copy=False)
        return cls(audio, [piece for piece, _audio in parts], offsets)

    @property
    def seconds(self) -> float:
        return self.audio.size / SAMPLE_RATE

    def _piece_at(self, sample: float, side: Literal["left", "right"]) -> int:
        index = int(np.searchsorted(self.offsets, sample, side=side)) - 1
        return min(max(index, 0), len(self.pieces) - 1)

    def _in_piece(self, index: int, sample: float) -> float:
        piece = self.pieces[index]
        inside = min(max(sample - float(self.offsets[index]), 0.0), float(piece.end - piece.start))
        return float((piece.start + inside) / SAMPLE_RATE)

    def original(self, seconds: float, *, end: bool = False) -> float:
        """A time inside the window → the same instant in the recording.

        A time on the join of two pieces belongs to the earlier piece when it ends something."""
        sample = min(max(seconds, 0.0) * SAMPLE_RATE, float(self.audio.size))
        return self._in_piece(self._piece_at(sample, "left" if end else "right"), sample)

    def span(self, start: float, end: float) -> tuple[float, float]:
        """A word's (start, end) inside the window → in the recording, both in the piece that
        holds its middle: a word whose timestamps straddle a join must not span the silence
        that was cut out there."""
        lo = min(max(start, 0.0) * SAMPLE_RATE, float(self.audio.size))
        hi = min(max(end, start, 0.0) * SAMPLE_RATE, float(self.audio.size))
        index = self._piece_at((lo + hi) / 2, "right")
        return self._in_piece(index, lo), self._in_piece(index, hi)


def _pad(raw: list[dict[str, int]], size: int, pad: int) -> list[tuple[int, int]]:
    """Speech bounds widened by `pad` samples each side; a shorter silence is shared (as faster-whisper does)."""
    padded: list[tuple[int, int]] = []
    for i, chunk in enumerate(raw):
        if i > 0 and chunk["start"] - raw[i - 1]["end"] < 2 * pad:
            start = padded[-1][1]  # the middle of the short silence
        else:
            start = chunk["start"] - pad
        if i + 1 < len(raw) and raw[i + 1]["start"] - chunk["end"] < 2 * pad:
            end = (chunk["end"] + raw[i + 1]["start"]) // 2
        else:
            end = chunk["end"] + pad
        padded.append((max(0, start), min(size, end)))
    return padded


def speech_pieces(
    blocks: Iterable[np.ndarray], max_seconds: float = WINDOW_SECONDS
) -> Iterator[tuple[Piece, np.ndarray]]:
    """Speech pieces of a recording read block by block, each with its audio.

    VAD runs on each block plus the unfinished end of the previous one (a piece still
    open at the end of a block, or the last seconds of silence), so a piece is never
    cut at a block edge and memory stays at about one block.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    pad = int(SPEECH_PAD * SAMPLE_RATE)
    options = VadOptions(
        threshold=VAD_THRESHOLD,
        min_silence_duration_ms=VAD_MIN_SILENCE_MS,
        speech_pad_ms=0,
        max_speech_duration_s=max_seconds - 2 * SPEECH_PAD - 0.1,
    )
    margin = 2 * SAMPLE_RATE  # speech ending closer than this to a block's end waits for the next block
    carry = np.zeros(0, dtype=np.float32)
    carry_at = 0  # sample of the recording where `carry` starts
    last_speech_end = 0  # sample of the recording where the previous piece's speech ended
    blocks = iter(blocks)
    block = next(blocks, None)
    while block is not None:
        following = next(blocks, None)
        final = following is None
        audio = np.concatenate([carry, block]) if carry.size else block
        raw = get_speech_timestamps(audio, options) if audio.size else []
        padded = _pad(raw, audio.size, pad)
        done = len(raw) if final else sum(1 for chunk in raw if chunk["end"] <= audio.size - margin)
        for chunk, (start, end) in zip(raw[:done], padded[:done], strict=True):
            pause = max(0, carry_at + chunk["start"] - last_speech_end) / SAMPLE_RATE
            last_speech_end = carry_at + chunk["end"]
            yield Piece(carry_at + start, carry_at + end, pause), audio[start:end].copy()
        if final:
            break
        if done < len(raw):
            keep = padded[done][0]
        else:
            keep = max(padded[-1][1] if padded else 0, audio.size - margin)
        carry, carry_at = audio[keep:].copy(), carry_at + keep
        del audio, raw, padded
        block = following


def _close_at(pending: list[tuple[Piece, np.ndarray]], limit: int) -> int:
    """How many of the pending pieces make the next window: ≤ limit samples, ending at the
    longest pause once the window is MIN_FILL full."""
    total, fits = 0, []
    for count, (_piece, audio) in enumerate(pending, start=1):
        total += audio.size
        if total > limit:
            break
        fits.append((count, total))
    if not fits:
        return 1
    candidates = [count for count, size in fits if size >= MIN_FILL * limit and count < len(pending)]
    if not candidates:
        return fits[-1][0]
    return max(candidates, key=lambda count: (pending[count][0].pause, count))


def windows(pieces: Iterable[tuple[Piece, np.ndarray]], seconds: float = WINDOW_SECONDS) -> Iterator[Window]:
    limit = int(seconds * SAMPLE_RATE)
    pending: list[tuple[Piece, np.ndarray]] = []
    total = 0
    for piece, audio in pieces:
        while audio.size > limit:  # never from VAD (its pieces are shorter), but never too long for Whisper
            head = Piece(piece.start, piece.start + limit, piece.pause)
            pending.append((head, audio[:limit]))
            total += limit
            piece, audio = Piece(piece.start + limit, piece.end, 0.0), audio[limit:]
        pending.append((piece, audio))
        total += audio.size
        while total > limit:
            count = _close_at(pending, limit)
            yield Window.of(pending[:count])
            pending = pending[count:]
            total = sum(audio.size for _piece, audio in pending)
    while pending:
        count = _close_at(pending, limit) if total > limit else len(pending)
        yield Window.of(pending[:count])
        pending = pending[count:]
        total = sum(audio.size for _piece, audio in pending)


# ---------------------------------------------------------------------------------------------
# Decoding


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str  # with its leading space, as Whisper writes it


@dataclass(frozen=True)
class Line:
    """One decoded segment; times in seconds inside the audio that was decoded."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...]
    avg_logprob: float
    compression_ratio: float

    @classmethod
    def of(cls, segment: Any, shift: float = 0.0) -> Line:
        words = tuple(Word(w.start - shift, w.end - shift, w.word) for w in segment.words or ())
        return cls(
            segment.start - shift,
            segment.end - shift,
            segment.text,
            words,
            segment.avg_logprob,
            segment.compression_ratio,
        )

    def shifted(self, by: float) -> Line:
        words = tuple(Word(w.start + by, w.end + by, w.text) for w in self.words)
        return Line(self.start + by, self.end + by, self.text, words, self.avg_logprob, self.compression_ratio)


_libc: Any = None


def release_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's malloc_trim).

    CTranslate2 allocates and frees hundreds of MB per batch in blocks of many sizes; glibc
    keeps the freed ones, fragmented, and a worker's peak RSS crept up over an hour (from
    ~540 to ~670 MB with batches of 4). Trimming after each stage keeps it flat (~565 MB)."""
    global _libc
    if _libc is None:
        import ctypes
        import ctypes.util

        try:
            _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _libc.malloc_trim  # noqa: B018 - only glibc has it
        except (OSError, AttributeError):
            _libc = False
    if _libc:
        _libc.malloc_trim(0)


class _Stepwise:
    """The CTranslate2 Whisper model, except that the encoder and the word aligner take
    a batch a few windows at a time (same results). On 8 windows at once, the encoder's
    self-attention took ~780 MB and the aligner ~450 MB on top of the model; one window
    at a time they take ~150 and ~60 MB, at about the same speed (batching pays in the
    beam search, which still sees the whole batch)."""

    def __init__(self, whisper: Any) -> None:
        self._whisper = whisper

    def __getattr__(self, name: str) -> Any:
        return getattr(self._whisper, name)

    @staticmethod
    def _rows(features: Any, start: int, stop: int) -> Any:
        import ctranslate2

        return ctranslate2.StorageView.from_array(np.ascontiguousarray(np.asarray(features)[start:stop]))

    def encode(self, features: Any, to_cpu: bool = False) -> Any:
        rows = features.shape[0]
        if rows <= ENCODE_STEP:
            return self._whisper.encode(features, to_cpu=to_cpu)
        import ctranslate2

        parts = [
            np.asarray(self._whisper.encode(self._rows(features, i, i + ENCODE_STEP), to_cpu=to_cpu))
            for i in range(0, rows, ENCODE_STEP)
        ]
        release_memory()
        return ctranslate2.StorageView.from_array(np.concatenate(parts))

    def generate(self, *args: Any, **options: Any) -> Any:
        try:
            return self._whisper.generate(*args, **options)
        finally:
            release_memory()

    def align(
        self, features: Any, start_sequence: Any, text_tokens: list[Any], num_frames: Any, **options: Any
    ) -> list[Any]:
        rows = len(text_tokens)
        if rows <= ALIGN_STEP:
            return list(self._whisper.align(features, start_sequence, text_tokens, num_frames, **options))
        results: list[Any] = []
        for i in range(0, rows, ALIGN_STEP):
            frames = num_frames[i : i + ALIGN_STEP] if isinstance(num_frames, list) else num_frames
            results += self._whisper.align(
                self._rows(features, i, i + ALIGN_STEP),
                start_sequence,
                text_tokens[i : i + ALIGN_STEP],
                frames,
                **options,
            )
        return results


def _stepwise(model: Any) -> Any:
    """A view of the shared WhisperModel whose CTranslate2 model is `_Stepwise` (the shared
    model itself is left untouched: other threads use it)."""
    view = copy.copy(model)
    view.model = _Stepwise(model.model)
    return view


def _poor(lines: list[Line]) -> bool:
    return any(line.compression_ratio > LOOP_COMPRESSION_RATIO or line.avg_logprob < LOW_LOGPROB for line in lines)


def _vad_speech_seconds(audio: np.ndarray) -> float:
    from faster_whisper.vad import get_vad_model

    frame = 512
    if audio.size < frame:
        return 0.0
    padded = np.pad(audio, (0, -audio.size % frame))
    probabilities = np.asarray(get_vad_model()(padded)).reshape(-1)
    return float(np.count_nonzero(probabilities >= VAD_THRESHOLD)) * frame / SAMPLE_RATE


def missed_speech(lines: list[Line], window: Window) -> list[tuple[float, float]]:
    """Stretches of the window (seconds) without any decoded word where VAD hears speech."""
    words = sorted((w for line in lines for w in line.words), key=lambda w: w.start)
    gaps, covered = [], 0.0
    for word in [*words, Word(window.seconds, window.seconds, "")]:
        if word.start - covered >= MISSED_SPEECH:
            gaps.append((covered, word.start))
        covered = max(covered, word.end)
    found = []
    for start, end in gaps:
        lo, hi = int(start * SAMPLE_RATE), int(end * SAMPLE_RATE)
        if _vad_speech_seconds(window.audio[lo:hi]) >= MISSED_SPEECH_VAD:
            found.append((start, end))
    return found


class LocalWhisperTranscriber:
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
        self._context: list[int] = []  # tokens of the transcript so far, for the next batch
        self._hotwords: str | None = None  # set per transcription from the operator's vocabulary
        self.redecoded = 0  # stretches decoded a second time by the last transcribe() (for tests and benches)

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
        language = _check_language(language)
        # faster-whisper's `hotwords`: the operator's names and jargon, put before each window as the
        # previous text Whisper continues, so it prefers their spelling (kept short: it costs tokens).
        self._hotwords = " ".join(vocabulary)[:HOTWORDS_MAX] or None
        model = _stepwise(load_model(self.model_dir, cpu_threads=self.cpu_threads, compute_type=self.compute_type))
        expected = probe_duration(media_path)
        self.redecoded = 0
        self._context = []
        cues: list[Cue] = []
        done = 0.0
        batch: list[Window] = []
        blocks = _Counted(iter_blocks(media_path, BLOCK_SECONDS, SAMPLE_RATE))
        for window in windows(speech_pieces(blocks)):
            batch.append(window)
            if len(batch) >= max(1, self.batch_size):
                language = language or self._detect(model, batch[0])
                cues += self._decode(model, batch, language)
                done = self._progress(on_progress, done, batch[-1], expected)
                batch = []
        if batch:
            language = language or self._detect(model, batch[0])
            cues += self._decode(model, batch, language)
        duration = blocks.samples / SAMPLE_RATE
        cues = [Cue(0, min(c.start, duration), min(c.end, duration), c.text) for c in cues if c.start < duration]
        if on_progress:
            on_progress(1.0)
        return normalize(cues)

    @staticmethod
    def _progress(on_progress: ProgressCallback | None, done: float, last: Window, expected: float) -> float:
        if on_progress and expected > 0:
            done = max(done, min(1.0, last.pieces[-1].end / SAMPLE_RATE / expected))
            on_progress(done)
        return done

    @staticmethod
    def _detect(model: Any, window: Window) -> str:
        language, probability, _all = model.detect_language(audio=window.audio)
        log.info("language detected: %s (%.2f)", language, probability)
        return str(language)

    def _decode(self, model: Any, batch: list[Window], language: str) -> list[Cue]:
        decoded = (
            self._batched(model, batch, language)
            if self.batch_size > 1
            else [self._sequential(model, window.audio, language) for window in batch]
        )
        cues: list[Cue] = []
        for window, lines in zip(batch, decoded, strict=True):
            if self.batch_size > 1 and _poor(lines):
                log.info("poor decode at %.1f s: decoding the window again", window.original(0.0))
                self.redecoded += 1
                lines = self._sequential(model, window.audio, language)
            for start, end in missed_speech(lines, window):
                log.info(
                    "words missed at %.1f–%.1f s: decoding them again",
                    window.original(start),
                    window.original(end, end=True),
                )
                self.redecoded += 1
                lines += self._again(model, window, start, end, language)
            cues += _cues(lines, window)
        self._remember(model, cues)
        release_memory()
        return cues

    def _remember(self, model: Any, cues: list[Cue]) -> None:
        """Keep the end of the transcript for the next batch, as few tokens as leave room for
        the vocabulary in Whisper's previous-text slot."""

        def encode(text: str) -> list[int]:
            return list(model.hf_tokenizer.encode(text, add_special_tokens=False).ids)

        room = PROMPT_TOKENS - (len(encode(" " + self._hotwords.strip())) if self._hotwords else 0)
        keep = max(0, min(self.context_tokens, room))
        text = "".join(" " + cue.text.strip() for cue in cues if cue.text.strip())
        tokens = self._context + (encode(text) if text else [])
        self._context = tokens[len(tokens) - keep :] if keep else []

    def _options(self, language: str) -> dict[str, Any]:
        options: dict[str, Any] = dict(language=language, beam_size=self.beam_size, word_timestamps=True)
        if self._hotwords:
            options["hotwords"] = self._hotwords
        return options

    def _batched(self, model: Any, batch: list[Window], language: str) -> list[list[Line]]:
        """Each window decoded once, the whole batch at a time."""
        from faster_whisper import BatchedInferencePipeline

        # The windows side by side, each at a multiple of 30 s, given as clips: one clip is one row.
        step = int(WINDOW_SECONDS * SAMPLE_RATE)
        audio = np.zeros(step * len(batch), dtype=np.float32)
        clips = []
        for k, window in enumerate(batch):
            audio[k * step : k * step + window.audio.size] = window.audio
            clips.append({"start": k * WINDOW_SECONDS, "end": k * WINDOW_SECONDS + window.seconds})
        pipeline = BatchedInferencePipeline(model)
        segments, _info = pipeline.transcribe(
            audio,
            batch_size=len(batch),
            clip_timestamps=clips,
            vad_filter=False,
            without_timestamps=False,
            initial_prompt=self._previous_text(model),
            **self._options(language),
        )
        lines: list[list[Line]] = [[] for _ in batch]
        frames = WINDOW_SECONDS * model.frames_per_second
        for segment in segments:
            k = min(len(batch) - 1, int(round(segment.seek / frames)))
            lines[k].append(Line.of(segment, shift=k * WINDOW_SECONDS))
        return lines

    def _previous_text(self, model: Any) -> str | None:
        return str(model.hf_tokenizer.decode(self._context)) if self._context else None

    def _sequential(self, model: Any, audio: np.ndarray, language: str) -> list[Line]:
        """Whisper's own loop on `audio`: seeks on after what it decoded, falls back to higher
        temperatures on a loop or a low log-probability, skips what it finds silent."""
        segments, _info = model.transcribe(audio, vad_filter=False, **self._options(language))
        return [Line.of(segment) for segment in segments]

    def _again(self, model: Any, window: Window, start: float, end: float, language: str) -> list[Line]:
        """The words of [start, end] of the window, decoded on their own (with a little
        context each side; words decoded in the context are dropped, they are already there)."""
        context = 1.0
        lo = max(0.0, start - context)
        hi = min(window.seconds, end + context)
        audio = window.audio[int(lo * SAMPLE_RATE) : int(hi * SAMPLE_RATE)]
        kept = []
        for line in self._sequential(model, audio, language):
            words = tuple(w for w in line.shifted(lo).words if start <= (w.start + w.end) / 2 <= end)
            if words:
                kept.append(
                    Line(
                        words[0].start,
                        words[-1].end,
                        "".join(w.text for w in words),
                        words,
                        line.avg_logprob,
                        line.compression_ratio,
                    )
                )
        return kept


def _cues(lines: list[Line], window: Window) -> list[Cue]:
    """Cues on the recording's timeline; a line is split where its words are far apart there
    (a long silence was cut out of the window between them)."""
    cues = []
    for line in lines:
        words = [w for w in line.words if w.start < window.seconds]  # not in the padding after the audio
        if not line.words:
            if line.start < window.seconds and line.text.strip():
                cues.append(Cue(0, window.original(line.start), window.original(line.end, end=True), line.text))
            continue
        group: list[tuple[float, float, str]] = []
        for word in words:
            start, end = window.span(word.start, word.end)
            if group and start - group[-1][1] > CUE_PAUSE:
                cues.append(_cue(group))
                group = []
            group.append((start, max(start, end), word.text))
        if group:
            cues.append(_cue(group))
    return cues


def _cue(words: list[tuple[float, float, str]]) -> Cue:
    return Cue(0, words[0][0], words[-1][1], "".join(text for _s, _e, text in words).strip())


class _Counted:
    """Blocks passed through, their samples counted: the recording's decoded length."""

    def __init__(self, blocks: Iterator[np.ndarray]) -> None:
        self._blocks = blocks
        self.samples = 0

    def __iter__(self) -> Iterator[np.ndarray]:
        for block in self._blocks:
            self.samples += block.size
            yield block
