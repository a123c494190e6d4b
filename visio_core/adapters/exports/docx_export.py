"""A transcript as a Word document (python-docx): a title, then one paragraph per line with its
time and speaker in bold, so it reads as minutes and edits like any document."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt, RGBColor

from visio_core.domain.plain_text import timecode
from visio_core.domain.transcript import Transcript


def transcript_docx(transcript: Transcript, title: str) -> bytes:
    document = Document()
    document.core_properties.title = title
    document.add_heading(title or "Transcription", level=1)
    for cue in transcript.cues:
        paragraph = document.add_paragraph()
        stamp = paragraph.add_run(f"[{timecode(cue.start)}] ")
        stamp.font.color.rgb = RGBColor(0x77, 0x77, 0x77)
        stamp.font.size = Pt(9)
        if cue.speaker:
            paragraph.add_run(f"{cue.speaker} : ").bold = True
        paragraph.add_run(cue.text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
