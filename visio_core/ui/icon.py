"""The browser tab's icon, drawn here: a Material icon name as `page_icon` makes every page load
fetch its picture from a font host on the Internet, which the embedded default must never contact."""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageDraw

_BLUE = (25, 103, 210, 255)


@lru_cache(maxsize=1)
def page_icon() -> Image.Image:
    """A video camera on a rounded blue square, 64×64."""
    image = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, 63, 63), radius=14, fill=_BLUE)
    draw.rounded_rectangle((10, 20, 42, 44), radius=5, fill="white")
    draw.polygon([(44, 32), (55, 22), (55, 42)], fill="white")
    return image
