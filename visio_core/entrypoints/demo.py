"""Demo data for `make run`: written only into an empty store. For demos only."""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from visio_core.domain.model import Role, Tier, utcnow
from visio_core.entrypoints.context import AppContext

log = logging.getLogger("visio")

DEMO_PASSWORD = "demo-visio-2026"
OPERATOR_EMAIL = "mikl@foxeo.demo"
CLIENT_EMAILS = ("claire@client.demo", "bruno@client.demo")


def seed_demo(ctx: AppContext) -> bool:
    """Create one operator, two clients, one analyst and meetings in every status. False if the store had users."""
    if ctx.accounts.users.count() > 0:
        return False
    add = ctx.accounts.add_user
    mikl = add(email=OPERATOR_EMAIL, display_name="MiKL", role=Role.OPERATOR, password=DEMO_PASSWORD)
    claire = add(
        email=CLIENT_EMAILS[0],
        display_name="Claire Martin",
        role=Role.CLIENT,
        password=DEMO_PASSWORD,
        operator_id=mikl.id,
        tier=Tier.LAB,
    )
    bruno = add(
        email=CLIENT_EMAILS[1],
        display_name="Bruno Petit",
        role=Role.CLIENT,
        password=DEMO_PASSWORD,
        operator_id=mikl.id,
        tier=Tier.ONE,
    )
    add(
        email="analyste@foxeo.demo",
        display_name="Inès Laurent",
        role=Role.ANALYST,
        password=DEMO_PASSWORD,
        operator_id=mikl.id,
    )

    now = utcnow().replace(second=0, microsecond=0)
    service = ctx.meetings
    plan = [
        (claire, "Weekly review with the London office", -1, "end"),
        (claire, "Lancement du projet", -6, "end"),
        (bruno, "Revue de la maquette", -3, "end"),
        (claire, "Point d'étape hebdomadaire", 0, "start"),
        (bruno, "Atelier stratégie", 2, None),
        (claire, "Bilan mensuel", 7, None),
        (bruno, "Séance reportée", 1, "cancel"),
    ]
    for client, title, days, action in plan:
        meeting = service.create_meeting(
            mikl,
            client_id=client.id,
            title=title,
            description=f"Meeting de démonstration avec {client.display_name}.",
            scheduled_at=now + timedelta(days=days),
            language="en" if title.startswith("Weekly") else None,
        )
        # Past meetings get a realistic start and length: the service runs on the meeting's own clock.
        start_at = meeting.scheduled_at if days < 0 else now
        if action in ("start", "end"):
            dataclasses.replace(service, clock=_fixed(start_at)).start_meeting(mikl, meeting.id)
        if action == "end":
            end_at = start_at + timedelta(minutes=47, seconds=12)
            dataclasses.replace(service, clock=_fixed(end_at)).end_meeting(mikl, meeting.id)
        if action == "cancel":
            service.cancel_meeting(mikl, meeting.id)
        if title.startswith("Weekly"):
            demo_recording(ctx, meeting.id)
    return True


# The demo's recorded meeting: two people taking turns, in English (espeak-ng's English is what
# whisper-base transcribes well); the workers transcribe it like any recording.
DIALOGUE = [
    ("MiKL", "en-us", "Good morning Claire, thank you for joining the weekly review."),
    ("Claire Martin", "en+f3", "Good morning. The new website went live on Monday and the first feedback is good."),
    ("MiKL", "en-us", "Great news. What about the budget for the marketing campaign?"),
    ("Claire Martin", "en+f3", "We agreed to hire a freelance photographer for the product pictures."),
    ("MiKL", "en-us", "Perfect. Please send me the invoice before the end of the month."),
    ("Claire Martin", "en+f3", "I will. Thank you and have a nice week."),
]


def demo_recording(ctx: AppContext, meeting_id: uuid.UUID) -> bool:
    """Record the demo dialogue for this meeting when espeak-ng is here (the setup installs it)."""
    from visio_core.adapters.demo_media import espeak_available, make_dialogue

    if not espeak_available():
        log.warning("espeak-ng is missing: the demo meeting has no recording (apt-get install espeak-ng)")
        return False
    with tempfile.TemporaryDirectory() as tmp:
        media = Path(tmp) / "weekly-review.mp4"
        timeline = make_dialogue(media, DIALOGUE, "Weekly review - demo")
        ctx.ingest.ingest_file(meeting_id, media, source_recording_id="demo:weekly-review", speaking=timeline)
    return True


def _fixed(moment: datetime) -> Callable[[], datetime]:
    """A clock stopped at `moment`."""
    return lambda: moment
