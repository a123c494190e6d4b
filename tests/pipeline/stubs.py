"""A transcriber of our own for job-mechanics tests (the real one runs in test_transcribe_e2e)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from visio_core.domain.srt import Cue


class StubTranscriber:
    name = "stub"

    def __init__(
        self, *, fail_with: Exception | None = None, sleep: float = 0.0, log: Path | None = None, tag: str = "stub"
    ) -> None:
        self.fail_with, self.sleep, self.log, self.tag = fail_with, sleep, log, tag
        self.calls: list[tuple[Path, str | None]] = []

    def transcribe(self, media_path: Path, *, language: str | None, on_progress=None, vocabulary=()) -> list[Cue]:
        self.vocabulary = list(vocabulary)
        self.calls.append((media_path, language))
        if self.log:
            with open(self.log, "a") as fh:
                fh.write(f"{media_path.stem} {self.tag} {os.getpid()}\n")
        steps = 10
        for i in range(steps):
            if on_progress:
                on_progress(i / steps)
            time.sleep(self.sleep / steps)
        if self.fail_with:
            raise self.fail_with
        return [Cue(1, 0.0, 1.5, f"transcrit par {self.tag} en {language}")]
