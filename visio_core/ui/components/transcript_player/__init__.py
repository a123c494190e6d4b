"""Transcript player: an HTML5 video beside its transcript (each line with its speaker), synchronised in the browser.

Highlighting, seeking and search run in the component's JavaScript, so playback
causes no Streamlit rerun. Cue text is handed over as data and set as text, never HTML.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import streamlit as st

from visio_core.domain.i18n import t
from visio_core.domain.srt import Cue

_HERE = Path(__file__).parent
_player = st.components.v2.component(
    "visio_transcript_player",
    html="",
    css=(_HERE / "player.css").read_text("utf-8"),
    js=(_HERE / "player.js").read_text("utf-8"),
)


def transcript_player(
    video_url: str,
    cues: list[Cue],
    *,
    start_at: float = 0.0,
    key: str,
    captions_url: str | None = None,
    language: str | None = None,
    query: str = "",
    poster_url: str | None = None,
) -> None:
    """Render the player. `key` must be stable per recording so reruns keep the DOM.

    `captions_url`: the transcript as WebVTT, shown as the video's own subtitles (kept full screen).
    `poster_url`: the still shown before playback (else the browser shows the first frame)."""
    payload = {
        "video_url": video_url,
        "poster_url": poster_url,
        "captions_url": captions_url,
        "query": query,  # words highlighted in the transcript when it opens
        "language": language,
        "cues": [{"start": c.start, "end": c.end, "text": c.text, "speaker": c.speaker} for c in cues],
        "start_at": max(0.0, start_at) if math.isfinite(start_at) else 0.0,  # JSON has no inf/nan
        "labels": {
            "search": t("player.search"),
            "previous": t("player.previous"),
            "next": t("player.next"),
            "transcript": t("player.transcript"),
            "video": t("player.video"),
            "empty": t("player.empty"),
            "captions": t("player.captions"),
        },
    }
    # The signed URL changes on every run; the key only on new content, so playback is not reset.
    digest = hashlib.sha256(
        json.dumps([payload["cues"], payload["start_at"], payload["query"], key]).encode()
    ).hexdigest()[:16]
    payload["key"] = digest
    _player(data=payload, key=key)
