"""The room's video grid: every participant's picture with his name, on one 640×480 canvas.

One canvas serves every participant and the recorder (composed once per tick); each
consumer wraps it in its own frame object, because PyAV keeps per-frame converter
state and sharing one frame between encoder threads crashed the server (seen with PyAV 18).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 640, 480
TILE_W, TILE_H = WIDTH // 2, HEIGHT // 2
BACKGROUND = (24, 26, 32)
TILE_OFF = (52, 56, 66)
BLACK_LUMA = 10  # mean luma under this: the browser sends black frames (camera turned off)
# While someone shares: the screen on top (16:9), everyone's camera in a strip of small tiles below.
SCREEN_W, SCREEN_H = WIDTH, HEIGHT * 3 // 4
STRIP_W, STRIP_H = TILE_W // 2, TILE_H // 2


@dataclass(frozen=True)
class Tile:
    name: str
    picture: np.ndarray | None  # TILE_H×TILE_W×3 RGB, None when no live video
    mic_off: bool = False


def to_tile_picture(frame: av.VideoFrame) -> np.ndarray | None:
    """Scale a received frame to a tile; None when it is black (camera off)."""
    small = frame.reformat(width=TILE_W, height=TILE_H, format="rgb24").to_ndarray()
    if small[::8, ::8].mean() < BLACK_LUMA:
        return None
    return small


def to_screen_picture(frame: av.VideoFrame) -> np.ndarray:
    """Scale a shared screen into the screen area once, keeping its proportions (black bars)."""
    scale = min(SCREEN_W / max(frame.width, 1), SCREEN_H / max(frame.height, 1))
    w, h = max(2, int(frame.width * scale) // 2 * 2), max(2, int(frame.height * scale) // 2 * 2)
    picture = np.zeros((SCREEN_H, SCREEN_W, 3), dtype=np.uint8)
    x, y = (SCREEN_W - w) // 2, (SCREEN_H - h) // 2
    picture[y : y + h, x : x + w] = frame.reformat(width=w, height=h, format="rgb24").to_ndarray()
    return picture


def _positions(count: int) -> list[tuple[int, int, int]]:
    """(x, y, scale) of each tile: one participant fills the canvas, two sit side by side, 3–4 a 2×2 grid."""
    if count <= 1:
        return [(0, 0, 2)]
    if count == 2:
        return [(0, TILE_H // 2, 1), (TILE_W, TILE_H // 2, 1)]
    return [(0, 0, 1), (TILE_W, 0, 1), (0, TILE_H, 1), (TILE_W, TILE_H, 1)][:count]


# Pillow's built-in font has no accented letters; Debian's DejaVu (pulled in by most desktops and by
# chromium) has them. Without it, names are drawn without accents rather than with boxes.
_FONTS = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans.ttf")


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in _FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


@lru_cache(maxsize=64)
def _printable(text: str) -> str:
    if isinstance(getattr(_font(16), "path", None), str):  # a real font file, not Pillow's built-in
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# Every text on the canvas is an opaque sprite (a label box, or text on a plain background),
# drawn once with Pillow and cached: the grid is composed 15 times a second, and drawing its
# texts each time was most of the composing cost (about 10 ms a frame of 640×480 on this machine).
@lru_cache(maxsize=256)
def _text_width(text: str, size: int) -> int:
    return int(ImageDraw.Draw(Image.new("RGB", (1, 1))).textlength(text, font=_font(size)))


@lru_cache(maxsize=256)
def _label_sprite(text: str, size: int, width: int, height: int, text_x: int) -> np.ndarray:
    """White text on a black box, the text's left middle at (text_x, height // 2)."""
    image = Image.new("RGB", (width, height), (0, 0, 0))
    ImageDraw.Draw(image).text((text_x, height // 2), text, fill="white", font=_font(size), anchor="lm")
    return np.asarray(image)


@lru_cache(maxsize=64)
def _centered_sprite(text: str, size: int, fill: tuple[int, int, int], background: tuple[int, int, int],
                     ) -> tuple[int, int, np.ndarray]:
    """Text on a plain background; with the offsets of its top-left corner from the centre point."""
    box = ImageDraw.Draw(Image.new("RGB", (1, 1))).textbbox((0, 0), text, font=_font(size), anchor="mm")
    left, top, right, bottom = (int(v) for v in box)
    image = Image.new("RGB", (max(1, right - left), max(1, bottom - top)), background)
    ImageDraw.Draw(image).text((-left, -top), text, fill=fill, font=_font(size), anchor="mm")
    return left, top, np.asarray(image)


def _blit(canvas: np.ndarray, x: int, y: int, sprite: np.ndarray) -> None:
    """Copy a sprite at (x, y), clipped to the canvas."""
    h = min(sprite.shape[0], canvas.shape[0] - y)
    w = min(sprite.shape[1], canvas.shape[1] - x)
    if h > 0 and w > 0 and x >= 0 and y >= 0:
        canvas[y : y + h, x : x + w] = sprite[:h, :w]


def _centered(canvas: np.ndarray, cx: int, cy: int, text: str, size: int, fill: tuple[int, int, int],
              background: tuple[int, int, int]) -> None:
    left, top, sprite = _centered_sprite(text, size, fill, background)
    _blit(canvas, cx + left, cy + top, sprite)


def _name_box(canvas: np.ndarray, x: int, y: int, text: str, size: int, right_limit: int, height: int,
              pad: int) -> None:
    """A name in a black box from (x, y), `pad` pixels of margin, ending before `right_limit` (exclusive)."""
    width = min(right_limit, x + 2 * pad + _text_width(text, size)) - x
    _blit(canvas, x, y, _label_sprite(text, size, max(1, width), height, pad))


MIC_OFF_RED = (220, 40, 40)


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


def to_yuv(rgb: np.ndarray) -> np.ndarray:
    """yuv420p planes (H*3/2 × W) for cheap per-consumer frame creation."""
    return av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p").to_ndarray()


def frame_from_yuv(yuv: np.ndarray) -> av.VideoFrame:
    return av.VideoFrame.from_ndarray(yuv, format="yuv420p")
