"""Every outside thing the services need, as a Protocol: the contract each adapter meets.

One module per area (`stores`, `sessions`, `media`); import them from here.

Services are typed against these and nothing else; `entrypoints/bootstrap.py` picks the
adapters (SQLite or Supabase, local files or Supabase Storage, embedded room or OpenVidu,
offline Whisper or the OpenAI API). The contract tests in tests/contracts run the same
assertions against every implementation of a repository port.
"""

from __future__ import annotations

from visio_core.services.ports.media import (
    ChatModel,
    LanguageDetector,
    MediaEngine,
    MediaProbe,
    PosterMaker,
    ProgressCallback,
    Storage,
    SummaryJob,
    SummaryQueue,
    SummaryReader,
    Transcriber,
    VoiceClustering,
)
from visio_core.services.ports.sessions import (
    AccountProvider,
    BrowserSessions,
    OpenedSession,
    ProviderSession,
    ProviderSessions,
    Session,
    SessionSecrets,
)
from visio_core.services.ports.stores import (
    DownloadQueue,
    DownloadRow,
    LeasedQueue,
    LoginState,
    MeetingRepository,
    PasswordHashing,
    People,
    RecordingRepository,
    RecordingStore,
    SpeakingLog,
    SystemRecordings,
    TranscriptIndex,
    TranscriptionQueue,
    TranscriptSearch,
    UserRepository,
    VocabularyStore,
)

__all__ = [
    "AccountProvider",
    "BrowserSessions",
    "ChatModel",
    "DownloadQueue",
    "DownloadRow",
    "LanguageDetector",
    "LeasedQueue",
    "LoginState",
    "MediaEngine",
    "MediaProbe",
    "MeetingRepository",
    "OpenedSession",
    "PasswordHashing",
    "People",
    "PosterMaker",
    "ProgressCallback",
    "ProviderSession",
    "ProviderSessions",
    "Session",
    "RecordingRepository",
    "RecordingStore",
    "SessionSecrets",
    "SpeakingLog",
    "Storage",
    "SummaryJob",
    "SummaryQueue",
    "SummaryReader",
    "SystemRecordings",
    "Transcriber",
    "TranscriptIndex",
    "TranscriptSearch",
    "TranscriptionQueue",
    "UserRepository",
    "VocabularyStore",
    "VoiceClustering",
]
