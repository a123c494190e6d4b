"""The project's one SRT module: parse tolerantly, format strictly.

`parse` never raises: it accepts a BOM, CRLF or CR line ends, `,` or `.` before
the milliseconds, missing or odd index lines, multi-line cue text, runs of
blank lines, and cues not separated by a blank line. A block it cannot read (no
timing line, impossible timestamps, end before start) is skipped and counted.

`format` writes standard SRT: `HH:MM:SS,mmm --> HH:MM:SS,mmm`, the index of each
cue as given, a blank line between cues, a trailing newline. A cue's speaker is
written as a `Name: ` prefix of its text (readable by any player); `parse` splits
it off again for the names it is told about. For any text that `format` could have
written, `format(parse(text, speakers).cues) == text`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace

__all__ = ["Cue", "ParseResult", "parse", "format", "format_timestamp", "shift", "renumber", "normalize", "speakers_of"]


@dataclass(frozen=True)
class Cue:
    index: int
    start: float  # seconds
    end: float  # seconds
    text: str
    speaker: str | None = None  # who said it, when known

    @property
    def line(self) -> str:
        """The text as a subtitle shows it: `Name: text` when the speaker is known."""
        return f"{self.speaker}: {self.text}" if self.speaker else self.text


@dataclass(frozen=True)
class ParseResult:
    cues: list[Cue]
    skipped: int  # malformed blocks left out


# A timestamp: H:MM:SS[,mmm] (hours of any width up to 6 digits) or MM:SS,mmm.
_TS = r"(?:(\d{1,6}):)?(\d{1,2}):(\d{1,2})(?:[,.](\d{1,3}))?"
_TIMING = re.compile(rf"^\s*{_TS}\s*-->\s*{_TS}(?:\s.*)?$", re.ASCII)
_INTEGER = re.compile(r"^\s*[+-]?\d{1,18}\s*$", re.ASCII)


def _seconds(hours: str | None, minutes: str, secs: str, frac: str | None) -> float | None:
    h, m, s = int(hours or 0), int(minutes), int(secs)
    if m >= 60 or s >= 60:
        return None
    if hours is None and frac is None:
        return None  # "12:30 --> 13:00" is text, not a timing
    millis = int((frac or "0").ljust(3, "0"))
    return (h * 3600_000 + m * 60_000 + s * 1000 + millis) / 1000


def _timing(line: str) -> tuple[float, float] | None | bool:
    """(start, end) for a valid timing line, None for a timing line with impossible
    values, False for a line that is no timing line."""
    match = _TIMING.match(line)
    if not match:
        return False
    g = match.groups()
    start, end = _seconds(*g[0:4]), _seconds(*g[4:8])
    if start is None or end is None or end < start:
        return None
    return start, end


def _blocks(text: str) -> list[list[str]]:
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            current.append(line.rstrip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def parse(text: str, speakers: Collection[str] = ()) -> ParseResult:
    """Cues of an SRT text; a `Name: ` prefix becomes the cue's speaker for the names in `speakers`."""
    cues: list[Cue] = []
    skipped = 0
    for block in _blocks(text):
        kinds = [_timing(line) for line in block]
        timing_at = [i for i, kind in enumerate(kinds) if kind is not False]
        if not timing_at:
            skipped += 1
            continue
        # Lines before the first timing: the last one is its label (index), the rest is junk.
        if timing_at[0] > 1:
            skipped += 1
        for n, pos in enumerate(timing_at):
            label = block[pos - 1] if pos > 0 and (n == 0 or pos - 1 > timing_at[n - 1]) else None
            if n + 1 < len(timing_at):
                nxt = timing_at[n + 1]
                # The line just before the next timing is its index when it is a number.
                stop = nxt - 1 if nxt - 1 > pos and _INTEGER.match(block[nxt - 1]) else nxt
            else:
                stop = len(block)
            times = kinds[pos]
            if times is None:
                skipped += 1
                continue
            if label is not None and _INTEGER.match(label) and (n == 0 or pos - 1 > timing_at[n - 1]):
                index = int(label)
            else:
                index = cues[-1].index + 1 if cues else 1
            start, end = times  # type: ignore[misc]
            said = "\n".join(block[pos + 1 : stop])
            speaker = next((name for name in speakers if said.startswith(f"{name}: ")), None)
            if speaker is not None:
                said = said[len(speaker) + 2 :]
            cues.append(Cue(index=index, start=start, end=end, text=said, speaker=speaker))
    return ParseResult(cues=cues, skipped=skipped)


def format_timestamp(seconds: float, separator: str = ",") -> str:
    """`HH:MM:SS,mmm` (WebVTT writes the same with a `.`)."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def render_srt(cues: Iterable[Cue]) -> str:
    blocks = []
    for cue in cues:
        lines = [str(cue.index), f"{format_timestamp(cue.start)} --> {format_timestamp(cue.end)}"]
        if cue.text:
            lines.append(cue.line)
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def shift(cues: Iterable[Cue], offset: float) -> list[Cue]:
    """Cues moved by `offset` seconds; times clamp at 0 and cues that end before 0 are dropped."""
    shifted = []
    for cue in cues:
        end = cue.end + offset
        if end < 0:
            continue
        shifted.append(replace(cue, start=max(0.0, cue.start + offset), end=end))
    return shifted


def renumber(cues: Sequence[Cue], start: int = 1) -> list[Cue]:
    return [replace(cue, index=start + i) for i, cue in enumerate(cues)]


def normalize(cues: Iterable[Cue]) -> list[Cue]:
    """Cues in time order, text trimmed, empty ones dropped, never overlapping
    (a start is pulled up to the previous end), numbered from 1."""
    ordered = sorted((c for c in cues if c.text.strip()), key=lambda c: (c.start, c.end))
    out: list[Cue] = []
    for cue in ordered:
        start = max(cue.start, out[-1].end) if out else max(0.0, cue.start)
        out.append(replace(cue, index=len(out) + 1, start=start, end=max(cue.end, start), text=cue.text.strip()))
    return out


def speakers_of(cues: Iterable[Cue]) -> list[str]:
    """The speakers named in these cues, in order of first appearance."""
    return list(dict.fromkeys(c.speaker for c in cues if c.speaker))
