"""What the Hub's live list shows, boiled down to a short digest a page can poll.

The Hub used to rerun its live list every 5 s whatever happened; a form submitted at the
moment a timed rerun was queued could be coalesced away by Streamlit (the click was lost).
Now the page asks for this digest (a cheap JSON route) and reruns the list only when it changes:
a meeting created, started or ended anywhere, a transcription moving on.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from visio_core.domain.model import Identity
from visio_core.domain.policy import require_operator
from visio_core.services.meetings import MeetingService
from visio_core.services.recordings import RecordingService

NEWEST = 50  # meetings whose every field counts; older ones count through the status totals


def hub_digest(meetings: MeetingService, recordings: RecordingService, operator: Identity) -> str:
    """A digest that changes when anything the operator's Hub list shows changes. Forbidden for others."""
    require_operator(operator)
    counts = sorted((status.value, count) for status, count in meetings.count_by_status(operator).items())
    newest = [dataclasses.asdict(m) for m in meetings.list_meetings(operator, page_size=NEWEST).items]
    jobs = [dataclasses.asdict(recording) for recording, _ in recordings.jobs_in_progress(operator)]
    text = json.dumps([counts, newest, jobs], default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]
