"""No emoji in what the pages show: a machine without an emoji font draws them as empty boxes
(the end button's ⏹️ did). Icons are Material Symbols (`:material/...:`), served with Streamlit."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Emoji and pictographs, dingbats and symbols that fonts without emoji lack, variation selector 16.
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u23e9-\u23fa\ufe0f]")


def test_the_pages_and_their_messages_carry_no_emoji():
    sources = [
        *sorted((ROOT / "visio_core" / "ui").rglob("*.py")),
        *sorted((ROOT / "visio_core" / "ui").rglob("*.js")),
        ROOT / "visio_core" / "domain" / "i18n.py",
        ROOT / "Home.py",
        *sorted((ROOT / "pages").glob("*.py")),
    ]
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in sources
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if EMOJI.search(line)
    ]
    assert found == []


def test_the_icons_are_material_symbols():
    icons = [
        m.group(1)
        for path in sorted((ROOT / "visio_core" / "ui").rglob("*.py"))
        for m in re.finditer(r'icon="([^"]*)"', path.read_text("utf-8"))
    ]
    assert icons and all(re.fullmatch(r":material/[a-z_]+:", icon) for icon in icons), icons
