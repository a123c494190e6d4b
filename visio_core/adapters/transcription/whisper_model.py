"""The faster-whisper model, loaded once per (directory, threads, compute type) and shared by
every transcriber and thread of the process (CTranslate2 serves concurrent calls on one model)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from visio_core.domain.errors import BackendUnavailable
from visio_core.domain.i18n import t

log = logging.getLogger(__name__)

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
