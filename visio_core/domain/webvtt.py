"""WebVTT for players and exports: the same cues as the SRT, each speaker as a voice tag (`<v Name>`).

Text is escaped as WebVTT requires (`&`, `<`, `>`), so a cue can never inject markup into a player.
"""

from __future__ import annotations

from collections.abc import Iterable

from visio_core.domain.srt import Cue, format_timestamp


def timestamp(seconds: float) -> str:
    return format_timestamp(seconds, ".")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_webvtt(cues: Iterable[Cue]) -> str:
    blocks = ["WEBVTT\n"]
    for cue in cues:
        text = _escape(cue.text).replace("\n\n", "\n")  # a blank line would end the cue
        if cue.speaker:
            text = f"<v {_escape(cue.speaker)}>{text}"
        blocks.append(f"{cue.index}\n{timestamp(cue.start)} --> {timestamp(cue.end)}\n{text}\n")
    return "\n".join(blocks)
