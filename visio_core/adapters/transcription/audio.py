"""Audio helpers on PyAV: probe, extract a compact mono track, split it under a size limit.

Everything here streams: frames are decoded, resampled and encoded as they
come, so a long recording never sits whole in memory (except in `load_audio`,
which returns the whole signal as one array; the transcriber reads `iter_blocks`).

Timing follows the media's own timeline: when the audio track has holes (a
WebRTC recording that lost packets) or starts late, silence is inserted, so a
time in the transcript is a time in the video.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import cast

import av
import numpy as np

from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import t

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
DEFAULT_BITRATE = 32000  # Opus, mono 16 kHz: ≈ 14 MB an hour, clear speech for Whisper

# Output suffix → (codec, bitrate applies). Every one of them is accepted by OpenAI's
# transcription endpoint (flac, mp3, mp4, mpeg, mpga, m4a, ogg, wav, webm).
_CODECS: dict[str, tuple[str, bool]] = {
    ".ogg": ("libopus", True),
    ".oga": ("libopus", True),
    ".webm": ("libopus", True),
    ".m4a": ("aac", True),
    ".mp3": ("libmp3lame", True),
    ".flac": ("flac", False),
    ".wav": ("pcm_s16le", False),
}
_CONTAINER_FORMAT = {".oga": "ogg", ".m4a": "ipod"}
_NOT_RECORDINGS = {"tty", "image2", "bin", "txt", "lavfi"}
_GAP_TOLERANCE = 0.1  # seconds of hole in the audio timeline before silence is inserted
_MAX_GAP = 600.0  # a longer hole is a timestamp discontinuity: no hour of zeros in memory


def _fail_invalid(path: Path) -> InvalidInput:
    return InvalidInput(t("transcription.invalid_media", name=path.name))


def _open(path: Path) -> av.container.InputContainer:
    if not path.is_file():
        raise InvalidInput(t("transcription.file_not_found", name=path.name))
    try:
        container = av.open(str(path), mode="r")
    except (av.FFmpegError, UnicodeDecodeError, ValueError) as error:
        log.info("not a media file: %s (%s)", path.name, error)
        raise _fail_invalid(path) from None
    name = container.format.name
    # FFmpeg reads any text file as "tty" (ANSI art) and a picture as a one-frame video.
    not_a_recording = name in _NOT_RECORDINGS or name.endswith("_pipe")
    if not_a_recording or not (container.streams.audio or container.streams.video):
        container.close()
        raise _fail_invalid(path)
    return container


def probe_duration(path: str | Path) -> float:
    """Duration in seconds of a media file; InvalidInput if it is not readable media."""
    path = Path(path)
    with _open(path) as container:
        if container.duration and container.duration > 0:
            return container.duration / av.time_base
        best = 0.0
        for stream in (*container.streams.audio, *container.streams.video):
            if stream.duration and stream.time_base:
                best = max(best, float(stream.duration * stream.time_base))
        if best > 0:
            return best
        # No duration in the header (e.g. a live WebM recording): walk the packets, no decoding.
        try:
            for packet in container.demux():
                if packet.pts is not None and packet.time_base:
                    end = packet.pts + (packet.duration or 0)
                    best = max(best, float(end * packet.time_base))
        except av.FFmpegError:
            if best == 0:
                raise _fail_invalid(path) from None
        return best


def require_audio(path: str | Path) -> None:
    """InvalidInput unless the file has an audio track whose first frames decode."""
    path = Path(path)
    with _open(path) as container:
        if not container.streams.audio:
            raise InvalidInput(t("rec.no_audio"))
        decoded = 0
        try:
            for _ in container.decode(audio=0):
                decoded += 1
                if decoded >= 10:
                    break
        except av.FFmpegError:
            raise _fail_invalid(path) from None
        if decoded == 0:
            raise _fail_invalid(path)


@dataclass
class _Encoder:
    """One output file: mono s16 samples in, encoded packets out."""

    path: Path
    sample_rate: int
    bitrate: int

    def __post_init__(self) -> None:
        suffix = self.path.suffix.lower()
        if suffix not in _CODECS:
            raise InvalidInput(t("transcription.unsupported_audio_format", suffix=suffix))
        codec, lossy = _CODECS[suffix]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._container = av.open(str(self.path), mode="w", format=_CONTAINER_FORMAT.get(suffix))
        # Every codec in _CODECS is an audio codec.
        self._stream = cast(av.AudioStream, self._container.add_stream(codec, rate=self.sample_rate))
        self._stream.layout = "mono"
        if lossy:
            self._stream.bit_rate = self.bitrate
        self._written = 0
        self._closed = False

    def write(self, samples: np.ndarray) -> None:
        if samples.size == 0:
            return
        frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.sample_rate
        frame.time_base = Fraction(1, self.sample_rate)
        frame.pts = self._written
        self._written += samples.size
        self._container.mux(self._stream.encode(frame))

    def close(self) -> float:
        if self._closed:
            return self._written / self.sample_rate
        self._closed = True
        try:
            self._container.mux(self._stream.encode(None))
        finally:
            self._container.close()
        return self._written / self.sample_rate


def iter_samples(path: str | Path, sample_rate: int = SAMPLE_RATE) -> Iterator[np.ndarray]:
    """Mono int16 blocks of the first audio track, resampled, on the media timeline."""
    path = Path(path)
    container = _open(path)
    try:
        if not container.streams.audio:
            raise InvalidInput(t("transcription.no_audio", name=path.name))
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate)
        position = 0  # samples yielded so far
        # The media timeline starts at the earliest timestamp of any stream (video included).
        origin = container.start_time / av.time_base if container.start_time is not None else 0.0
        jumps = 0  # samples of timestamp discontinuities not turned into silence
        decoded_any = False
        try:
            for frame in container.decode(stream):
                decoded_any = True
                if frame.pts is not None and frame.time_base is not None:
                    start = round((float(frame.pts * frame.time_base) - origin) * sample_rate) - jumps
                    gap = start - position
                    if gap > _MAX_GAP * sample_rate:  # a broken clock, not a pause
                        log.warning("timestamp jump of %.0f s in %s ignored", gap / sample_rate, path.name)
                        jumps += gap
                    elif gap > _GAP_TOLERANCE * sample_rate:
                        yield np.zeros(gap, dtype=np.int16)
                        position = start
                for out in resampler.resample(frame):
                    block = out.to_ndarray().reshape(-1)
                    position += block.size
                    yield block
        except av.FFmpegError as error:
            if not decoded_any:
                raise _fail_invalid(path) from None
            # A truncated recording: keep what could be read.
            log.warning("audio of %s cut short by a decoding error: %s", path.name, error)
        for out in resampler.resample(None):
            yield out.to_ndarray().reshape(-1)
    finally:
        container.close()


def iter_blocks(path: str | Path, seconds: float, sample_rate: int = SAMPLE_RATE) -> Iterator[np.ndarray]:
    """The audio track as float32 blocks in [-1, 1] of `seconds` each (the last one shorter).

    What the offline transcriber reads: only about one block is held at a time, so an
    hour of audio costs tens of MB, not the hundreds `load_audio` takes.
    """
    size = max(1, int(seconds * sample_rate))
    pending: list[np.ndarray] = []
    pending_len = 0
    for block in iter_samples(path, sample_rate):
        pending.append(block)
        pending_len += block.size
        while pending_len >= size:
            joined = np.concatenate(pending) if len(pending) > 1 else pending[0]
            yield joined[:size].astype(np.float32) / 32768.0
            rest = joined[size:]
            pending, pending_len = ([rest] if rest.size else []), rest.size
    if pending_len:
        yield np.concatenate(pending).astype(np.float32) / 32768.0


def load_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The whole audio track as float32 in [-1, 1] (what Whisper takes)."""
    blocks = list(iter_samples(path, sample_rate))
    if not blocks:
        return np.zeros(0, dtype=np.float32)
    return np.concatenate(blocks).astype(np.float32) / 32768.0


