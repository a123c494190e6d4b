"""The embedded engine under the meetings service: who enters, what ending a meeting leaves behind."""

from __future__ import annotations

import uuid

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from tests.conftest import at
from tests.room.conftest import decoded_audio, dominant_frequency, picture, tone
from visio_core.adapters.sqlite.web_sessions import COOKIE
from visio_core.domain.errors import Forbidden, IllegalTransition, InvalidInput, NotFound
from visio_core.domain.model import TranscriptionStatus
from visio_core.entrypoints.web import make_routes


def speak(room, key: str, ticks: int) -> None:
    for i in range(ticks):
        room.push_audio(key, tone(440, tick=i))
        if i % 3 == 0:
            room.push_video(key, picture(i))
        room.tick()


def test_the_operator_and_the_client_enter_nobody_else(ctx, people, embedded, meeting):
    assert embedded.room_for(ctx.meetings.enter_room(people.op1, meeting.id)) is embedded.room_for(
        ctx.meetings.enter_room(people.client_a, str(meeting.id))
    )
    with pytest.raises(Forbidden):
        embedded.room_for(ctx.meetings.enter_room(people.analyst, meeting.id))
    for stranger in (people.client_b, people.client_c, people.op2):
        with pytest.raises(NotFound):
            embedded.room_for(ctx.meetings.enter_room(stranger, meeting.id))
    with pytest.raises(NotFound):
        embedded.room_for(ctx.meetings.enter_room(people.op1, uuid.uuid4()))
    with pytest.raises(InvalidInput):
        embedded.room_for(ctx.meetings.enter_room(people.op1, "../etc"))


def test_no_room_before_the_start_or_after_the_end(ctx, people, embedded, meeting):
    scheduled = ctx.meetings.create_meeting(
        people.op1, client_id=people.client_a.id, title="Plus tard", scheduled_at=at(1)
    )
    with pytest.raises(IllegalTransition, match="pas en cours"):
        embedded.room_for(ctx.meetings.enter_room(people.client_a, scheduled.id))
    ctx.meetings.end_meeting(people.op1, meeting.id)
    with pytest.raises(IllegalTransition, match="pas en cours"):
        embedded.room_for(ctx.meetings.enter_room(people.op1, meeting.id))


def test_only_the_meetings_operator_may_take_over_a_screen_share(ctx, people, meeting):
    assert ctx.meetings.share_screen(people.op1, meeting.id, takeover=True).id == meeting.id
    assert ctx.meetings.share_screen(people.client_a, meeting.id, takeover=False).id == meeting.id
    with pytest.raises(Forbidden, match="Seul l'opérateur"):
        ctx.meetings.share_screen(people.client_a, meeting.id, takeover=True)
    with pytest.raises(Forbidden):
        ctx.meetings.share_screen(people.analyst, meeting.id, takeover=False)  # not in the room at all
    with pytest.raises(NotFound):
        ctx.meetings.share_screen(people.op2, meeting.id, takeover=True)  # another operator's meeting


@pytest.mark.slow
def test_ending_the_meeting_hands_the_room_recording_to_the_pipeline(ctx, people, embedded, meeting):
    room = embedded.room_for(ctx.meetings.enter_room(people.op1, meeting.id))
    room._run_clock = False  # this test drives the room clock itself
    room.admit("tab-op", people.op1.id, people.op1.display_name)
    room.admit("tab-client", people.client_a.id, people.client_a.display_name)
    speak(room, "tab-op", 150)
    room.leave("tab-op")  # left before the end: the recording is still finalised by end_meeting
    ctx.meetings.end_meeting(people.op1, meeting.id)
    embedded.settle()  # stored in the background: the operator's click does not wait for it

    recordings = ctx.recordings.list_recordings(people.client_a, meeting.id)
    assert len(recordings) == 1
    recording = recordings[0]
    assert recording.transcription_status is TranscriptionStatus.PENDING
    assert recording.recording_duration_seconds == pytest.approx(3.0, abs=0.2)
    assert recording.recording_url.endswith(".mp4") and recording.file_size_bytes > 10_000
    assert not list((ctx.settings.data_dir / "rooms").glob("*.mp4"))  # the working copy is gone
    with pytest.raises(IllegalTransition):
        ctx.meetings.end_meeting(people.op1, meeting.id)
    assert len(ctx.recordings.list_recordings(people.op1, meeting.id)) == 1


def test_a_meeting_nobody_joined_ends_without_recording_or_error(ctx, people, embedded, meeting):
    room = embedded.room_for(ctx.meetings.enter_room(people.client_a, meeting.id))
    room.admit("tab", people.client_a.id, "Client A")  # opened the page, never connected
    ended = ctx.meetings.end_meeting(people.op1, meeting.id)
    embedded.settle()
    assert ended.duration_seconds is not None
    assert ctx.recordings.list_recordings(people.op1, meeting.id) == []


