"""User text inside Markdown: titles and names render as typed, never as links, images or HTML.

Streamlit renders Markdown in st.markdown, st.caption, st.subheader, alerts and widget labels;
a meeting title such as `![x](https://tracker.example/p.png)` would otherwise make every viewer's
browser fetch a third-party URL.
"""

from __future__ import annotations

from typing import Any

from visio_core.domain.i18n import t

# What turns text into emphasis, code, links, images, HTML, tables, headings or maths.
_MARKDOWN = set("\\`*_[]()<>!#|~$")


def md(text: str) -> str:
    """`text` with the Markdown that could format, link or fetch escaped (bare URLs are not auto-linked)."""
    escaped = "".join("\\" + c if c in _MARKDOWN else c for c in str(text))
    return escaped.replace("://", ":\\/\\/")


def t_md(key: str, **values: Any) -> str:
    """The message `key` with its user-provided values escaped for Markdown."""
    return t(key, **{name: md(value) if isinstance(value, str) else value for name, value in values.items()})


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text: a leading `'` before what would start a formula.

    Titles and cue text come from users and speech; `=HYPERLINK(…)` or `=cmd|…` in them must not
    run when an analyst opens the export (OWASP "CSV injection").
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
