"""The grid composed in YUV looks like the grid composed in RGB then converted (the previous way)."""

from __future__ import annotations

import math

import av
import numpy as np
import pytest

from tests.room import rgb_grid
from visio_core.adapters.embedded_room import grid
from visio_core.adapters.embedded_room.grid import Tile

LABELS = {"camera_off": "Caméra coupée", "mic_off": "micro coupé", "waiting": "En attente des participants…"}


def camera(seed: int, width: int = 640, height: int = 480) -> av.VideoFrame:
    """A camera-like picture: smooth gradients and a few coloured blocks (not noise, which no scaler keeps)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    image = np.stack([(xx * 255 // width), (yy * 255 // height), ((xx + yy) * 127 // (width + height)) + 64], axis=2)
    for _ in range(6):
        x, y = int(rng.integers(0, width - 120)), int(rng.integers(0, height - 90))
        image[y : y + 90, x : x + 120] = rng.integers(30, 240, 3)
    return av.VideoFrame.from_ndarray(image.astype(np.uint8), format="rgb24")


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def both(frames: list[av.VideoFrame | None], names: list[str], mic_off: list[bool]) -> tuple[list[Tile], list[Tile]]:
    """The same participants as tiles for each composer (YUV pictures, RGB pictures)."""
    yuv = [Tile(n, grid.to_tile_picture(f) if f else None, m) for f, n, m in zip(frames, names, mic_off, strict=True)]
    rgb = [
        Tile(n, rgb_grid.to_tile_picture(f) if f else None, m) for f, n, m in zip(frames, names, mic_off, strict=True)
    ]
    return yuv, rgb


def assert_alike(new: np.ndarray, old_rgb: np.ndarray) -> None:
    old = rgb_grid.to_yuv(old_rgb)
    assert new.shape == old.shape == (grid.HEIGHT * 3 // 2, grid.WIDTH)
    luma_new, luma_old = new[: grid.HEIGHT], old[: grid.HEIGHT]
    chroma_new, chroma_old = new[grid.HEIGHT :], old[grid.HEIGHT :]
    assert psnr(luma_new, luma_old) > 40
    assert psnr(chroma_new, chroma_old) > 35
    # The texts are the same pixels: luma differs by rounding only (measured: at most 1).
    assert np.abs(luma_new.astype(int) - luma_old).max() <= 3


CASES = {
    "waiting": ([], [], []),
    "alone": ([camera(1)], ["Mikl"], [False]),
    "two, one muted": ([camera(1), camera(2)], ["Mikl", "Claire Dupré"], [False, True]),
    "four, one camera off": (
        [camera(1), None, camera(3), camera(4)],
        ["Mikl", "Élodie Çelik", "Ana", "Bob le très long nom qui déborde de sa tuile"],
        [False, True, True, False],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_the_yuv_grid_matches_the_rgb_grid(case):
    frames, names, mic_off = CASES[case]
    yuv_tiles, rgb_tiles = both(frames, names, mic_off)
    assert_alike(grid.compose(yuv_tiles, LABELS), rgb_grid.compose(rgb_tiles, LABELS))


def test_the_yuv_share_grid_matches_the_rgb_one():
    screen = camera(9, 1280, 720)
    yuv_tiles, rgb_tiles = both([camera(1), None, camera(3)], ["Mikl", "Claire", "Élodie"], [False, True, False])
    new = grid.compose_share(grid.to_screen_picture(screen), "Écran de Mikl", yuv_tiles, LABELS)
    old = rgb_grid.compose_share(rgb_grid.to_screen_picture(screen), "Écran de Mikl", rgb_tiles, LABELS)
    assert_alike(new, old)


def test_a_known_tile_colour_is_where_it_belongs():
    red = av.VideoFrame.from_ndarray(np.full((480, 640, 3), (200, 40, 40), dtype=np.uint8), format="rgb24")
    yuv_tiles, _ = both([red, None], ["Ana", "Bob"], [False, False])
    rgb = grid.frame_from_yuv(grid.compose(yuv_tiles, LABELS)).to_ndarray(format="rgb24")
    middle = rgb[grid.TILE_H // 2 + 40 : grid.TILE_H // 2 + 140, 60:260].reshape(-1, 3).mean(axis=0)
    assert np.abs(middle - (200, 40, 40)).max() < 4
    off = rgb[grid.TILE_H // 2 + 10 : grid.TILE_H // 2 + 40, grid.TILE_W + 20 : grid.TILE_W + 100]
    assert np.abs(off.reshape(-1, 3).mean(axis=0) - grid.TILE_OFF).max() < 4


def test_a_black_camera_is_no_picture():
    black = av.VideoFrame.from_ndarray(np.zeros((480, 640, 3), dtype=np.uint8), format="rgb24")
    assert grid.to_tile_picture(black) is None
    assert grid.to_tile_picture(camera(1)) is not None
