"""Demo data for `make run`: written only into an empty store. For demos only."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta

from visio_core.domain.model import Role, Tier, utcnow
from visio_core.entrypoints.bootstrap import AppContext

DEMO_PASSWORD = "demo-visio-2026"
OPERATOR_EMAIL = "mikl@foxeo.demo"
CLIENT_EMAILS = ("claire@client.demo", "bruno@client.demo")


def seed_demo(ctx: AppContext) -> bool:
    """Create one operator, two clients, one analyst and meetings in every status. False if the store had users."""
    if ctx.accounts.users.count() > 0:
        return False
    add = ctx.accounts.add_user
    mikl = add(email=OPERATOR_EMAIL, display_name="MiKL", role=Role.OPERATOR, password=DEMO_PASSWORD)
    claire = add(email=CLIENT_EMAILS[0], display_name="Claire Martin (Lab)", role=Role.CLIENT,
                 password=DEMO_PASSWORD, operator_id=mikl.id, tier=Tier.LAB)
    bruno = add(email=CLIENT_EMAILS[1], display_name="Bruno Petit (One)", role=Role.CLIENT,
                password=DEMO_PASSWORD, operator_id=mikl.id, tier=Tier.ONE)
    add(email="analyste@foxeo.demo", display_name="Inès (analyste)", role=Role.ANALYST,
        password=DEMO_PASSWORD, operator_id=mikl.id)

    now = utcnow().replace(second=0, microsecond=0)
    service = ctx.meetings
    plan = [
        (claire, "Lancement du projet", -6, "end"),
        (bruno, "Revue de la maquette", -3, "end"),
        (claire, "Point d'étape hebdomadaire", 0, "start"),
        (bruno, "Atelier stratégie", 2, None),
        (claire, "Bilan mensuel", 7, None),
        (bruno, "Séance reportée", 1, "cancel"),
    ]
    for client, title, days, action in plan:
        meeting = service.create_meeting(
            mikl, client_id=client.id, title=title,
            description=f"Meeting de démonstration avec {client.display_name}.",
            scheduled_at=now + timedelta(days=days),
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
    return True


def _fixed(moment: datetime) -> Callable[[], datetime]:
    """A clock stopped at `moment`."""
    return lambda: moment
