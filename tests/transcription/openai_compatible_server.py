"""A small server speaking OpenAI's `POST /v1/audio/transcriptions`, backed by faster-whisper.

Strict where the real API is strict: Bearer auth (401 in OpenAI's error shape,
quoting the wrong key — OpenAI quotes part of it, this fake quotes all of it so
a leak is easy to catch), the 25 MB upload limit (413, configurable), required
`file` and `model` fields, the accepted file formats, response formats and
language codes (400). Transcription uses plain WhisperModel.transcribe, not
the project's pipeline, and its own SRT writer.

Fault injection: `server.fail_next.append((status, headers))` answers the next
request with that status (before auth), e.g. 429 with `retry-after-ms: 10`.

    with OpenAICompatibleServer(model_dir, api_key="sk-test") as server:
        OpenAI(api_key="sk-test", base_url=server.base_url)
"""

from __future__ import annotations

import json
import socket
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.openai_fake import openai_error as _error
from tests.openai_fake import refused

SUPPORTED_FILE_FORMATS = ["flac", "m4a", "mp3", "mp4", "mpeg", "mpga", "oga", "ogg", "wav", "webm"]
RESPONSE_FORMATS = {"json", "text", "srt", "verbose_json", "vtt"}
OPENAI_LIMIT = 25 * 1024 * 1024


def _timestamp(seconds: float, sep: str) -> str:
    millis = int(round(seconds * 1000))
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


@dataclass
class Received:
    filename: str
    size: int
    model: str
    language: str | None
    response_format: str
    prompt: str | None = None


@dataclass
class OpenAICompatibleServer:
    model_dir: Path
    api_key: str
    models: tuple[str, ...] = ("whisper-1",)
    max_bytes: int = OPENAI_LIMIT
    received: list[Received] = field(default_factory=list)
    fail_next: list[tuple[int, dict]] = field(default_factory=list)

    def __post_init__(self) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import _LANGUAGE_CODES

        self._languages = set(_LANGUAGE_CODES)
        self._model = WhisperModel(str(self.model_dir), device="cpu", compute_type="int8", cpu_threads=2)
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route("/v1/audio/transcriptions", self._transcriptions, methods=["POST"])])
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- lifecycle -------------------------------------------------------
    def start(self) -> OpenAICompatibleServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        for _ in range(200):
            if self._server.started:
                return self
            self._thread.join(0.05)
        raise RuntimeError("the OpenAI-compatible test server did not start")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(10)

    def __enter__(self) -> OpenAICompatibleServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- the endpoint ----------------------------------------------------
    async def _transcriptions(self, request: Request) -> Response:
        refusal = refused(request, self.api_key, self.fail_next)
        if refusal is not None:
            return refusal
        length = int(request.headers.get("content-length") or 0)
        if length > self.max_bytes + 64 * 1024:  # multipart framing on top of the file
            return _error(
                413,
                f"Maximum content size limit ({self.max_bytes}) exceeded ({length} bytes read)",
                type_="server_error",
            )
        form = await request.form()
        try:
            upload = form.get("file")
            model = form.get("model")
            if not isinstance(upload, UploadFile):
                return _error(
                    400, "Missing required parameter: 'file'.", param="file", code="missing_required_parameter"
                )
            if not isinstance(model, str) or not model:
                return _error(
                    400, "Missing required parameter: 'model'.", param="model", code="missing_required_parameter"
                )
            if model not in self.models:
                return _error(400, f"Invalid model {model}.", param="model", code="invalid_model")
            response_format = str(form.get("response_format") or "json")
            if response_format not in RESPONSE_FORMATS:
                return _error(
                    400, f"Invalid value for 'response_format': '{response_format}'.", param="response_format"
                )
            language = form.get("language") or None
            if language is not None and language not in self._languages:
                return _error(
                    400,
                    f"Invalid language '{language}'. Language parameter must be specified in ISO-639-1 format.",
                    param="language",
                    code="invalid_language_format",
                )
            suffix = Path(upload.filename or "").suffix.lower().lstrip(".")
            if suffix not in SUPPORTED_FILE_FORMATS:
                return _error(400, f"Invalid file format. Supported formats: {SUPPORTED_FILE_FORMATS}", param="file")
            data = await upload.read()
            if len(data) > self.max_bytes:
                return _error(
                    413,
                    f"Maximum content size limit ({self.max_bytes}) exceeded ({len(data)} bytes read)",
                    type_="server_error",
                )
            prompt = str(form.get("prompt") or "") or None  # OpenAI: text the model continues, spelling included
            self.received.append(Received(upload.filename or "", len(data), model, language, response_format, prompt))
            try:
                segments, info = await run_in_threadpool(self._run, data, suffix, language, prompt)
            except Exception:  # noqa: BLE001 - undecodable upload
                return _error(400, f"Invalid file format. Supported formats: {SUPPORTED_FILE_FORMATS}", param="file")
        finally:
            await form.close()
        return self._render(response_format, segments, info)

    def _run(self, data: bytes, suffix: str, language: str | None, prompt: str | None = None):
        with tempfile.NamedTemporaryFile(suffix="." + suffix) as fh:
            fh.write(data)
            fh.flush()
            with self._lock:
                segments, info = self._model.transcribe(
                    fh.name, language=language, vad_filter=True, initial_prompt=prompt
                )
                return list(segments), info

    @staticmethod
    def _render(response_format: str, segments, info) -> Response:
        text = "".join(s.text for s in segments).strip()
        if response_format == "json":
            return JSONResponse({"text": text})
        if response_format == "text":
            return PlainTextResponse(text + "\n")
        if response_format == "verbose_json":
            return JSONResponse(
                {
                    "task": "transcribe",
                    "language": info.language,
                    "duration": info.duration,
                    "text": text,
                    "segments": [
                        {
                            "id": i,
                            "seek": s.seek,
                            "start": s.start,
                            "end": s.end,
                            "text": s.text,
                            "tokens": list(s.tokens),
                            "temperature": s.temperature,
                            "avg_logprob": s.avg_logprob,
                            "compression_ratio": s.compression_ratio,
                            "no_speech_prob": s.no_speech_prob,
                        }
                        for i, s in enumerate(segments)
                    ],
                }
            )
        if response_format == "vtt":
            body = "WEBVTT\n\n" + "".join(
                f"{_timestamp(s.start, '.')} --> {_timestamp(s.end, '.')}\n{s.text.strip()}\n\n" for s in segments
            )
            return PlainTextResponse(body, media_type="text/vtt")
        body = "".join(
            f"{i}\n{_timestamp(s.start, ',')} --> {_timestamp(s.end, ',')}\n{s.text.strip()}\n\n"
            for i, s in enumerate(segments, start=1)
        )
        return PlainTextResponse(body)


if __name__ == "__main__":  # manual use: python -m tests.transcription.openai_compatible_server MODEL_DIR KEY
    import sys

    server = OpenAICompatibleServer(Path(sys.argv[1]), api_key=sys.argv[2]).start()
    print(json.dumps({"base_url": server.base_url}), flush=True)
    threading.Event().wait()
