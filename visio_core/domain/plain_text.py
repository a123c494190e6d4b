"""A transcript as plain text for reading and pasting: one paragraph per line, `[time] Name: text`."""

from __future__ import annotations

from collections.abc import Iterable

from visio_core.domain.srt import Cue


def clock(seconds: float) -> str:
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:d}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def format(cues: Iterable[Cue], title: str = "") -> str:  # noqa: A001 - like srt.format
    lines = [title, ""] if title else []
    lines += [f"[{clock(c.start)}] {c.line}" for c in cues]
    return "\n".join(lines) + "\n"