def extract_audio(
    src: str | Path,
    dst: str | Path,
    *,
    sample_rate: int = SAMPLE_RATE,
    bitrate: int = DEFAULT_BITRATE,
) -> float:
    """Write the first audio track of `src` to `dst` as compact mono audio.

    The codec follows dst's suffix: .ogg/.oga/.webm → Opus, .m4a → AAC, .mp3,
    .flac, .wav. Returns the duration written, in seconds.
    """
    src, dst = Path(src), Path(dst)
    samples = iter_samples(src, sample_rate)
    first = next(samples, None)  # validate the input before creating dst
    encoder = _Encoder(dst, sample_rate, bitrate)
    try:
        if first is not None:
            encoder.write(first)
        for block in samples:
            encoder.write(block)
    except BaseException:
        encoder.close()
        dst.unlink(missing_ok=True)
        raise
    return encoder.close()


def _bytes_per_second(src: Path, suffix: str, sample_rate: int, bitrate: int | None) -> tuple[float, int]:
    """Expected output bytes a second, and the bitrate to encode chunks with."""
    codec, lossy = _CODECS[suffix]
    duration = probe_duration(src) or 1.0
    source_rate = src.stat().st_size / duration
    same_kind = src.suffix.lower() == suffix
    if lossy:
        bits = bitrate or DEFAULT_BITRATE
        # Re-encoding a file made by extract_audio with the same settings gives about its size
        # (Opus is variable-rate: speech with pauses comes well under the nominal bitrate).
        expected = source_rate if same_kind else bits / 8
        return expected * 1.05, bits
    if codec == "flac":
        return (source_rate if same_kind else sample_rate * 2 * 0.7), DEFAULT_BITRATE
    return sample_rate * 2, DEFAULT_BITRATE


