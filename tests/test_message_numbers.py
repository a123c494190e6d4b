"""Numbers a user reads are formatted from the constants the code acts on, never typed into a string."""

from __future__ import annotations

import pytest

from visio_core.adapters.embedded_room.room import RECONNECT_GRACE
from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import FR, format_seconds, t
from visio_core.domain.media_types import ALLOWED_EXTENSIONS
from visio_core.entrypoints.cli import SPEAKERS_MAX, _speaker_count
from visio_core.ui.components.room_call import labels


def test_the_reconnection_notice_gives_the_rooms_grace():
    notice = labels()["reconnecting"]
    assert notice.endswith(f"Votre place est gardée {format_seconds(RECONNECT_GRACE)}.")
    assert "45\u00a0secondes" in notice  # what the room keeps today, read in French


def test_the_import_field_lists_the_accepted_types():
    assert t("jobs.file", allowed=", ".join(ALLOWED_EXTENSIONS)) == "Fichier (mp4, webm, m4a, mp3, wav, ogg)"


def test_the_speaker_count_message_gives_the_limit_the_cli_checks():
    assert _speaker_count(str(SPEAKERS_MAX)) == SPEAKERS_MAX
    with pytest.raises(InvalidInput, match=f"un nombre de 1 à {SPEAKERS_MAX}, ou auto"):
        _speaker_count(str(SPEAKERS_MAX + 1))


def test_no_french_string_carries_a_typed_duration():
    typed = [
        key for key, text in FR.items() if any(f"{n} seconde" in text or f"{n} minute" in text for n in range(100))
    ]
    assert typed == []
