"""Choosing the provider from Settings, and the one-call SRT helper the CLI and the worker use."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import t

if TYPE_CHECKING:
    from visio_core.entrypoints.config import Settings
    from visio_core.services.ports import ProgressCallback, Transcriber, VoiceClustering

AUTO_LANGUAGE = "auto"


def build_transcriber(settings: Settings) -> Transcriber:
    """OpenAI API when settings.openai_api_key is set, offline faster-whisper otherwise."""
    if settings.openai_api_key:
        from visio_core.adapters.transcription.openai_api import OpenAITranscriber

        return OpenAITranscriber(
            settings.openai_api_key,
            base_url=settings.openai_base_url,
            model=settings.transcription_model,
        )
    from visio_core.adapters.transcription.local import LocalWhisperTranscriber

    return LocalWhisperTranscriber(settings.whisper_model_dir)


def build_voice_clustering(settings: Settings) -> VoiceClustering | None:
    """Resemblyzer's encoder in numpy when its weights were installed (make setup); None otherwise,
    and then recordings without a speaking timeline keep lines without speakers."""
    if not settings.voice_encoder.is_file():
        return None
    from visio_core.adapters.transcription.voices import VoiceClusters

    return VoiceClusters(settings.voice_encoder)


def resolve_language(settings: Settings, language: str | None) -> str | None:
    """None → the configured default; "auto" → None (let Whisper detect it)."""
    value = (language or settings.default_language or "").strip().lower()
    return None if value in ("", AUTO_LANGUAGE) else value


def transcribe_to_srt(
    settings: Settings,
    path: str | Path,
    language: str | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    transcriber: Transcriber | None = None,
    by_voice: bool = False,
    speakers: int | None = None,
) -> str:
    """The SRT text of a media file's speech (empty string when nothing was said).

    `by_voice`: lines labelled "Intervenant 1/2…" by voice; `speakers`: how many people spoke,
    when the operator knows it (otherwise estimated)."""
    from visio_core.domain import speakers as speaker_labels
    from visio_core.domain import srt

    path = Path(path)
    if not path.is_file():
        raise InvalidInput(t("transcription.file_not_found", name=path.name))
    voices = build_voice_clustering(settings) if by_voice or speakers else None
    if (by_voice or speakers) and voices is None:
        raise InvalidInput(t("transcription.no_voice_encoder", path=settings.voice_encoder))
    engine = transcriber or build_transcriber(settings)
    cues = srt.normalize(
        engine.transcribe(path, language=resolve_language(settings, language), on_progress=on_progress)
    )
    if voices is not None and cues:
        groups = voices.cluster(path, [(cue.start, cue.end) for cue in cues], speakers=speakers)
        cues = speaker_labels.by_voice(cues, groups)
    return srt.render_srt(cues)
