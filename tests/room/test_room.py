"""The room's server side driven tick by tick: who hears whom, the grid, seats, the recording."""

from __future__ import annotations

import uuid

import av
import numpy as np
import pytest

from tests.room.conftest import ManualClock, black, decoded_audio, dominant_frequency, picture, quiet, tone
from visio_core.adapters.embedded_room.audio import level_dbfs
from visio_core.adapters.embedded_room.room import DROPPED_AFTER, RECONNECT_GRACE, Room, RoomFull


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def room(tmp_path, clock) -> Room:
    room = Room(uuid.uuid4(), tmp_path / "rooms" / "meeting.mp4", clock=clock, run_clock=False)
    yield room
    room.close()


def admit(room: Room, *names: str) -> None:
    for name in names:
        room.admit(name, uuid.uuid4(), name.title())


def run(room: Room, clock: ManualClock, ticks: int, audio: dict, video: dict | None = None) -> None:
    """Each tick: every speaker sends 20 ms; cameras send a frame every third tick (≈ 16 fps)."""
    for i in range(ticks):
        clock.now += 0.02
        for key, make in audio.items():
            room.push_audio(key, make(i))
        if video and i % 3 == 0:
            for key, make in video.items():
                room.push_video(key, make(i))
        room.tick()


def test_each_participant_hears_everyone_but_himself(room, clock):
    admit(room, "ana", "bob", "cam")
    run(
        room,
        clock,
        30,
        {"ana": lambda i: tone(440, tick=i), "bob": lambda i: tone(1000, tick=i), "cam": lambda i: quiet()},
    )
    heard = {key: room.audio_for(key) for key in ("ana", "bob", "cam")}
    assert dominant_frequency(heard["ana"]) == pytest.approx(1000, abs=60)  # Bob only
    assert dominant_frequency(heard["bob"]) == pytest.approx(440, abs=60)  # Ana only
    cam = np.abs(np.fft.rfft(heard["cam"].astype(float)))
    peaks = {round(f) for f in np.argsort(cam)[-2:] * 48_000 / heard["cam"].size}
    assert any(abs(p - 440) < 60 for p in peaks) and any(abs(p - 1000) < 60 for p in peaks)  # both


def test_silence_and_black_frames_are_seen_as_mic_and_camera_off(room, clock):
    admit(room, "ana", "bob")
    run(
        room,
        clock,
        100,
        {"ana": lambda i: tone(440, tick=i), "bob": lambda i: quiet()},
        {"ana": lambda i: picture(i), "bob": lambda i: black()},
    )
    by_name = {p["name"]: p for p in room.roster()}
    assert not by_name["Ana"]["mic_off"] and not by_name["Ana"]["camera_off"]
    assert by_name["Bob"]["mic_off"] and by_name["Bob"]["camera_off"]
    assert by_name["Bob"]["audio_level_dbfs"] <= -90 < by_name["Ana"]["audio_level_dbfs"]
    assert by_name["Ana"]["video_frames"] == by_name["Bob"]["video_frames"] == 34


def test_the_grid_shows_live_pictures_and_changes(room, clock):
    admit(room, "ana", "bob")
    run(room, clock, 10, {}, {"ana": lambda i: picture(i), "bob": lambda i: picture(100 + i)})
    first = room.grid_frame().to_ndarray(format="rgb24")
    run(room, clock, 10, {}, {"ana": lambda i: picture(50 + i), "bob": lambda i: picture(200 + i)})
    second = room.grid_frame().to_ndarray(format="rgb24")
    assert first.shape == (480, 640, 3)
    left, right = second[150:330, 20:300], second[150:330, 340:620]  # two tiles side by side
    assert left.std() > 8 and right.std() > 8  # pictures, not the flat "camera off" tile
    assert np.abs(first[120:360].astype(int) - second[120:360].astype(int)).mean() > 10
    # every consumer gets a frame object of its own (sharing one crashed encoders on other threads)
    assert room.grid_frame() is not room.grid_frame()


def test_four_seats_then_a_polite_refusal_and_a_seat_freed_by_leaving(room, clock):
    admit(room, "a", "b", "c", "d")
    run(room, clock, 2, {k: (lambda i: quiet()) for k in "abcd"})
    with pytest.raises(RoomFull, match="complète"):
        room.admit("e", uuid.uuid4(), "E")
    room.admit("a", uuid.uuid4(), "A")  # someone already in may reload his page
    room.leave("d")
    room.admit("e", uuid.uuid4(), "E")
    run(room, clock, 2, {"e": lambda i: quiet()})
    assert sorted(p["name"] for p in room.roster()) == ["A", "B", "C", "E"]


def test_media_from_a_tab_never_admitted_is_ignored(room, clock):
    admit(room, "a")
    run(room, clock, 5, {"a": lambda i: quiet(), "intruder": lambda i: tone(440, tick=i)})
    assert [p["name"] for p in room.roster()] == ["A"]
    assert level_dbfs(room.audio_for("a")) <= -100


def test_a_participant_whose_media_stopped_loses_his_seat(room, clock):
    admit(room, "a", "b")
    run(room, clock, 5, {"a": lambda i: quiet(), "b": lambda i: quiet()})
    clock.now += 5
    run(room, clock, 5, {"a": lambda i: quiet()})
    assert len(room.roster()) == 2  # a short network hiccup keeps the seat
    clock.now += DROPPED_AFTER
    run(room, clock, 5, {"a": lambda i: quiet()})
    assert [p["name"] for p in room.roster()] == ["A"]


