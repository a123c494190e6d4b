"""The OpenAI chat adapter against a strict fake of the chat completions API, over real HTTP."""

from __future__ import annotations

import secrets

import pytest

from tests.summary.conftest import KEY
from tests.summary.openai_chat_server import chat_server
from visio_core.adapters.summary.openai_chat import OpenAIChatModel
from visio_core.domain.errors import BackendUnavailable
from visio_core.domain.summary import SCHEMA
from visio_core.services.jobs import PermanentFailure
from visio_core.services.summaries import SCHEMA_NAME, SYSTEM

TRANSCRIPT = "Transcript, part 1 of 1:\n[#1 00:00] Claire: Nous avons décidé du budget.\n[#2 00:04] Bruno doit écrire."


@pytest.fixture
def server():
    with chat_server(KEY) as fake:
        yield fake


def model(server, key=KEY, name="resume-test", **options) -> OpenAIChatModel:
    return OpenAIChatModel(key, name, base_url=server.base_url, **options)


def test_the_request_is_what_the_api_documents(server):
    answer = model(server).complete_json(SYSTEM, TRANSCRIPT, SCHEMA_NAME, SCHEMA)
    assert answer["decisions"] == [{"text": "Nous avons décidé du budget.", "cue": 1}]
    assert answer["action_items"] == [{"text": "Bruno doit écrire.", "owner": "Bruno", "cue": 2}]
    (received,) = server.received
    assert received.authorization == f"Bearer {KEY}" and received.model == "resume-test"
    assert [m["role"] for m in received.messages] == ["system", "user"]
    assert received.messages[1]["content"] == TRANSCRIPT
    assert received.response_format["type"] == "json_schema"
    assert received.response_format["json_schema"]["strict"] is True  # the fake checked the schema is strict-valid


def test_a_wrong_key_fails_for_good_with_a_french_message_that_holds_no_key(server):
    with pytest.raises(PermanentFailure) as error:
        model(server, key=f"wrong-{secrets.token_hex(8)}").complete_json(SYSTEM, TRANSCRIPT, SCHEMA_NAME, SCHEMA)
    assert "refuse la clé" in str(error.value) and "sk-" not in str(error.value)
    assert "sk-" not in repr(model(server))


def test_an_unknown_model_fails_for_good(server):
    with pytest.raises(PermanentFailure, match="ne connaît pas le modèle « gpt-inconnu »"):
        model(server, name="gpt-inconnu").complete_json(SYSTEM, TRANSCRIPT, SCHEMA_NAME, SCHEMA)


def test_a_request_over_the_context_window_fails_for_good_with_the_servers_words():
    with chat_server(KEY, context_chars=100) as small, pytest.raises(PermanentFailure) as error:
        model(small).complete_json(SYSTEM, TRANSCRIPT, SCHEMA_NAME, SCHEMA)
    assert "(400)" in str(error.value) and "maximum context length" in str(error.value)


def test_a_schema_strict_mode_refuses_is_reported_not_retried(server):
    loose = {"type": "object", "properties": {"summary": {"type": "string"}}}
    with pytest.raises(PermanentFailure, match="additionalProperties"):
        model(server).complete_json(SYSTEM, TRANSCRIPT, SCHEMA_NAME, loose)


def test_rate_limits_are_retried_honouring_retry_after(server):
    server.fail_next += [(429, {"retry-after-ms": "1"}), (503, {"retry-after-ms": "1"})]
    answer = model(server, max_retries=2).complete_json(SYSTEM, TRANSCRIPT, SCHEMA_NAME, SCHEMA)
    assert answer["summary"] and len(server.received) == 1 and not server.fail_next


@pytest.mark.parametrize("status", [429, 500, 503])
def test_still_failing_after_the_retries_is_worth_a_later_try(server, status):
    server.fail_next += [(status, {"retry-after-ms": "1"})] * 2
    with pytest.raises(BackendUnavailable, match=f"HTTP {status}"):
        model(server, max_retries=1).complete_json(SYSTEM, TRANSCRIPT, SCHEMA_NAME, SCHEMA)


def test_no_server_is_worth_a_later_try():
    dead = OpenAIChatModel(KEY, "resume-test", base_url="http://127.0.0.1:9/v1", max_retries=0)
    with pytest.raises(BackendUnavailable, match="ne répond pas"):
        dead.complete_json(SYSTEM, TRANSCRIPT, SCHEMA_NAME, SCHEMA)
