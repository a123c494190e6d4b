"""Screen share in the room, driven tick by tick: one sharer, takeover, stop, leaving while sharing."""

from __future__ import annotations

import uuid

import av
import numpy as np
import pytest

from tests.room.conftest import ManualClock, picture, quiet
from visio_core.adapters.embedded_room import grid
from visio_core.adapters.embedded_room.room import DROPPED_AFTER, NotInRoom, Room
from visio_core.adapters.embedded_room.screen import ShareBusy

GREEN = (0, 200, 0)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def room(tmp_path, clock) -> Room:
    room = Room(uuid.uuid4(), tmp_path / "rooms" / "meeting.mp4", clock=clock, run_clock=False)
    yield room
    room.close()


USERS = {"op": uuid.uuid4(), "ana": uuid.uuid4(), "bob": uuid.uuid4()}


def seat(room: Room, clock: ManualClock, *keys: str) -> None:
    for key in keys:
        room.admit(key, USERS[key], key.title())
        room.push_video(key, picture(1))
        room.push_audio(key, quiet())
    step(room, clock)


def step(room: Room, clock: ManualClock, seconds: float = 0.1) -> None:
    """Advance past the grid's next frame: everyone keeps sending, the room ticks."""
    for _ in range(round(seconds / 0.02)):
        clock.now += 0.02
        for p in room.roster():
            key = next(k for k, v in USERS.items() if str(v) == p["user_id"])
            room.push_audio(key, quiet())
        room.tick()


def screen(width: int = 1280, height: int = 720, colour: tuple[int, int, int] = GREEN) -> av.VideoFrame:
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[:] = colour
    return av.VideoFrame.from_ndarray(image, format="rgb24")


def grid_rgb(room: Room) -> np.ndarray:
    return room.grid_frame().to_ndarray(format="rgb24")


def shows_screen(room: Room) -> bool:
    """The big tile is the green screen: the middle of the canvas's top three quarters."""
    middle = grid_rgb(room)[grid.SCREEN_H // 2 - 20 : grid.SCREEN_H // 2 + 20, 200:440].reshape(-1, 3).mean(axis=0)
    return bool(middle[1] > 150 and middle[0] < 60 and middle[2] < 60)


def test_a_share_becomes_the_big_tile_and_stopping_returns_to_the_cameras(room, clock):
    seat(room, clock, "ana", "bob")
    before = grid_rgb(room)
    share = room.start_share("ana", takeover=False)
    assert room.push_screen(share.id, screen())
    step(room, clock)
    assert shows_screen(room)
    strip = grid_rgb(room)[grid.SCREEN_H + 10 : grid.SCREEN_H + 90, 10:150]
    assert strip.std() > 8  # the cameras (noisy pictures) are in the strip below; an empty tile is flat
    assert room.screen() == {"sharer": "Ana", "frames": 1}
    assert room.share_status("bob") == {"sharer": "Ana", "mine": False, "taken_over_by": None}
    assert room.share_status("ana")["mine"] is True

    assert room.stop_share(share.id)
    step(room, clock)
    assert not shows_screen(room)
    assert np.abs(grid_rgb(room).astype(int) - before.astype(int)).mean() < 8  # the camera grid again
    assert room.screen() is None
    assert not room.push_screen(share.id, screen())  # a late frame of the stopped share: refused
    assert not room.stop_share(share.id)


def test_one_sharer_at_a_time(room, clock):
    seat(room, clock, "ana", "bob")
    first = room.start_share("ana", takeover=False)
    with pytest.raises(ShareBusy, match="Ana partage déjà son écran"):
        room.start_share("bob", takeover=False)
    assert room.push_screen(first.id, screen())  # the refusal changed nothing
    again = room.start_share("ana", takeover=False)  # the sharer starts again (new window): his new share wins
    assert not room.push_screen(first.id, screen())
    assert room.push_screen(again.id, screen())


def test_the_operator_takes_over_and_the_previous_sharer_is_told(room, clock):
    seat(room, clock, "op", "ana")
    ana = room.start_share("ana", takeover=False)
    room.push_screen(ana.id, screen(colour=(200, 0, 0)))
    op = room.start_share("op", takeover=True)
    assert not room.push_screen(ana.id, screen())  # Ana's link hangs up on its next frame
    assert room.push_screen(op.id, screen())
    step(room, clock)
    assert shows_screen(room)
    assert room.share_status("ana") == {"sharer": "Op", "mine": False, "taken_over_by": "Op"}
    assert room.share_status("ana")["taken_over_by"] is None  # told once
    assert room.screen()["sharer"] == "Op"


def test_leaving_while_sharing_ends_the_share(room, clock):
    seat(room, clock, "ana", "bob")
    share = room.start_share("ana", takeover=False)
    room.push_screen(share.id, screen())
    room.leave("ana")
    step(room, clock)
    assert room.screen() is None and not shows_screen(room)
    assert not room.push_screen(share.id, screen())


def test_a_sharer_whose_connection_drops_loses_his_share(room, clock):
    seat(room, clock, "ana", "bob")
    share = room.start_share("ana", takeover=False)
    clock.now += DROPPED_AFTER + 1  # no media from anyone: both seats freed
    room.tick()
    assert room.screen() is None and not room.push_screen(share.id, screen())


def test_only_a_seated_tab_of_the_same_user_may_share(room, clock):
    seat(room, clock, "ana")
    room.admit("bob", USERS["bob"], "Bob")  # admitted but his media never arrived: no seat
    assert room.sharer_tab(room.ticket("ana"), USERS["ana"]) == "ana"
    with pytest.raises(NotInRoom, match="pas dans la salle"):
        room.sharer_tab(room.ticket("ana"), USERS["bob"])  # Ana's ticket in Bob's hands
    with pytest.raises(NotInRoom):
        room.sharer_tab(room.ticket("bob"), USERS["bob"])
    with pytest.raises(NotInRoom):
        room.sharer_tab("forged", USERS["ana"])
    with pytest.raises(NotInRoom):
        room.start_share("bob", takeover=False)
    assert room.screen() is None


def test_a_portrait_window_is_letterboxed_and_scaled_once_per_grid_frame(room, clock):
    seat(room, clock, "ana")
    share = room.start_share("ana", takeover=False)
    room.push_screen(share.id, screen(600, 900))
    picture_first = room._shares.current().picture
    room.push_screen(share.id, screen(600, 900, (0, 0, 200)))  # same instant: not scaled again
    assert room._shares.current().picture is picture_first
    assert room.screen()["frames"] == 2
    assert picture_first.shape == (grid.SCREEN_H * 3 // 2, grid.SCREEN_W)  # yuv420p planes
    rgb = av.VideoFrame.from_ndarray(picture_first, format="yuv420p").to_ndarray(format="rgb24")
    assert rgb[:, :50].max() == 0 and abs(int(rgb[grid.SCREEN_H // 2, grid.SCREEN_W // 2, 1]) - 200) <= 2
