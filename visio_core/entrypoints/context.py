"""What a process holds once its context is built (entrypoints/bootstrap.py builds it), and the
few things it does with it: the queues a worker serves, crash recovery at start, the health report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from visio_core.adapters.exports.docx_export import transcript_docx
from visio_core.adapters.openvidu.downloads import RecordingDownloads
from visio_core.adapters.sqlite.database import Database
from visio_core.adapters.sqlite.web_sessions import WebSessions
from visio_core.domain.model import Recording, utcnow
from visio_core.entrypoints.config import Settings
from visio_core.entrypoints.transcription import build_voice_clustering
from visio_core.services.accounts import AccountService
from visio_core.services.ingest import RecordingIngest
from visio_core.services.jobs import JobKind, JobRunner, TranscriptionJobs
from visio_core.services.meetings import MeetingService
from visio_core.services.ports import (
    ChatModel,
    MediaEngine,
    SpeakingLog,
    Storage,
    SummaryQueue,
    SystemRecordings,
    Transcriber,
    TranscriptIndex,
)
from visio_core.services.recordings import RecordingService
from visio_core.services.sessions import Sessions
from visio_core.services.spool import remove_orphans
from visio_core.services.summaries import SummaryJobs, SummaryService
from visio_core.services.vocabulary import VocabularyService

log = logging.getLogger("visio")


@dataclass
class AppContext:
    """The process-wide services; on Supabase these act with the service role (system paths only)."""

    settings: Settings
    db: Database  # embedded store; on Supabase only the browser sessions
    storage: Storage
    engine: MediaEngine
    accounts: AccountService
    meetings: MeetingService
    recordings: RecordingService
    system_recordings: SystemRecordings  # the worker's queue and the ingest's store
    ingest: RecordingIngest  # system path (worker, webhook, recorder); pages use `recordings`
    index: TranscriptIndex
    web_sessions: WebSessions
    downloads: RecordingDownloads | None  # OpenVidu's recordings to fetch; None on the embedded room
    speaking: SpeakingLog  # who spoke when, as OpenVidu rooms' pages report it
    vocabulary: VocabularyService
    transcriber: Callable[[], Transcriber]  # built on first use: loading a model is not free
    summaries: SummaryService
    summary_queue: SummaryQueue  # system rights
    chat_model: Callable[[], ChatModel] | None  # None: no summaries
    sessions: Sessions  # sign-in, who holds a browser session, what he may use
    clock: Callable[[], datetime] = utcnow

    def request_summary(self, recording: Recording) -> None:
        """After each transcription: its summary, when a chat model is configured."""
        if self.chat_model is not None:
            self.summary_queue.request(recording.id, self.clock())

    def vocabulary_for(self, recording: Recording) -> list[str]:
        """The vocabulary of the operator whose meeting this recording is (system access)."""
        meeting = self.meetings.meetings.get(recording.meeting_id)
        return self.vocabulary.for_operator(meeting.operator_id) if meeting is not None else []

    def detect_language(self, media_path: Path) -> tuple[str, float]:
        """For recordings set to "auto": the offline model's detection on the speech (loaded on first use)."""
        from visio_core.adapters.transcription.language import detect_language

        return detect_language(self.settings.whisper_model_dir, media_path)

    def recover_after_crash(self) -> int:
        """At a process's start: remove the half-written spool files of processes that died here."""
        removed = remove_orphans(self.settings.data_dir)
        if removed:
            log.warning("removed %d half-written file(s) left by a process that stopped mid-write", removed)
        return removed

    def job_kinds(self) -> list[JobKind[Any]]:
        """Every queue a worker serves."""
        lease = timedelta(seconds=self.settings.job_lease_seconds)
        kinds: list[JobKind[Any]] = [
            TranscriptionJobs(
                self.system_recordings,
                self.storage,
                self.transcriber,
                self.index,
                detect_language=self.detect_language,
                document=transcript_docx,
                vocabulary=self.vocabulary_for,
                voices=build_voice_clustering(self.settings),
                lease=lease,
                clock=self.clock,
                on_complete=self.request_summary,
            )
        ]
        if self.chat_model is not None:
            kinds.append(
                SummaryJobs(
                    self.summary_queue,
                    self.system_recordings,
                    self.storage,
                    self.chat_model,
                    chunk_chars=self.settings.summary_chunk_chars,
                    lease=lease,
                    clock=self.clock,
                )
            )
        if self.downloads is not None:
            kinds.append(self.downloads)
        return kinds

    def job_runner(self) -> JobRunner:
        return JobRunner(self.job_kinds(), clock=self.clock)

    def backends(self) -> dict[str, str]:
        """What actually runs (not what the settings ask for), for /api/health."""
        return {
            "store": self.settings.store_backend,
            "storage": self.storage.name,
            "media": self.engine.name,
            "transcription": self.settings.transcription_backend,
            "summary": "openai" if self.chat_model is not None else "off",
        }
