"""Page logic through Streamlit's AppTest: sign-in, navigation per role, Hub, client list, room guard."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import PASSWORD, at
from visio_core.domain.model import MeetingStatus
from visio_core.entrypoints.bootstrap import set_context

ROOT = Path(__file__).resolve().parent.parent
SUBMIT = "FormSubmitter:hub_create-Créer le meeting"


@pytest.fixture
def world(ctx, people):
    set_context(ctx)
    m = ctx.meetings
    a1 = m.create_meeting(people.op1, client_id=people.client_a.id, title="Point A1", scheduled_at=at(1))
    a2 = m.create_meeting(people.op1, client_id=people.client_a.id, title="Point A2", scheduled_at=at(2))
    b1 = m.create_meeting(people.op1, client_id=people.client_b.id, title="Secret B1", scheduled_at=at(3))
    m.start_meeting(people.op1, a2.id)
    yield {"a1": a1, "a2": a2, "b1": b1}
    set_context(None)


def app(path: str = "Home.py") -> AppTest:
    return AppTest.from_file(str(ROOT / path), default_timeout=30)


def signed_in(identity, **query) -> AppTest:
    test = app()
    test.session_state["visio_user_id"] = identity.id
    test.session_state["visio_last_seen"] = time.monotonic()
    for key, value in query.items():
        test.query_params[key] = value
    return test


def texts(test: AppTest) -> str:
    parts = [e.value for e in (*test.markdown, *test.caption, *test.info, *test.warning, *test.error, *test.success)]
    return "\n".join(str(p) for p in parts)


def test_login_then_hub(world, people):
    test = app()
    test.run()
    assert not test.exception
    test.text_input(key="login_email").input("op1@example.com")
    test.text_input(key="login_password").input("wrong-password")
    test.button[0].click()
    test.run()
    assert "Email ou mot de passe incorrect." in texts(test)
    test.text_input(key="login_password").input(PASSWORD)
    test.button[0].click()
    test.run()
    assert not test.exception
    assert test.title[0].value.startswith("Hub")
    counts = {m.label: m.value for m in test.metric}
    assert counts == {"Planifié": "2", "En cours": "1", "Terminé": "0", "Annulé": "0"}
    table = test.dataframe[0].value
    assert set(table["Titre"]) == {"Point A1", "Point A2", "Secret B1"}


def test_hub_status_filter_from_url(world, people):
    test = signed_in(people.op1, status="in_progress")
    test.run()
    assert list(test.dataframe[0].value["Titre"]) == ["Point A2"]
    test.multiselect(key="hub_status").set_value([MeetingStatus.SCHEDULED])
    test.run()
    assert set(test.dataframe[0].value["Titre"]) == {"Point A1", "Secret B1"}
    assert test.query_params["status"] in ("scheduled", ["scheduled"])


def test_hub_rejects_bad_query_params(world, people):
    test = signed_in(people.op1, status="finished", client="not-a-uuid", **{"from": "31/02/2026"})
    test.run()
    assert not test.exception
    shown = texts(test)
    assert "Statut inconnu" in shown and "Identifiant invalide" in shown and "Date invalide" in shown
    assert len(test.dataframe[0].value) == 3  # the bad filters are ignored, not half-applied


def test_hub_start_with_confirmation(ctx, world, people):
    test = signed_in(people.op1, status="scheduled")
    test.run()
    test.selectbox(key="hub_selected").select(world["a1"].id)
    test.run()
    test.button(key="hub_start").click()
    test.run()
    assert "Confirmer : démarrer « Point A1 » ?" in texts(test)
    assert ctx.meetings.get_meeting(people.op1, world["a1"].id).status is MeetingStatus.SCHEDULED
    test.button(key="hub_confirm_yes").click()
    test.run()
    assert not test.exception
    assert ctx.meetings.get_meeting(people.op1, world["a1"].id).status is MeetingStatus.IN_PROGRESS
    assert "Meeting démarré." in texts(test)


def test_hub_cancel_can_be_abandoned(ctx, world, people):
    test = signed_in(people.op1, status="scheduled")
    test.run()
    test.selectbox(key="hub_selected").select(world["b1"].id)
    test.run()
    test.button(key="hub_cancel").click()
    test.run()
    test.button(key="hub_confirm_no").click()
    test.run()
    assert ctx.meetings.get_meeting(people.op1, world["b1"].id).status is MeetingStatus.SCHEDULED


def test_hub_create_validates_then_creates(ctx, world, people):
    test = signed_in(people.op1)
    test.run()
    test.text_input(key="create_title").input("   ")
    test.button(key=SUBMIT).click()
    test.run()
    assert "Le titre est obligatoire." in texts(test)
    assert ctx.meetings.list_meetings(people.op1).total == 3
    test.text_input(key="create_title").input("Kick-off Client B")
    test.selectbox(key="create_client").select(people.client_b.id)
    test.button(key=SUBMIT).click()
    test.run()
    assert not test.exception
    created = ctx.meetings.list_meetings(people.op1, title_contains="Kick-off").items
    assert len(created) == 1 and created[0].client_id == people.client_b.id
    assert "Meeting « Kick-off Client B » créé." in texts(test)


def test_client_sees_only_his_meetings_with_join_link(world, people):
    test = signed_in(people.client_a)
    test.run()
    assert not test.exception
    assert test.title[0].value == "Mes meetings"
    shown = texts(test)
    assert "Point A1" in shown and "Point A2" in shown and "Secret B1" not in shown
    links = [e for e in test.get("page_link")]
    assert len(links) == 1 and "Rejoindre" in links[0].proto.label


def test_the_analyst_home_names_each_meetings_client(world, people):
    test = signed_in(people.analyst)
    test.run()
    assert not test.exception
    assert test.title[0].value == "Meetings des clients"
    shown = texts(test)
    assert f"Client : {people.client_a.display_name}" in shown and "Point A1" in shown


def test_client_cannot_open_the_hub(world, people):
    test = signed_in(people.client_a)
    test.switch_page("pages/hub.py")
    test.run()
    assert "Hub" not in [t.value for t in test.title]


@pytest.mark.parametrize(
    "who, meeting, expected",
    [
        ("client_a", "not-a-uuid", "Identifiant invalide"),
        ("client_a", "b1", "Meeting introuvable."),
        ("client_c", "a2", "Meeting introuvable."),
        ("client_a", "a1", "n'est pas en cours"),
        ("client_a", "a2", "pas encore disponible"),
    ],
)
def test_room_guard(world, people, who, meeting, expected):
    meeting_id = str(world[meeting].id) if meeting in world else meeting
    test = signed_in(getattr(people, who), meeting=meeting_id)
    test.switch_page("pages/room.py")
    test.run()
    assert not test.exception
    assert expected in texts(test)


def test_idle_session_expires(world, people, ctx):
    test = signed_in(people.op1)
    test.session_state["visio_last_seen"] = time.monotonic() - ctx.settings.session_timeout_minutes * 60 - 1
    test.run()
    assert "Votre session a expiré" in texts(test)
    assert test.text_input(key="login_email")


def test_logout(world, people):
    test = signed_in(people.op1)
    test.run()
    test.sidebar.button(key="logout").click()
    test.run()
    assert "visio_user_id" not in test.session_state
    assert not test.dataframe and not test.metric  # nothing of the Hub is shown any more
