"""Domain model: identities, meetings and their life cycle. Pure: no I/O here."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from visio_core.domain.errors import IllegalTransition, InvalidInput
from visio_core.domain.i18n import t
from visio_core.domain.languages import check_requested_language

TITLE_MAX = 200
DESCRIPTION_MAX = 5000


class Role(StrEnum):
    OPERATOR = "operator"
    CLIENT = "client"
    ANALYST = "analyst"


class Tier(StrEnum):
    LAB = "lab"
    ONE = "one"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class TranscriptionStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True)
class Identity:
    """Someone acting on the system. Clients and analysts belong to one operator."""

    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    operator_id: uuid.UUID | None = None
    tier: Tier | None = None

    @property
    def scope_operator_id(self) -> uuid.UUID | None:
        """The operator whose meetings this identity works with."""
        return self.id if self.role is Role.OPERATOR else self.operator_id


@dataclass(frozen=True)
class Meeting:
    id: uuid.UUID
    client_id: uuid.UUID
    operator_id: uuid.UUID
    title: str
    description: str
    scheduled_at: datetime
    status: MeetingStatus
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: int | None = None
    session_id: str | None = None
    language: str | None = None  # its recordings' transcription language: a Whisper code or "auto"; None = default


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_uuid(value: object) -> uuid.UUID:
    """A UUID from user input (query parameter, form), or InvalidInput."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, AttributeError, TypeError):
        raise InvalidInput(t("error.bad_id")) from None


def validate_title(title: str) -> str:
    cleaned = (title or "").strip()
    if not cleaned:
        raise InvalidInput(t("error.title_empty"))
    if len(cleaned) > TITLE_MAX:
        raise InvalidInput(t("error.title_too_long", max=TITLE_MAX))
    return cleaned


# A meeting created for a time already this far behind us is told so (it is accepted: see
# MeetingService.create_meeting); a few minutes is a meeting created to be held right now.
PAST_GRACE = timedelta(minutes=15)


def is_past(scheduled_at: datetime, now: datetime) -> bool:
    return scheduled_at < now - PAST_GRACE


def validate_description(description: str | None) -> str:
    cleaned = (description or "").strip()
    if len(cleaned) > DESCRIPTION_MAX:
        raise InvalidInput(t("error.description_too_long", max=DESCRIPTION_MAX))
    return cleaned


def session_id_for(meeting_id: uuid.UUID) -> str:
    """Media session name derived from the meeting, so opening it twice is idempotent."""
    return f"visio-{meeting_id}"


def new_meeting(
    *,
    operator_id: uuid.UUID,
    client_id: uuid.UUID,
    title: str,
    description: str | None,
    scheduled_at: datetime,
    now: datetime,
    language: str | None = None,
) -> Meeting:
    return Meeting(
        id=uuid.uuid4(),
        client_id=client_id,
        operator_id=operator_id,
        title=validate_title(title),
        description=validate_description(description),
        scheduled_at=scheduled_at,
        status=MeetingStatus.SCHEDULED,
        created_at=now,
        updated_at=now,
        language=check_requested_language(language) if language else None,
    )


def _require(meeting: Meeting, expected: MeetingStatus, action: str) -> None:
    if meeting.status is not expected:
        raise IllegalTransition(
            t(
                "error.illegal_transition",
                action=t(f"action.{action}"),
                status=t(f"status.{meeting.status.value}"),
            )
        )


def start(meeting: Meeting, now: datetime) -> Meeting:
    _require(meeting, MeetingStatus.SCHEDULED, "start")
    return dataclasses.replace(
        meeting,
        status=MeetingStatus.IN_PROGRESS,
        started_at=now,
        session_id=session_id_for(meeting.id),
        updated_at=now,
    )


def end(meeting: Meeting, now: datetime) -> Meeting:
    _require(meeting, MeetingStatus.IN_PROGRESS, "end")
    started = meeting.started_at or now
    return dataclasses.replace(
        meeting,
        status=MeetingStatus.COMPLETED,
        ended_at=now,
        duration_seconds=max(0, round((now - started).total_seconds())),
        updated_at=now,
    )


def cancel(meeting: Meeting, now: datetime) -> Meeting:
    _require(meeting, MeetingStatus.SCHEDULED, "cancel")
    return dataclasses.replace(meeting, status=MeetingStatus.CANCELLED, updated_at=now)


@dataclass(frozen=True)
class MeetingFilter:
    """What a list of meetings is narrowed to. Scope (operator / client) is set by the service."""

    statuses: frozenset[MeetingStatus] = frozenset()
    client_id: uuid.UUID | None = None
    scheduled_from: datetime | None = None
    scheduled_to: datetime | None = None
    title_contains: str | None = None
    operator_scope: uuid.UUID | None = None
    client_scope: uuid.UUID | None = None
    newest_first: bool = True


@dataclass(frozen=True)
class Page:
    items: list[Meeting]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


@dataclass(frozen=True)
class Recording:
    """A meeting's recording; its transcription status doubles as the job's state."""

    id: uuid.UUID
    meeting_id: uuid.UUID
    source_recording_id: str
    recording_url: str  # "recordings/{session_id}/{recording_id}.{ext}"
    recording_duration_seconds: float | None
    file_size_bytes: int
    transcript_url: str | None  # "transcripts/{recording_id}.srt" once completed
    transcription_status: TranscriptionStatus
    transcription_language: str
    attempts: int
    last_error: str | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    next_attempt_at: datetime
    progress: float
    created_at: datetime
    updated_at: datetime

    @property
    def storage_key(self) -> str:
        return self.recording_url.split("/", 1)[1]

    @property
    def extension(self) -> str:
        return self.recording_url.rsplit(".", 1)[-1]