def test_a_dropped_call_keeps_its_seat_while_the_page_reconnects(room, clock):
    room.max_participants = 2
    admit(room, "a", "b")
    run(room, clock, 5, {"a": lambda i: quiet(), "b": lambda i: quiet()})
    room.lost("b")  # b's call ended without him leaving (network cut)
    assert room.is_lost("b") and not room.is_lost("a")
    assert [(p["name"], p["connected"]) for p in room.roster()] == [("A", True), ("B", False)]
    with pytest.raises(RoomFull):  # his seat is kept: a newcomer cannot take it meanwhile
        room.admit("c", uuid.uuid4(), "C")
    clock.now += DROPPED_AFTER + 1  # longer than a silent connection is kept, within the grace
    run(room, clock, 5, {"a": lambda i: quiet()})
    assert len(room.roster()) == 2
    run(room, clock, 5, {"a": lambda i: quiet(), "b": lambda i: quiet()})  # the new call's media
    assert not room.is_lost("b") and all(p["connected"] for p in room.roster())


def test_a_call_that_never_comes_back_frees_its_seat_after_the_grace(room, clock):
    admit(room, "a", "b")
    run(room, clock, 5, {"a": lambda i: quiet(), "b": lambda i: quiet()})
    room.lost("b")
    clock.now += RECONNECT_GRACE + 1
    run(room, clock, 5, {"a": lambda i: quiet()})
    assert [p["name"] for p in room.roster()] == ["A"]


def test_leaving_on_purpose_frees_the_seat_at_once_and_a_late_end_changes_nothing(room, clock):
    admit(room, "a", "b")
    run(room, clock, 5, {"a": lambda i: quiet(), "b": lambda i: quiet()})
    room.leave("b")
    room.lost("b")  # the call's tracks end after the leave: no ghost seat
    assert [p["name"] for p in room.roster()] == ["A"] and not room.is_lost("b")


@pytest.mark.slow
def test_recording_has_the_grid_and_the_mix_of_everyone(room, clock):
    admit(room, "ana", "bob")
    run(
        room,
        clock,
        250,
        {"ana": lambda i: tone(440, tick=i), "bob": lambda i: quiet()},
        {"ana": lambda i: picture(i), "bob": lambda i: black()},
    )
    path = room.close()
    assert path is not None and path.suffix == ".mp4"
    with av.open(str(path)) as container:
        kinds = sorted(s.type for s in container.streams)
        seconds = container.duration / 1_000_000
        video = container.streams.video[0]
        size = (video.codec_context.width, video.codec_context.height)
        frames = sum(1 for _ in container.decode(video=0))
    assert kinds == ["audio", "video"] and size == (640, 480)
    assert seconds == pytest.approx(5.0, abs=0.3)
    assert frames == pytest.approx(62.5, abs=3)  # 12.5 fps, timed by the room clock, not the network
    samples = decoded_audio(path)
    assert dominant_frequency(samples[48_000:96_000]) == pytest.approx(440, abs=10)


@pytest.mark.slow
def test_recording_keeps_audio_when_every_camera_is_off_and_pauses_when_the_room_is_empty(room, clock):
    admit(room, "ana")
    run(room, clock, 100, {"ana": lambda i: tone(300, tick=i)})
    room.leave("ana")
    run(room, clock, 200, {})  # nobody in: nothing written
    admit(room, "ana")
    run(room, clock, 100, {"ana": lambda i: tone(300, tick=i)})
    path = room.close()
    with av.open(str(path)) as container:
        seconds = container.duration / 1_000_000
        assert len(container.streams.video) == 1
    assert seconds == pytest.approx(4.0, abs=0.3)
    assert 20 * np.log10(np.sqrt(np.mean(decoded_audio(path) ** 2))) > -30


def test_nobody_joined_means_no_recording(room, clock):
    room.admit("a", uuid.uuid4(), "A")  # opened the page, never connected
    clock.now += 60
    room.tick()
    assert room.close() is None
    assert not room.recording_path.exists()


def test_the_grid_is_composed_every_fourth_tick_even_when_the_clock_thread_runs_late(room, clock):
    """12.5 fps: a frame every 80 ms on the ticks' schedule. A tick that wakes a few ms late (a busy
    machine) must not push the next frame to the fifth tick; a long stall restarts the schedule."""
    composed = []

    class Receiver:  # what a call's RoomVideoTrack is to the shared encoder: it takes every frame
        def _deliver_threadsafe(self, encoded: object) -> None:
            composed.append(clock.now)

    room.video_out._tracks.add(Receiver())  # type: ignore[arg-type]
    admit(room, "alice")
    lateness = np.random.default_rng(7).uniform(0, 0.008, 250)
    start = clock.now
    for i in range(250):  # 5 s of ticks, each up to 8 ms late
        clock.now = start + 0.02 * (i + 1) + lateness[i]
        room.push_audio("alice", quiet())
        room.tick()
    gaps = np.diff(composed)
    assert len(composed) == pytest.approx(62.5, abs=1)
    assert gaps.max() < 0.09, gaps.max()  # never a tick skipped
    clock.now += 2.0  # the thread stalled for two seconds: one frame, then the schedule again
    for _ in range(10):
        clock.now += 0.02
        room.tick()
    assert len(composed) - 62 in (3, 4)
