"""A transcript as plain text for reading and pasting: one paragraph per line, `[time] Name: text`."""

from __future__ import annotations

from collections.abc import Iterable

from visio_core.domain.srt import Cue


def timecode(seconds: float) -> str:
    """`mm:ss`, or `h:mm:ss` from an hour on: where a line sits in a recording."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:d}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def render_plain_text(cues: Iterable[Cue], title: str = "") -> str:
    lines = [title, ""] if title else []
    lines += [f"[{timecode(c.start)}] {c.line}" for c in cues]
    return "\n".join(lines) + "\n"
