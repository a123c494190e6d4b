"""Transcription of recordings into SRT.

Two providers behind one interface: offline faster-whisper (default) and the
OpenAI transcription API (when OPENAI_API_KEY is set). Importing this package is
cheap: faster-whisper and openai are imported only when a provider is built.

    from visio_core.transcription import build_transcriber, transcribe_to_srt
    srt_text = transcribe_to_srt(settings, Path("meeting.webm"), language="fr")
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Protocol, runtime_checkable

from visio_core.transcription.srt import Cue

ProgressCallback = Callable[[float], None]


@runtime_checkable
class Transcriber(Protocol):
    """Turns the audio of a media file into timed cues (seconds on the media's timeline)."""

    name: str

    def transcribe(
        self,
        media_path: Path,
        *,
        language: str | None,
        on_progress: ProgressCallback | None = None,
    ) -> list[Cue]:
        """`language`: ISO 639-1 code, or None to detect it. `on_progress` receives the
        share of the audio done, from 0 to 1, ending with 1.0. Raises InvalidInput for
        a file that is not media with sound, BackendUnavailable when the engine or
        the service cannot do the work."""
        ...


from visio_core.transcription.factory import build_transcriber, transcribe_to_srt  # noqa: E402

__all__ = ["Cue", "ProgressCallback", "Transcriber", "build_transcriber", "transcribe_to_srt"]
