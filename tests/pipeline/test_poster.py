"""A recording's poster: the first moment someone's camera shows, not the "Caméra coupée" tiles of
a room's first seconds; stored beside the recording, served through the same signed links."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from visio_core.adapters.embedded_room.grid import Tile, compose, frame_from_yuv, to_tile_picture
from visio_core.adapters.poster import content_score, write_poster
from visio_core.domain.errors import NotFound
from visio_core.domain.storage_keys import RECORDINGS, poster_key

LABELS = {"camera_off": "Caméra coupée", "mic_off": "micro coupé", "waiting": "En attente"}
FPS = 15


def camera_picture(seed: int = 7) -> np.ndarray:
    """A stand-in for a camera's picture: a face-sized disc on a lit gradient, with some texture."""
    h, w = 240, 320
    y, x = np.mgrid[0:h, 0:w]
    picture = np.stack([x * 255 // w, y * 255 // h, np.full((h, w), 120)], axis=-1).astype(np.uint8)
    picture[(x - 160) ** 2 + (y - 110) ** 2 < 70**2] = (230, 190, 160)
    noise = np.random.default_rng(seed).integers(0, 25, (h, w, 3), dtype=np.uint8)
    return picture // 2 + noise + 60


def room_canvas(camera: np.ndarray | None) -> np.ndarray:
    """The room's grid (RGB) of MiKL with his camera off and Claire with `camera` (None: off too)."""
    picture = None if camera is None else to_tile_picture(av.VideoFrame.from_ndarray(camera, format="rgb24"))
    yuv = compose([Tile("MiKL", None), Tile("Claire Martin", picture)], LABELS)
    return frame_from_yuv(yuv).to_ndarray(format="rgb24")


def room_recording(path: Path, off_seconds: float, on_seconds: float) -> dict:
    """A room-like MP4: two tiles both "Caméra coupée", then Claire's camera on. Returns both canvases."""
    off, on = room_canvas(None), room_canvas(camera_picture())
    rate = 48_000
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = off.shape[1], off.shape[0], "yuv420p"
        video.options = {"preset": "ultrafast"}
        audio = out.add_stream("aac", rate=rate)
        audio.layout = "mono"
        total = int((off_seconds + on_seconds) * FPS)
        for i in range(total):
            frame = av.VideoFrame.from_ndarray(off if i < off_seconds * FPS else on, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, FPS)
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode(None):
            out.mux(packet)
        tone = (0.1 * np.sin(2 * np.pi * 220 * np.arange(int(total / FPS * rate)) / rate)).astype(np.float32)
        for start in range(0, tone.size - 1024, 1024):
            chunk = av.AudioFrame.from_ndarray(tone[start : start + 1024].reshape(1, -1), format="flt", layout="mono")
            chunk.sample_rate, chunk.pts, chunk.time_base = rate, start, Fraction(1, rate)
            for packet in audio.encode(chunk):
                out.mux(packet)
        for packet in audio.encode(None):
            out.mux(packet)
    return {"off": off, "on": on}


def distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def test_the_camera_off_tiles_score_below_a_camera_picture():
    off, on = room_canvas(None), room_canvas(camera_picture())
    assert content_score(on) > 2 * content_score(off)


def test_the_poster_is_the_first_moment_a_camera_shows(tmp_path):
    canvases = room_recording(tmp_path / "room.mp4", off_seconds=3.0, on_seconds=2.0)
    assert write_poster(tmp_path / "room.mp4", tmp_path / "poster.jpg")
    poster = np.asarray(Image.open(tmp_path / "poster.jpg").convert("RGB"))
    assert poster.shape == canvases["on"].shape
    assert distance(poster, canvases["on"]) < 8 < distance(poster, canvases["off"])


def test_a_picture_that_never_changes_keeps_its_first_frame(tmp_path):
    canvases = room_recording(tmp_path / "off.mp4", off_seconds=2.0, on_seconds=0.0)
    assert write_poster(tmp_path / "off.mp4", tmp_path / "poster.jpg")
    assert distance(np.asarray(Image.open(tmp_path / "poster.jpg").convert("RGB")), canvases["off"]) < 8


def test_an_audio_only_file_has_no_poster(tmp_path):
    media = tmp_path / "voice.m4a"
    with av.open(str(media), "w") as out:
        audio = out.add_stream("aac", rate=48_000)
        audio.layout = "mono"
        for start in range(0, 48_000, 1024):
            chunk = av.AudioFrame.from_ndarray(np.zeros((1, 1024), dtype=np.float32), format="flt", layout="mono")
            chunk.sample_rate, chunk.pts, chunk.time_base = 48_000, start, Fraction(1, 48_000)
            for packet in audio.encode(chunk):
                out.mux(packet)
        for packet in audio.encode(None):
            out.mux(packet)
    assert not write_poster(media, tmp_path / "poster.jpg")
    assert not (tmp_path / "poster.jpg").exists()


def test_ingest_stores_the_poster_beside_the_recording_under_the_same_rules(ctx, people, meeting, tmp_path):
    room_recording(tmp_path / "room.mp4", off_seconds=2.0, on_seconds=1.0)
    recording, _ = ctx.ingest.ingest_file(meeting.id, tmp_path / "room.mp4")
    key = poster_key(recording.storage_key)
    assert key == recording.storage_key.replace(".mp4", ".poster.jpg")
    assert ctx.storage.exists(RECORDINGS, key)
    assert list((ctx.settings.data_dir / "tmp").iterdir()) == []  # no spooled still left behind

    url = ctx.recordings.poster_url(people.client_a, recording.id)  # the meeting's client may see it
    assert url is not None and "sig=" in url
    for who in (people.client_b, people.client_c, people.op2):  # the others get the recording's answer
        with pytest.raises(NotFound):
            ctx.recordings.poster_url(who, recording.id)


def test_the_poster_is_served_as_a_jpeg_by_its_signed_link_only(ctx, people, meeting, tmp_path):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from visio_core.entrypoints.web import make_routes

    room_recording(tmp_path / "room.mp4", off_seconds=1.0, on_seconds=1.0)
    recording, _ = ctx.ingest.ingest_file(meeting.id, tmp_path / "room.mp4")
    url = ctx.recordings.poster_url(people.op1, recording.id)
    client = TestClient(Starlette(routes=make_routes(lambda: ctx)))
    answer = client.get(url)
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
    assert answer.content[:3] == b"\xff\xd8\xff"
    assert client.get(url.replace("sig=", "sig=0")).status_code == 403


def test_a_recording_ingested_without_a_poster_plays_without_one(ctx, people, meeting, tmp_path):
    room_recording(tmp_path / "room.mp4", off_seconds=1.0, on_seconds=1.0)
    recording, _ = ctx.ingest.ingest_file(meeting.id, tmp_path / "room.mp4")
    ctx.storage.delete(RECORDINGS, poster_key(recording.storage_key))  # e.g. ingested before posters existed
    assert ctx.recordings.poster_url(people.op1, recording.id) is None