def test_ice_servers_come_only_from_the_configuration(embedded, tmp_path):
    from visio_core.adapters.embedded_room.engine import EmbeddedEngine

    assert embedded.rtc_configuration() == {"iceServers": []}  # loopback / LAN: host candidates only
    configured = EmbeddedEngine(
        embedded.ingest,
        tmp_path / "rooms",
        ("stun:stun.example.org:3478", "turn:turn.example.org:3478?transport=udp"),
        "visio",
        "s3cret",
    )
    assert configured.rtc_configuration() == {
        "iceServers": [
            {"urls": ["stun:stun.example.org:3478"]},
            {"urls": ["turn:turn.example.org:3478?transport=udp"], "username": "visio", "credential": "s3cret"},
        ]
    }


def test_room_route_tells_participants_who_is_in_and_refuses_everyone_else(ctx, people, embedded, meeting):
    client = TestClient(Starlette(routes=make_routes(lambda: ctx)))
    url = f"/api/rooms/{meeting.id}"

    def as_user(identity):
        opened = ctx.web_sessions.open_session(identity.id)
        code, _ = opened.claim, opened.key
        client.cookies.set(COOKIE, ctx.web_sessions.claim(code))

    client.cookies.clear()
    assert client.get(url).status_code == 401
    client.cookies.set(COOKIE, "forged")
    assert client.get(url).status_code == 401

    room = embedded.room_for(ctx.meetings.enter_room(people.op1, meeting.id))
    room._run_clock = False
    room.admit("tab", people.client_a.id, "Client A")
    speak(room, "tab", 20)
    as_user(people.op1)
    body = client.get(url).json()
    assert [p["name"] for p in body["participants"]] == ["Client A"]
    assert body["participants"][0]["audio_frames"] == 20 and not body["participants"][0]["mic_off"]

    as_user(people.client_b)
    assert client.get(url).status_code == 404
    as_user(people.analyst)
    assert client.get(url).status_code == 403
    as_user(people.op1)
    assert client.get("/api/rooms/not-a-uuid").status_code == 400
    ctx.meetings.end_meeting(people.op1, meeting.id)
    assert client.get(url).status_code == 409


CRASHING_RECORDER = """
import os, sys
from pathlib import Path
import numpy as np
from visio_core.adapters.embedded_room.audio import SAMPLES_PER_TICK
from visio_core.adapters.embedded_room.grid import HEIGHT, WIDTH
from visio_core.adapters.embedded_room.recorder import FPS, RoomRecorder

recorder = RoomRecorder(Path(sys.argv[1]))
yuv = np.full((HEIGHT * 3 // 2, WIDTH), 128, dtype=np.uint8)
t = np.arange(SAMPLES_PER_TICK)
for i in range(int(sys.argv[2]) * 50):
    while recorder.frames <= recorder.seconds * FPS:
        recorder.write_video(yuv)
    recorder.write_audio((8000 * np.sin(2 * np.pi * 440 * (t + i * SAMPLES_PER_TICK) / 48000)).astype(np.int16))
os._exit(0)  # the process dies mid-meeting: nothing is closed or flushed
"""


def crash_while_recording(path, seconds: int) -> None:
    import subprocess
    import sys

    from tests.browser_support import ROOT

    subprocess.run(
        [sys.executable, "-c", CRASHING_RECORDER, str(path), str(seconds)], cwd=ROOT, check=True, timeout=120
    )


def test_a_recording_cut_by_a_crash_is_finished_and_ingested_at_the_next_start(ctx, meeting):
    from visio_core.adapters.embedded_room.engine import EmbeddedEngine

    rooms = ctx.settings.data_dir / "rooms-crash"
    final = rooms / f"{meeting.id}-20261125T100000-abcdef.mp4"
    crash_while_recording(final, 7)
    partial = rooms / f"{meeting.id}-20261125T100000-abcdef.rec.mp4"
    assert partial.exists() and not final.exists()
    (rooms / f"{uuid.uuid4()}-20261125T100000-000000.rec.mp4").write_bytes(b"not an mp4")  # unreadable
    (rooms / "notes.mp4").write_bytes(b"")  # not a room file

    engine = EmbeddedEngine(ctx.ingest, rooms)
    assert engine.recovery is None  # only the dashboard starts it, not a CLI run building a context
    engine.start_background()  # what the dashboard process does when it starts
    engine.recovery.join(timeout=60)
    [recording] = ctx.system_recordings.list_for_meeting(meeting.id)
    # fragments close at each keyframe (2 s): what was recorded before the last one survives
    assert recording.recording_duration_seconds >= 3.9
    assert recording.source_recording_id == f"embedded:{final.stem}"
    with ctx.storage.local_copy("recordings", recording.storage_key) as stored:
        samples = decoded_audio(stored)
    assert dominant_frequency(samples[48_000:96_000]) == pytest.approx(440, abs=10)
    left = sorted(p.name for p in rooms.iterdir())
    assert left == sorted(["notes.mp4", next(p.name for p in rooms.glob("*.rec.mp4"))])  # only what is not ours

    again = EmbeddedEngine(ctx.ingest, rooms)  # the next start: nothing to do twice
    again.start_background()
    again.recovery.join(timeout=60)
    assert len(ctx.system_recordings.list_for_meeting(meeting.id)) == 1
