"""Hostile input on the pages: titles shown as typed (never Markdown), URL parameters that break nothing."""

from __future__ import annotations

import pytest

from tests.conftest import at
from tests.test_pages import app, signed_in
from visio_core.entrypoints.bootstrap import set_context

TRACKER = "![pixel](https://tracker.example/p.png) [clic](https://evil.example)"


@pytest.fixture
def hostile(ctx, people):
    set_context(ctx)
    m = ctx.meetings
    scheduled = m.create_meeting(people.op1, client_id=people.client_a.id, title=TRACKER, scheduled_at=at(1))
    live = m.create_meeting(people.op1, client_id=people.client_a.id, title=TRACKER + " live", scheduled_at=at(2))
    m.start_meeting(people.op1, live.id)
    yield {"scheduled": scheduled, "live": live}
    set_context(None)


def markdown_sources(test) -> list[str]:
    """Every string Streamlit will render as Markdown on this run."""
    kinds = ("markdown", "caption", "subheader", "header", "title", "warning", "success", "info", "error")
    return [str(e.value) for kind in kinds for e in getattr(test, kind)]


def assert_no_live_markdown(test, shown: bool = True) -> None:
    assert not test.exception, test.exception
    sources = markdown_sources(test)
    assert not shown or any("tracker" in s for s in sources), "the title is shown somewhere"
    for source in sources:
        assert "](https://" not in source, source  # a link or an image would be fetched by every viewer


def test_a_clients_list_shows_the_title_as_typed(hostile, people):
    test = signed_in(people.client_a)
    test.run()
    assert_no_live_markdown(test)


@pytest.mark.parametrize("page, meeting", [("pages/recordings.py", "scheduled"), ("pages/room.py", "live")])
def test_recordings_and_room_pages_show_the_title_as_typed(hostile, people, page, meeting):
    test = signed_in(people.client_a, meeting=str(hostile[meeting].id))
    test.switch_page(page)
    test.run()
    assert_no_live_markdown(test)


def test_hub_messages_show_the_title_as_typed(hostile, people):
    test = signed_in(people.op1)
    test.run()
    test.selectbox(key="hub_selected").select(hostile["scheduled"].id)
    test.run()
    test.button(key="hub_cancel").click()  # the confirmation names the meeting
    test.run()
    assert_no_live_markdown(test)
    test.button(key="hub_confirm_yes").click()
    test.run()
    assert_no_live_markdown(test, shown=False)


def test_login_page_renders(ctx):
    set_context(ctx)
    test = app()
    test.run()
    assert not test.exception
    set_context(None)


@pytest.mark.parametrize(
    "query",
    [{"from": "0001-01-01"}, {"to": "9999-12-31"}, {"from": "10000-01-01"}, {"from": "1899-12-31", "to": "3000-01-01"}],
)
def test_hub_dates_out_of_range_are_refused_with_a_message(hostile, people, query):
    test = signed_in(people.op1, **query)
    test.run()
    assert not test.exception, test.exception  # was: OverflowError and a traceback with server paths
    assert any("Date invalide" in str(e.value) for e in test.error)
    assert test.dataframe  # the Hub still lists the meetings, unfiltered by the bad date
