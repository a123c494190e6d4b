"""Transcription through the OpenAI audio API (or any server speaking the same protocol).

The audio track is first extracted to compact mono Opus (≈ 14 MB an hour); a
recording still over the request limit (25 MB at OpenAI) is cut into pieces at
quiet moments, each piece transcribed, and the cues put back on the recording's
timeline. Retries of 408/409/429/5xx and connection errors, with exponential
backoff and Retry-After, are the SDK's own (`max_retries`).

The API key goes to the SDK and nowhere else: no message, log or repr holds it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, cast

import openai

from visio_core.adapters.transcription.audio import DEFAULT_BITRATE, extract_audio, split_audio
from visio_core.domain import srt
from visio_core.domain.errors import BackendUnavailable, InvalidInput
from visio_core.domain.i18n import t
from visio_core.domain.srt import Cue
from visio_core.services.ports import ProgressCallback

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 25 * 1024 * 1024  # OpenAI's upload limit for /v1/audio/transcriptions
MAX_BYTES_ENV = "VISIO_OPENAI_MAX_BYTES"
_MIME = {
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".webm": "audio/webm",
    ".m4a": "audio/mp4",
    ".mp3": "audio/mpeg",
    ".flac": "audio/flac",
    ".wav": "audio/wav",
}


def default_max_bytes() -> int:
    value = os.environ.get(MAX_BYTES_ENV, "").strip()
    return int(value) if value else DEFAULT_MAX_BYTES


class OpenAITranscriber:
    name = "openai"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str | None = None,
        model: str = "whisper-1",
        timeout: float = 600.0,
        max_retries: int = 3,
        max_bytes: int | None = None,
        response_format: str = "srt",
        audio_suffix: str = ".ogg",
        bitrate: int = DEFAULT_BITRATE,
    ) -> None:
        if response_format not in ("srt", "verbose_json"):
            raise ValueError("response_format must be 'srt' or 'verbose_json' (the ones with timings)")
        self.model = model
        self.base_url = base_url
        self.max_bytes = max_bytes if max_bytes is not None else default_max_bytes()
        self.response_format = cast(Literal["srt", "verbose_json"], response_format)  # checked just above
        self.audio_suffix = audio_suffix
        self.bitrate = bitrate
        self._secret = api_key
        self._client = openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)

    def __repr__(self) -> str:
        return f"OpenAITranscriber(model={self.model!r}, base_url={self.base_url!r}, max_bytes={self.max_bytes})"

    def transcribe(
        self,
        media_path: Path,
        *,
        language: str | None,
        on_progress: ProgressCallback | None = None,
        vocabulary: Sequence[str] = (),
    ) -> list[Cue]:
        prompt = vocabulary_prompt(vocabulary)
        with tempfile.TemporaryDirectory(prefix="visio-transcribe-") as tmp:
            audio = Path(tmp) / f"audio{self.audio_suffix}"
            total = extract_audio(media_path, audio, bitrate=self.bitrate)
            if total <= 0:
                if on_progress:
                    on_progress(1.0)
                return []
            chunks = split_audio(audio, self.max_bytes, dst_dir=Path(tmp) / "chunks", bitrate=self.bitrate)
            log.info("transcribing %s: %.1f s of audio in %d request(s)", Path(media_path).name, total, len(chunks))
            merged: list[Cue] = []
            for number, (path, offset) in enumerate(chunks):
                end = chunks[number + 1][1] if number + 1 < len(chunks) else total
                cues = self._transcribe_file(path, language, prompt)
                # Whisper may time a last word past the end of its piece: keep each piece in its lane.
                length = end - offset
                cues = [Cue(c.index, min(c.start, length), min(c.end, length), c.text) for c in cues]
                merged.extend(srt.shift(cues, offset))
                if on_progress:
                    on_progress(min(1.0, end / total))
            return srt.normalize(merged)

    def _transcribe_file(self, path: Path, language: str | None, prompt: str | None = None) -> list[Cue]:
        with path.open("rb") as fh:
            try:
                result = self._client.audio.transcriptions.create(
                    file=(path.name, fh, _MIME.get(path.suffix.lower(), "application/octet-stream")),
                    model=self.model,
                    language=language if language else openai.omit,
                    prompt=prompt if prompt else openai.omit,  # the API's way to spell names right
                    response_format=self.response_format,
                )
            except openai.APIStatusError as error:
                raise self._status_error(error) from None
            except openai.APITimeoutError:
                raise BackendUnavailable(t("transcription.api_unavailable", detail="délai dépassé")) from None
            except openai.APIConnectionError:
                raise BackendUnavailable(t("transcription.api_unavailable", detail="connexion impossible")) from None
            except openai.APIError:  # e.g. a body that does not match the schema
                raise BackendUnavailable(t("transcription.api_bad_response")) from None
        if self.response_format == "srt":
            if not isinstance(result, str):
                raise BackendUnavailable(t("transcription.api_bad_response"))
            parsed = srt.parse(result)
            if parsed.skipped:
                log.warning("%d unreadable SRT block(s) in the answer for %s", parsed.skipped, path.name)
            return parsed.cues
        segments = getattr(result, "segments", None) or []
        return [Cue(i + 1, float(s.start), float(s.end), s.text) for i, s in enumerate(segments)]

    def _status_error(self, error: openai.APIStatusError) -> Exception:
        status = error.status_code
        log.warning("transcription API answered HTTP %s (request id %s)", status, error.request_id)
        if status in (401, 403):
            # OpenAI's 401 message quotes part of the key: never pass it on.
            return BackendUnavailable(t("transcription.api_auth", status=status))
        if status == 404:
            return BackendUnavailable(t("transcription.api_not_found", model=self.model))
        if status == 413:
            return BackendUnavailable(t("transcription.api_too_large"))
        if status in (400, 415, 422):
            return InvalidInput(t("transcription.api_rejected", detail=self._detail(error)))
        return BackendUnavailable(t("transcription.api_unavailable", detail=f"HTTP {status}"))

    def _detail(self, error: openai.APIStatusError) -> str:
        body = error.body
        message = body.get("message") if isinstance(body, dict) else None
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            message = body["error"].get("message")
        text = str(message or f"HTTP {error.status_code}")[:300]
        if self._secret:
            text = text.replace(self._secret, "***")
        return text


def vocabulary_prompt(vocabulary: Sequence[str]) -> str | None:
    """The vocabulary as Whisper's prompt: a short list it imitates the spelling of (the API keeps
    the prompt's last 224 tokens, so the list is cut well before that)."""
    terms, length = [], 0
    for term in vocabulary:
        length += len(term) + 2
        if length > 600:
            break
        terms.append(term)
    return ", ".join(terms) + "." if terms else None
