"""Meeting summaries: written by a worker after transcription, or again on demand after corrections.

`summarize` cuts a long transcript into chunks, asks the chat model for each, then merges the
partial summaries with one more call; `SummaryJobs` is the job runner's queue for it;
`SummaryService` is what pages use (anyone who sees the recording reads its summary; the
operator and his analysts, who may correct the transcript, ask for a new one).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from visio_core.domain import model as models
from visio_core.domain.errors import Forbidden, IllegalTransition, InvalidInput
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity, TranscriptionStatus, utcnow
from visio_core.domain.policy import can_edit_transcript
from visio_core.domain.summary import (
    SCHEMA,
    Summary,
    SummaryState,
    chunks,
    cited,
    parse_answer,
    partial_text,
    to_json,
    transcript_text,
)
from visio_core.domain.transcript import Transcript
from visio_core.services.jobs import LeaseLost, PermanentFailure, Renew, RetryPolicy
from visio_core.services.ports import ChatModel, RecordingRepository, Storage, SummaryJob, SummaryQueue, SummaryReader
from visio_core.services.recordings import RecordingService
from visio_core.services.transcripts import read_transcript

# ≈ 6,000 tokens of transcript a call, so a model with an 8k context still has room to answer.
CHUNK_CHARS = 24_000
SCHEMA_NAME = "meeting_summary"

SYSTEM = (
    "You summarise a video meeting from its transcript for the people who attended it. Answer in French, "
    "with one JSON object: `summary` (at most 5 sentences), `decisions` (what was decided) and "
    "`action_items` (what someone must do, `owner` the person named for it or null when nobody was). "
    "Every decision and action item cites in `cue` the number N of the transcript line [#N …] it comes "
    "from. Use only what the transcript says; an empty list is a good answer when nothing was decided."
)
CHUNK_PROMPT = "Transcript, part {part} of {parts} (lines `[#N mm:ss] Speaker: text`):\n"
MERGE_PROMPT = (
    "These are summaries of consecutive parts of one meeting, as JSON, one per line. Merge them into one "
    "summary of the whole meeting: keep every distinct decision and action item, merge duplicates, and "
    "keep for each the `cue` it cites.\n"
)


def summarize(
    model: ChatModel,
    transcript: Transcript,
    *,
    at: datetime,
    chunk_chars: int = CHUNK_CHARS,
    renew: Renew | None = None,
) -> Summary:
    """The transcript's summary; items citing a line the model was not shown are dropped."""
    cues = transcript.cues
    runs = chunks(cues, chunk_chars)
    calls = len(runs) + (1 if len(runs) > 1 else 0)
    parts: list[Summary] = []
    for n, run in enumerate(runs):
        prompt = CHUNK_PROMPT.format(part=n + 1, parts=len(runs)) + transcript_text(cues, run)
        answer = model.complete_json(SYSTEM, prompt, SCHEMA_NAME, SCHEMA)
        parts.append(parse_answer(answer, cues, set(run), model=model.name, at=at))
        if renew is not None:
            renew((n + 1) / calls)
    if len(parts) == 1:
        return parts[0]
    answer = model.complete_json(SYSTEM, MERGE_PROMPT + partial_text(parts, cues), SCHEMA_NAME, SCHEMA)
    merged = parse_answer(answer, cues, cited(parts), model=model.name, at=at)
    return dataclasses.replace(merged, dropped=merged.dropped + sum(p.dropped for p in parts), chunks=len(runs))


@dataclass
class SummaryJobs:
    """The job runner's queue of summaries to write (after each transcription, and on demand)."""

    queue: SummaryQueue
    recordings: RecordingRepository
    storage: Storage
    model: Callable[[], ChatModel]
    chunk_chars: int = CHUNK_CHARS
    policy: RetryPolicy = RetryPolicy(max_attempts=4, first_delay=timedelta(seconds=30), factor=2)
    lease: timedelta = timedelta(seconds=30)
    clock: Callable[[], datetime] = utcnow
    name: str = "summary"

    def tick(self, now: datetime) -> None:
        return None

    def key(self, job: SummaryJob) -> uuid.UUID:
        return job.recording_id

    def describe(self, job: SummaryJob) -> str:
        return f"summary of recording {job.recording_id}"

    def run(self, job: SummaryJob, worker: str, renew: Renew) -> None:
        renew(0.0)
        recording = self.recordings.get(job.recording_id)
        if recording is None or recording.transcription_status is not TranscriptionStatus.COMPLETED:
            raise PermanentFailure(t("summary.no_transcript"))
        transcript = read_transcript(self.storage, recording)
        if not transcript.cues:
            raise PermanentFailure(t("summary.empty_transcript"))
        summary = summarize(self.model(), transcript, at=self.clock(), chunk_chars=self.chunk_chars, renew=renew)
        if not self.queue.complete(job.recording_id, worker, to_json(summary), self.clock()):
            raise LeaseLost()


@dataclass
class SummaryService:
    recordings: RecordingService  # who may see which recording
    reader: SummaryReader  # as the user (RLS on Supabase)
    queue: SummaryQueue | None  # the system's; None when no chat model is configured
    clock: Callable[[], datetime] = models.utcnow

    @property
    def configured(self) -> bool:
        return self.queue is not None

    def state(self, actor: Identity, recording_id: uuid.UUID | str) -> SummaryState | None:
        """The recording's summary and its job, for anyone who may see the recording."""
        recording, _ = self.recordings.get_recording(actor, recording_id)
        return self.reader.get(recording.id)

    def regenerate(self, actor: Identity, recording_id: uuid.UUID | str) -> None:
        """Ask for a new summary of the transcript as it is now (after corrections)."""
        recording, meeting = self.recordings.get_recording(actor, recording_id)
        if not can_edit_transcript(actor, meeting):
            raise Forbidden(t("error.forbidden"))
        if self.queue is None:
            raise InvalidInput(t("summary.not_configured"))
        if recording.transcription_status is not TranscriptionStatus.COMPLETED:
            raise IllegalTransition(t("rec.no_transcript"))
        current = self.reader.get(recording.id)
        if current is not None and current.busy:
            raise IllegalTransition(t("summary.busy"))
        self.queue.request(recording.id, self.clock())
