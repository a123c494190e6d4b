"""The JSON shapes the routes and the page read of a room, built from participants as they are."""

from __future__ import annotations

import uuid

from visio_core.adapters.embedded_room import live_state
from visio_core.adapters.embedded_room.participant import MIC_OFF_AFTER, Participant
from visio_core.adapters.embedded_room.screen import Share


def test_the_roster_says_what_the_server_receives_and_the_page_sees_names_and_connections():
    ana = Participant("ana", uuid.uuid4(), "Ana", joined_at=0.0, loud_at=10.0, level=-23.456, audio_frames=7)
    bob = Participant("bob", uuid.uuid4(), "Bob", joined_at=0.0, lost_at=9.0)
    everyone = live_state.roster([ana, bob], now=10.0 + MIC_OFF_AFTER / 2)
    assert everyone[0] == {
        "name": "Ana",
        "user_id": str(ana.user_id),
        "mic_off": False,
        "camera_off": True,  # no picture yet
        "audio_level_dbfs": -23.5,
        "audio_frames": 7,
        "video_frames": 0,
        "connected": True,
    }
    assert everyone[1]["mic_off"] and not everyone[1]["connected"]
    assert live_state.state(True, everyone) == {
        "live": True,
        "lost": True,
        "roster": [{"name": "Ana", "connected": True}, {"name": "Bob", "connected": False}],
    }


def test_the_screen_says_who_shares_and_how_much_arrived():
    assert live_state.screen(None) is None
    assert live_state.screen(Share("id", "ana", "Ana", frames=3)) == {"sharer": "Ana", "frames": 3}
