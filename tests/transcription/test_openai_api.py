"""The OpenAI provider against a real OpenAI-compatible HTTP server on 127.0.0.1."""

from __future__ import annotations

import logging
import secrets
import socket
import traceback

import pytest

from tests.transcription.helpers import API_KEY, ENGLISH_WORDS, LONG_ENGLISH, found
from visio_core.adapters.transcription.openai_api import DEFAULT_MAX_BYTES, OpenAITranscriber
from visio_core.domain import srt
from visio_core.domain.errors import BackendUnavailable, InvalidInput
from visio_core.entrypoints.config import Settings
from visio_core.entrypoints.transcription import build_transcriber, transcribe_to_srt

pytestmark = pytest.mark.slow  # real models, servers or subprocesses: `make test`, not `make check`


def _client(server, **options) -> OpenAITranscriber:
    options.setdefault("max_retries", 0)
    options.setdefault("timeout", 60)
    return OpenAITranscriber(options.pop("api_key", API_KEY), base_url=server.base_url, **options)


def _text(cues) -> str:
    return " ".join(c.text for c in cues)


@pytest.mark.parametrize("response_format", ["srt", "verbose_json"])
def test_transcribes_through_the_api(server, mp4_with_speech, response_format):
    progress: list[float] = []
    cues = _client(server, response_format=response_format).transcribe(
        mp4_with_speech, language="en", on_progress=progress.append
    )
    assert len(found(_text(cues), ENGLISH_WORDS)) >= 3, _text(cues)
    assert progress[-1] == 1.0
    [request] = server.received
    # what was sent is the compact audio track, not the video
    assert request.filename.endswith(".ogg") and request.size < mp4_with_speech.stat().st_size
    assert (request.model, request.language, request.response_format) == ("whisper-1", "en", response_format)


def test_the_vocabulary_is_sent_as_the_prompt(server, mp4_with_speech):
    _client(server).transcribe(mp4_with_speech, language="en", vocabulary=["Foxeo", "Claire Martin"])
    [request] = server.received
    assert request.prompt == "Foxeo, Claire Martin."


def test_long_recording_is_sent_in_pieces_and_merged(server, long_speech):
    max_bytes = 60_000
    server.max_bytes = max_bytes  # the server refuses anything bigger (413), like OpenAI past 25 MB
    progress: list[float] = []
    cues = _client(server, max_bytes=max_bytes).transcribe(long_speech.path, language="en", on_progress=progress.append)

    assert len(server.received) >= 3
    assert all(request.size <= max_bytes for request in server.received)
    assert progress == sorted(progress) and progress[-1] == 1.0 and len(progress) == len(server.received)

    # one cue list, renumbered, in time order, on the whole recording's timeline
    assert [c.index for c in cues] == list(range(1, len(cues) + 1))
    for previous, cue in zip(cues, cues[1:]):
        assert previous.end <= cue.start
    assert cues[-1].end <= long_speech.duration + 0.1

    text = _text(cues)
    keywords = [word for _, word in LONG_ENGLISH]
    assert len(found(text, keywords)) >= len(keywords) - 2, text
    # words of the last sentences were in a later piece: their cues carry its offset
    first_piece_end = long_speech.duration / len(server.received)
    late = [c for c in cues if found(c.text, ["chocolate", "weekend"])]
    assert late and all(c.start > first_piece_end for c in late)
    # each sentence is said once: no word duplicated at the seams
    assert sum(1 for c in cues if found(c.text, ["football"])) == 1


def test_wrong_key_is_a_clear_error_that_never_shows_the_key(server, english_speech, caplog):
    wrong_key = "sk-wrong-" + secrets.token_hex(16)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(BackendUnavailable) as caught:
        _client(server, api_key=wrong_key).transcribe(english_speech.path, language="en")
    message = str(caught.value)
    assert "clé API" in message and "401" in message
    everything = "\n".join(
        [message, repr(caught.value), caplog.text, "".join(traceback.format_exception(caught.value))]
    )
    assert wrong_key not in everything and wrong_key[:12] not in everything
    assert API_KEY not in repr(_client(server))


def test_rate_limit_is_retried_by_the_sdk(server, english_speech):
    server.fail_next += [(429, {"retry-after-ms": "10"}), (503, {"retry-after-ms": "10"})]
    cues = _client(server, max_retries=2).transcribe(english_speech.path, language="en")
    assert len(found(_text(cues), ENGLISH_WORDS)) >= 3
    assert not server.fail_next and len(server.received) == 1


def test_server_errors_after_retries_are_backend_unavailable(server, english_speech):
    server.fail_next += [(500, {"retry-after-ms": "10"})] * 2
    with pytest.raises(BackendUnavailable, match="ne répond pas.*500"):
        _client(server, max_retries=1).transcribe(english_speech.path, language="en")
    assert not server.fail_next  # one try and one retry


def test_requests_the_server_refuses(server, english_speech):
    with pytest.raises(InvalidInput, match="refusé la demande.*language"):
        _client(server).transcribe(english_speech.path, language="xx")
    with pytest.raises(InvalidInput, match="refusé la demande.*model"):
        _client(server, model="whisper-9").transcribe(english_speech.path, language="en")
    server.max_bytes = 1_000
    with pytest.raises(BackendUnavailable, match="VISIO_OPENAI_MAX_BYTES"):
        _client(server).transcribe(english_speech.path, language="en")


def test_non_media_is_refused_before_any_upload(server, tmp_path):
    notes = tmp_path / "compte-rendu.txt"
    notes.write_text("Pas une vidéo.\n" * 30)
    with pytest.raises(InvalidInput, match="lisible"):
        _client(server).transcribe(notes, language="fr")
    assert server.received == []


def test_unreachable_server(english_speech):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nothing listens there
    client = OpenAITranscriber(API_KEY, base_url=f"http://127.0.0.1:{port}/v1", max_retries=0, timeout=5)
    with pytest.raises(BackendUnavailable, match="ne répond pas"):
        client.transcribe(english_speech.path, language="en")


def test_settings_choose_openai_and_transcribe_to_srt(server, tmp_path, english_speech, monkeypatch):
    monkeypatch.setenv("VISIO_OPENAI_MAX_BYTES", "123456")
    env = {
        "VISIO_DATA_DIR": str(tmp_path / "data"),
        "OPENAI_API_KEY": API_KEY,
        "OPENAI_BASE_URL": server.base_url,
        "VISIO_DEFAULT_LANGUAGE": "en",
    }
    settings = Settings.load(env=env, secrets_file=tmp_path / "none.toml")
    transcriber = build_transcriber(settings)
    assert isinstance(transcriber, OpenAITranscriber)
    assert (transcriber.model, transcriber.max_bytes) == ("whisper-1", 123456)
    text = transcribe_to_srt(settings, english_speech.path)
    assert srt.render_srt(srt.parse(text).cues) == text
    assert len(found(text, ENGLISH_WORDS)) >= 3, text
    assert server.received[0].language == "en"


def test_default_limit_is_openai_25_mb(monkeypatch):
    monkeypatch.delenv("VISIO_OPENAI_MAX_BYTES", raising=False)
    assert OpenAITranscriber(API_KEY, base_url="http://127.0.0.1:9/v1").max_bytes == DEFAULT_MAX_BYTES == 25 * 2**20
