"""The grid as it was composed before it was composed in YUV: RGB, then converted by swscale.

Kept as the reference the YUV composer is measured against (test_grid_yuv.py) and by
bench/room_stages.py; the room no longer uses it.
"""

from __future__ import annotations

import av
import numpy as np

from visio_core.adapters.embedded_room.grid import (
    BACKGROUND,
    HEIGHT,
    MIC_OFF_RED,
    SCREEN_H,
    SCREEN_W,
    STRIP_H,
    STRIP_W,
    TILE_H,
    TILE_OFF,
    TILE_W,
    WIDTH,
    Tile,
    _centered_sprite,
    _label_sprite,
    _positions,
    _printable,
    _text_width,
)


def _blit(canvas: np.ndarray, x: int, y: int, sprite: np.ndarray) -> None:
    """Copy a sprite at (x, y), clipped to the canvas."""
    h = min(sprite.shape[0], canvas.shape[0] - y)
    w = min(sprite.shape[1], canvas.shape[1] - x)
    if h > 0 and w > 0 and x >= 0 and y >= 0:
        canvas[y : y + h, x : x + w] = sprite[:h, :w]


def _centered(
    canvas: np.ndarray,
    cx: int,
    cy: int,
    text: str,
    size: int,
    fill: tuple[int, int, int],
    background: tuple[int, int, int],
) -> None:
    left, top, sprite = _centered_sprite(text, size, fill, background)
    _blit(canvas, cx + left, cy + top, sprite)


def _name_box(
    canvas: np.ndarray, x: int, y: int, text: str, size: int, right_limit: int, height: int, pad: int
) -> None:
    """A name in a black box from (x, y), `pad` pixels of margin, ending before `right_limit` (exclusive)."""
    width = min(right_limit, x + 2 * pad + _text_width(text, size)) - x
    _blit(canvas, x, y, _label_sprite(text, size, max(1, width), height, pad))


def compose(tiles: list[Tile], labels: dict[str, str]) -> np.ndarray:
    """RGB canvas of the grid. `labels` holds the translated 'camera off' / 'mic off' / 'waiting' texts."""
    canvas = np.empty((HEIGHT, WIDTH, 3), dtype=np.uint8)
    canvas[:] = BACKGROUND
    if not tiles:
        _centered(canvas, WIDTH // 2, HEIGHT // 2, _printable(labels["waiting"]), 22, (255, 255, 255), BACKGROUND)
    places = _positions(len(tiles))
    for tile, (x, y, scale) in zip(tiles, places, strict=False):
        w, h = TILE_W * scale, TILE_H * scale
        if tile.picture is not None:
            picture = tile.picture if scale == 1 else tile.picture.repeat(scale, 0).repeat(scale, 1)
            canvas[y : y + h, x : x + w] = picture
        else:
            canvas[y + 2 : y + h - 2, x + 2 : x + w - 2] = TILE_OFF
            _centered(canvas, x + w // 2, y + h // 2, _printable(labels["camera_off"]), 18, (200, 200, 210), TILE_OFF)
        label = _printable(tile.name + (f"  · {labels['mic_off']}" if tile.mic_off else ""))
        _name_box(canvas, x + 6, y + h - 30, label, 16, x + w - 5, 25, 6)
        if tile.mic_off:
            canvas[y + 6 : y + 23, x + w - 22 : x + w - 5] = MIC_OFF_RED
    return canvas


def compose_share(screen: np.ndarray, screen_label: str, tiles: list[Tile], labels: dict[str, str]) -> np.ndarray:
    """RGB canvas while someone shares: the screen as the big tile, the cameras as a strip below it."""
    canvas = np.empty((HEIGHT, WIDTH, 3), dtype=np.uint8)
    canvas[:] = BACKGROUND
    canvas[:SCREEN_H] = screen
    places = [(i * STRIP_W, SCREEN_H) for i in range(WIDTH // STRIP_W)]
    _name_box(canvas, 6, 6, _printable(screen_label), 16, WIDTH - 5, 25, 6)
    for tile, (x, y) in zip(tiles, places, strict=False):
        if tile.picture is not None:
            canvas[y : y + STRIP_H, x : x + STRIP_W] = tile.picture[::2, ::2]  # tiles are exactly 2× the strip
        else:
            canvas[y + 2 : y + STRIP_H - 2, x + 2 : x + STRIP_W - 2] = TILE_OFF
        _name_box(canvas, x + 4, y + STRIP_H - 20, _printable(tile.name), 12, x + STRIP_W - 3, 17, 4)
        if tile.mic_off:
            canvas[y + 4 : y + 17, x + STRIP_W - 16 : x + STRIP_W - 3] = MIC_OFF_RED
    return canvas


def to_tile_picture(frame: av.VideoFrame) -> np.ndarray | None:
    """The previous tile picture: RGB at tile size; None when black."""
    small = frame.reformat(width=TILE_W, height=TILE_H, format="rgb24").to_ndarray()
    if small[::8, ::8].mean() < 10:
        return None
    return small


def to_screen_picture(frame: av.VideoFrame) -> np.ndarray:
    """The previous screen picture: RGB in the screen area, black bars."""
    scale = min(SCREEN_W / max(frame.width, 1), SCREEN_H / max(frame.height, 1))
    w, h = max(2, int(frame.width * scale) // 2 * 2), max(2, int(frame.height * scale) // 2 * 2)
    picture = np.zeros((SCREEN_H, SCREEN_W, 3), dtype=np.uint8)
    x, y = (SCREEN_W - w) // 2, (SCREEN_H - h) // 2
    picture[y : y + h, x : x + w] = frame.reformat(width=w, height=h, format="rgb24").to_ndarray()
    return picture


def to_yuv(rgb: np.ndarray) -> np.ndarray:
    """What the room did with each RGB canvas: yuv420p planes by swscale."""
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p").to_ndarray()