def split_audio(
    src: str | Path,
    max_bytes: int,
    *,
    dst_dir: str | Path | None = None,
    sample_rate: int = SAMPLE_RATE,
    bitrate: int | None = None,
) -> list[tuple[Path, float]]:
    """Chunks of `src`, each file under `max_bytes`, with the offset in seconds where it starts.

    A file already under the limit comes back as `[(src, 0.0)]`. Otherwise the
    audio is re-encoded (same kind of file as src; Opus/.ogg for a video src)
    into consecutive pieces; each cut is put in the quietest tenth of a second
    of the last stretch before the size limit, so words are rarely cut in two.
    """
    src = Path(src)
    if src.stat().st_size <= max_bytes:
        return [(src, 0.0)]
    suffix = src.suffix.lower() if src.suffix.lower() in _CODECS else ".ogg"
    out_dir = Path(dst_dir) if dst_dir is not None else src.parent
    per_second, chunk_bitrate = _bytes_per_second(src, suffix, sample_rate, bitrate)
    header = 4096
    target = (max_bytes * 0.92 - header) / per_second
    for _attempt in range(5):
        if target < 1.0:
            raise InvalidInput(t("transcription.chunk_limit_too_small", max_bytes=max_bytes))
        chunks = _write_chunks(src, out_dir, suffix, target, sample_rate, chunk_bitrate)
        biggest = max(path.stat().st_size for path, _ in chunks)
        if biggest <= max_bytes:
            return chunks
        for path, _ in chunks:
            path.unlink(missing_ok=True)
        target *= 0.95 * max_bytes / biggest
    raise InvalidInput(t("transcription.chunk_limit_too_small", max_bytes=max_bytes))


def _quietest_cut(samples: np.ndarray, sample_rate: int) -> int:
    """Offset (in samples) of the middle of the quietest 100 ms window of `samples`."""
    window = max(1, sample_rate // 10)
    count = samples.size // window
    if count < 2:
        return samples.size
    frames = samples[: count * window].astype(np.float32).reshape(count, window)
    energy = np.sqrt(np.mean(frames * frames, axis=1))
    # the latest of the quietest windows (within 1 % of the minimum) keeps chunks long
    quiet = np.flatnonzero(energy <= energy.min() * 1.01 + 1.0)
    return int(quiet[-1]) * window + window // 2


def _write_chunks(
    src: Path, out_dir: Path, suffix: str, target_seconds: float, sample_rate: int, bitrate: int
) -> list[tuple[Path, float]]:
    target = int(target_seconds * sample_rate)
    search = max(sample_rate // 2, min(target // 3, 20 * sample_rate))
    chunks: list[tuple[Path, float]] = []
    pending: deque[np.ndarray] = deque()  # decoded, not yet encoded: at most ~`search` samples
    pending_len = 0
    chunk_start = 0  # absolute sample where the current chunk starts
    encoded = 0  # absolute samples handed to encoders so far (pending starts there)

    def open_chunk() -> _Encoder:
        path = out_dir / f"{src.stem}.part{len(chunks):03d}{suffix}"
        chunks.append((path, chunk_start / sample_rate))
        return _Encoder(path, sample_rate, bitrate)

    def encode(count: int) -> None:
        nonlocal pending_len, encoded
        need = count
        while need > 0 and pending:
            head = pending[0]
            if head.size <= need:
                encoder.write(pending.popleft())
                need -= head.size
            else:
                encoder.write(head[:need])
                pending[0] = head[need:]
                need = 0
        pending_len -= count - need
        encoded += count - need

    encoder = open_chunk()
    try:
        for block in iter_samples(src, sample_rate):
            pending.append(block)
            pending_len += block.size
            while encoded + pending_len - chunk_start >= target:  # the chunk is full: cut it
                encode(chunk_start + target - search - encoded)
                region = np.concatenate(pending)[: chunk_start + target - encoded]
                encode(_quietest_cut(region, sample_rate))
                encoder.close()
                chunk_start = encoded
                encoder = open_chunk()
            # Samples before the current chunk's search window can be encoded right away.
            encode(min(pending_len, chunk_start + target - search - encoded))
        encode(pending_len)
        last_seconds = encoder.close()
    except BaseException:
        encoder.close()
        for path, _ in chunks:
            path.unlink(missing_ok=True)
        raise
    if len(chunks) > 1 and last_seconds == 0:  # the input ended right at a cut
        chunks.pop()[0].unlink(missing_ok=True)
    return chunks


def probe_recording(path: str | Path) -> float:
    """The ingest's media probe: duration of a file whose audio decodes.

    A file without an audio track says so (`rec.no_audio`); anything else unreadable is "not
    media" without naming the file, which is a spool file the user never saw.
    """
    path = Path(path)
    try:
        with _open(path) as container:
            has_audio = bool(container.streams.audio)
    except InvalidInput:
        raise InvalidInput(t("rec.not_media")) from None
    if not has_audio:
        raise InvalidInput(t("rec.no_audio"))
    try:
        require_audio(path)
        return probe_duration(path)
    except InvalidInput:
        raise InvalidInput(t("rec.not_media")) from None
