"""The room's video grid: every participant's picture with his name, on one 640×480 canvas.

The canvas is composed directly in yuv420p (planes stacked as PyAV hands them: Y, then U,
then V, H*3/2 rows of W), what both encoders take: composing in RGB and converting each
canvas cost 3–8 ms a frame. Pictures arrive as yuv420p at their final size, colours and
text sprites are converted once and cached. Tiles sit at even coordinates, so their chroma
lands whole; a text at an odd place shares its edge chroma with what lies under it.

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
    picture: np.ndarray | None  # yuv420p planes of TILE_W×TILE_H (to_tile_picture), None when no live video
    mic_off: bool = False


BLACK_Y = 16 + BLACK_LUMA * 219 // 255  # the same darkness in video-range luma


def to_tile_picture(frame: av.VideoFrame) -> np.ndarray | None:
    """Scale a received frame to a tile (yuv420p planes); None when it is black (camera off)."""
    small = frame.reformat(width=TILE_W, height=TILE_H, format="yuv420p").to_ndarray()
    if small[:TILE_H:8, ::8].mean() < BLACK_Y:
        return None
    return small


def to_screen_picture(frame: av.VideoFrame) -> np.ndarray:
    """Scale a shared screen into the screen area once (yuv420p planes), keeping its proportions (black bars)."""
    scale = min(SCREEN_W / max(frame.width, 1), SCREEN_H / max(frame.height, 1))
    w, h = max(2, int(frame.width * scale) // 2 * 2), max(2, int(frame.height * scale) // 2 * 2)
    picture = np.empty((SCREEN_H * 3 // 2, SCREEN_W), dtype=np.uint8)
    y_plane, u_plane, v_plane = planes(picture, SCREEN_W, SCREEN_H)
    y_plane[:], u_plane[:], v_plane[:] = _yuv_colour((0, 0, 0))
    x, y = (SCREEN_W - w) // 4 * 2, (SCREEN_H - h) // 4 * 2  # even, so the chroma lands whole
    _paste(picture, SCREEN_W, SCREEN_H, x, y, frame.reformat(width=w, height=h, format="yuv420p").to_ndarray(), w, h)
    return picture


def planes(yuv: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, U and V planes of stacked yuv420p planes (a contiguous array)."""
    flat = yuv.reshape(-1)
    luma, quarter = width * height, (width // 2) * (height // 2)
    return (
        flat[:luma].reshape(height, width),
        flat[luma : luma + quarter].reshape(height // 2, width // 2),
        flat[luma + quarter : luma + 2 * quarter].reshape(height // 2, width // 2),
    )


def _paste(
    canvas: np.ndarray,
    cw: int,
    ch: int,
    x: int,
    y: int,
    picture: np.ndarray,
    w: int,
    h: int,
    step: int = 1,
    repeat: int = 1,
) -> None:
    """Copy a yuv420p picture (w×h) at even (x, y), sub-sampled by `step` or enlarged by `repeat`."""
    dst, src = planes(canvas, cw, ch), planes(picture, w, h)
    for n, (d, s) in enumerate(zip(dst, src, strict=True)):
        if step > 1:
            s = s[::step, ::step]
        elif repeat > 1:
            s = s.repeat(repeat, 0).repeat(repeat, 1)
        px, py = (x, y) if n == 0 else (x // 2, y // 2)
        d[py : py + s.shape[0], px : px + s.shape[1]] = s


@lru_cache(maxsize=16)
def _yuv_colour(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """A colour in video-range yuv, as swscale converts it."""
    image = np.empty((2, 2, 3), dtype=np.uint8)
    image[:] = rgb
    yuv = av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format="yuv420p").to_ndarray()
    return int(yuv[0, 0]), int(yuv[2, 0]), int(yuv[2, 1])


def _fill(canvas: np.ndarray, x: int, y: int, w: int, h: int, rgb: tuple[int, int, int]) -> None:
    """A plain rectangle of the WIDTH×HEIGHT canvas."""
    cy, cu, cv = _yuv_colour(rgb)
    y_plane, u_plane, v_plane = planes(canvas, WIDTH, HEIGHT)
    y_plane[y : y + h, x : x + w] = cy
    u_plane[y // 2 : (y + h + 1) // 2, x // 2 : (x + w + 1) // 2] = cu
    v_plane[y // 2 : (y + h + 1) // 2, x // 2 : (x + w + 1) // 2] = cv


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
# drawn once with Pillow and cached: the grid is composed at the recorder's FPS (12.5 a second), and drawing its
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
def _centered_sprite(
    text: str,
    size: int,
    fill: tuple[int, int, int],
    background: tuple[int, int, int],
) -> tuple[int, int, np.ndarray]:
    """Text on a plain background; with the offsets of its top-left corner from the centre point."""
    box = ImageDraw.Draw(Image.new("RGB", (1, 1))).textbbox((0, 0), text, font=_font(size), anchor="mm")
    left, top, right, bottom = (int(v) for v in box)
    image = Image.new("RGB", (max(1, right - left), max(1, bottom - top)), background)
    ImageDraw.Draw(image).text((-left, -top), text, fill=fill, font=_font(size), anchor="mm")
    return left, top, np.asarray(image)


@dataclass(frozen=True)
class _Sprite:
    """An RGB sprite in yuv420p for a given parity of its place: Y exact, chroma padded to whole cells."""

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray


def _to_sprite(rgb: np.ndarray, odd_x: int, odd_y: int) -> _Sprite:
    h, w = rgb.shape[:2]
    padded = np.pad(rgb, ((odd_y, (odd_y + h) % 2), (odd_x, (odd_x + w) % 2), (0, 0)), mode="edge")
    ph, pw = padded.shape[:2]
    yuv = av.VideoFrame.from_ndarray(np.ascontiguousarray(padded), format="rgb24").reformat(format="yuv420p")
    y_plane, u_plane, v_plane = planes(yuv.to_ndarray(), pw, ph)
    return _Sprite(y_plane[odd_y : odd_y + h, odd_x : odd_x + w].copy(), u_plane.copy(), v_plane.copy())


@lru_cache(maxsize=512)
def _label_sprite_yuv(text: str, size: int, width: int, height: int, text_x: int, odd_x: int, odd_y: int) -> _Sprite:
    return _to_sprite(_label_sprite(text, size, width, height, text_x), odd_x, odd_y)


@lru_cache(maxsize=128)
def _centered_sprite_yuv(
    text: str, size: int, fill: tuple[int, int, int], background: tuple[int, int, int], odd_x: int, odd_y: int
) -> tuple[int, int, _Sprite]:
    left, top, sprite = _centered_sprite(text, size, fill, background)
    return left, top, _to_sprite(sprite, odd_x, odd_y)


def _blit(canvas: np.ndarray, x: int, y: int, sprite: _Sprite) -> None:
    """Copy a sprite at (x, y) of the WIDTH×HEIGHT canvas, clipped to it."""
    if x < 0 or y < 0:
        return
    y_plane, u_plane, v_plane = planes(canvas, WIDTH, HEIGHT)
    h, w = min(sprite.y.shape[0], HEIGHT - y), min(sprite.y.shape[1], WIDTH - x)
    if h > 0 and w > 0:
        y_plane[y : y + h, x : x + w] = sprite.y[:h, :w]
    cx, cy = x // 2, y // 2
    ch, cw = min(sprite.u.shape[0], HEIGHT // 2 - cy), min(sprite.u.shape[1], WIDTH // 2 - cx)
    if ch > 0 and cw > 0:
        u_plane[cy : cy + ch, cx : cx + cw] = sprite.u[:ch, :cw]
        v_plane[cy : cy + ch, cx : cx + cw] = sprite.v[:ch, :cw]


def _centered(
    canvas: np.ndarray,
    cx: int,
    cy: int,
    text: str,
    size: int,
    fill: tuple[int, int, int],
    background: tuple[int, int, int],
) -> None:
    left, top, _ = _centered_sprite(text, size, fill, background)
    x, y = cx + left, cy + top
    _blit(canvas, x, y, _centered_sprite_yuv(text, size, fill, background, x % 2, y % 2)[2])


def _name_box(
    canvas: np.ndarray, x: int, y: int, text: str, size: int, right_limit: int, height: int, pad: int
) -> None:
    """A name in a black box from (x, y), `pad` pixels of margin, ending before `right_limit` (exclusive)."""
    width = min(right_limit, x + 2 * pad + _text_width(text, size)) - x
    _blit(canvas, x, y, _label_sprite_yuv(text, size, max(1, width), height, pad, x % 2, y % 2))


MIC_OFF_RED = (220, 40, 40)


def _canvas() -> np.ndarray:
    canvas = np.empty(
        (HEIGHT * 3 // 2, WIDTH), dtype=np.uint8
    )  # new each frame: the recorder keeps it until its audio is written (recording_mix.DELAY_SECONDS)
    _fill(canvas, 0, 0, WIDTH, HEIGHT, BACKGROUND)
    return canvas


def compose(tiles: list[Tile], labels: dict[str, str]) -> np.ndarray:
    """yuv420p canvas of the grid. `labels` holds the translated 'camera off' / 'mic off' / 'waiting' texts."""
    canvas = _canvas()
    if not tiles:
        _centered(canvas, WIDTH // 2, HEIGHT // 2, _printable(labels["waiting"]), 22, (255, 255, 255), BACKGROUND)
    places = _positions(len(tiles))
    for tile, (x, y, scale) in zip(tiles, places, strict=False):
        w, h = TILE_W * scale, TILE_H * scale
        if tile.picture is not None:
            _paste(canvas, WIDTH, HEIGHT, x, y, tile.picture, TILE_W, TILE_H, repeat=scale)
        else:
            _fill(canvas, x + 2, y + 2, w - 4, h - 4, TILE_OFF)
            _centered(canvas, x + w // 2, y + h // 2, _printable(labels["camera_off"]), 18, (200, 200, 210), TILE_OFF)
        label = _printable(tile.name + (f"  · {labels['mic_off']}" if tile.mic_off else ""))
        _name_box(canvas, x + 6, y + h - 30, label, 16, x + w - 5, 25, 6)
        if tile.mic_off:
            _fill(canvas, x + w - 22, y + 6, 17, 17, MIC_OFF_RED)
    return canvas


def compose_share(screen: np.ndarray, screen_label: str, tiles: list[Tile], labels: dict[str, str]) -> np.ndarray:
    """yuv420p canvas while someone shares: the screen as the big tile, the cameras as a strip below it."""
    canvas = _canvas()
    _paste(canvas, WIDTH, HEIGHT, 0, 0, screen, SCREEN_W, SCREEN_H)
    places = [(i * STRIP_W, SCREEN_H) for i in range(WIDTH // STRIP_W)]
    _name_box(canvas, 6, 6, _printable(screen_label), 16, WIDTH - 5, 25, 6)
    for tile, (x, y) in zip(tiles, places, strict=False):
        if tile.picture is not None:
            _paste(canvas, WIDTH, HEIGHT, x, y, tile.picture, TILE_W, TILE_H, step=2)  # tiles are exactly 2× the strip
        else:
            _fill(canvas, x + 2, y + 2, STRIP_W - 4, STRIP_H - 4, TILE_OFF)
        _name_box(canvas, x + 4, y + STRIP_H - 20, _printable(tile.name), 12, x + STRIP_W - 3, 17, 4)
        if tile.mic_off:
            _fill(canvas, x + STRIP_W - 16, y + 4, 13, 13, MIC_OFF_RED)
    return canvas


def frame_from_yuv(yuv: np.ndarray) -> av.VideoFrame:
    return av.VideoFrame.from_ndarray(yuv, format="yuv420p")
