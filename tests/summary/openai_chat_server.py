"""A strict fake of OpenAI's `POST /v1/chat/completions`, served over real HTTP on loopback.

Strict where the real API is documented to be: Bearer auth (401 in OpenAI's error shape, quoting
the key given so a leak is easy to catch), unknown model (404 `model_not_found`), unknown request
arguments, message roles and contents, `response_format` (`json_object` needs the word "json" in
the messages; `json_schema` needs a name of `[a-zA-Z0-9_-]{1,64}` and, with `strict`, every property
required and `additionalProperties: false` at every level), `temperature` in 0..2, and a context
window (400 `context_length_exceeded`, counted here in characters).

Its "model" answers deterministically from the transcript it receives, so tests prove the wiring:
a transcript part (lines `[#N mm:ss] Speaker: text`) gets a summary counting its lines, a decision
for each line saying "décid…", an action item for each line saying " doit " (owner: the word before
it when capitalised, else none); a merge request (one JSON summary per line) gets their union.
`invent=True` adds an item citing a line that does not exist.

Fault injection: `server.fail_next.append((status, headers))` answers the next request with that
status (before auth), e.g. 429 with `retry-after-ms: 1`.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.http_server import serve
from tests.openai_fake import openai_error as _error
from tests.openai_fake import refused

ROLES = {"system", "developer", "user", "assistant", "tool"}
KNOWN_ARGUMENTS = {
    "model",
    "messages",
    "response_format",
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "n",
    "stop",
    "seed",
    "stream",
    "user",
    "presence_penalty",
    "frequency_penalty",
    "logprobs",
}
SCHEMA_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
LINE = re.compile(r"^\[#(\d+) (\d+:\d\d(?::\d\d)?)\](?: ([^:]+):)? (.*)$")
OWNER = re.compile(r"(?:^|\s)([A-ZÉÈ][\wéèêàç-]+) doit ")


def _strict_problem(schema: Any, where: str = "schema") -> str | None:
    """What OpenAI's strict structured outputs would refuse in this schema, if anything."""
    if not isinstance(schema, dict):
        return f"{where} must be an object"
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "object" in kinds:
        properties = schema.get("properties") or {}
        if schema.get("additionalProperties") is not False:
            return f"In context={where}, 'additionalProperties' is required to be supplied and to be false"
        if sorted(schema.get("required") or []) != sorted(properties):
            return (
                f"In context={where}, 'required' is required to be supplied and to be an array including "
                "every key in properties"
            )
        for name, sub in properties.items():
            problem = _strict_problem(sub, f"{where}.{name}")
            if problem:
                return problem
    if "array" in kinds:
        return _strict_problem(schema.get("items"), f"{where}.items")
    return None


@dataclass
class Received:
    model: str
    messages: list[dict[str, Any]]
    response_format: dict[str, Any] | None
    authorization: str

    @property
    def user(self) -> str:
        return "\n".join(m["content"] for m in self.messages if m["role"] == "user")

    @property
    def is_merge(self) -> bool:
        return not any(LINE.match(raw) for raw in self.user.splitlines())


@dataclass
class FakeChatServer:
    api_key: str
    models: tuple[str, ...] = ("resume-test",)
    context_chars: int = 60_000  # the context window, in characters of message content
    invent: bool = False
    received: list[Received] = field(default_factory=list)
    fail_next: list[tuple[int, dict]] = field(default_factory=list)
    base_url: str = ""

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/v1/chat/completions", self._completions, methods=["POST"])])

    async def _completions(self, request: Request) -> Response:
        refusal = refused(request, self.api_key, self.fail_next)
        if refusal is not None:
            return refusal
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _error(400, "We could not parse the JSON body of your request.")
        if not isinstance(body, dict):
            return _error(400, "We could not parse the JSON body of your request.")
        unknown = sorted(set(body) - KNOWN_ARGUMENTS)
        if unknown:
            return _error(400, f"Unrecognized request argument supplied: {unknown[0]}")
        model = body.get("model")
        if not isinstance(model, str) or not model:
            return _error(400, "you must provide a model parameter")
        if model not in self.models:
            return _error(
                404, f"The model `{model}` does not exist or you do not have access to it.", code="model_not_found"
            )
        problem = self._check_messages(body.get("messages"))
        if problem is None:
            problem = self._check_format(body.get("response_format"), body["messages"])
        temperature = body.get("temperature", 1)
        if problem is None and (not isinstance(temperature, int | float) or not 0 <= temperature <= 2):
            problem = f"{temperature} is not a valid temperature: expected a number from 0 to 2 - 'temperature'"
        if problem is not None:
            return _error(400, problem)
        size = sum(len(m["content"]) for m in body["messages"])
        if size > self.context_chars:
            return _error(
                400,
                f"This model's maximum context length is {self.context_chars} characters. "
                f"However, your messages resulted in {size} characters.",
                param="messages",
                code="context_length_exceeded",
            )
        received = Received(model, body["messages"], body.get("response_format"), request.headers["authorization"])
        self.received.append(received)
        answer = self._answer(received)
        return JSONResponse(
            {
                "id": f"chatcmpl-{len(self.received)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "system_fingerprint": None,
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "logprobs": None,
                        "message": {
                            "role": "assistant",
                            "content": json.dumps(answer, ensure_ascii=False),
                            "refusal": None,
                        },
                    }
                ],
                "usage": {"prompt_tokens": size // 4, "completion_tokens": 50, "total_tokens": size // 4 + 50},
            }
        )

    @staticmethod
    def _check_messages(messages: Any) -> str | None:
        if not isinstance(messages, list) or not messages:
            return "[] is too short - 'messages'"
        for n, message in enumerate(messages):
            if not isinstance(message, dict) or message.get("role") not in ROLES:
                return f"Invalid value for 'messages[{n}].role'."
            if not isinstance(message.get("content"), str):
                return f"Invalid type for 'messages[{n}].content': expected a string."
        return None

    @staticmethod
    def _check_format(response_format: Any, messages: list[dict[str, Any]]) -> str | None:
        if response_format is None:
            return None
        kind = response_format.get("type") if isinstance(response_format, dict) else None
        if kind == "text":
            return None
        if kind == "json_object":
            if not any("json" in m["content"].lower() for m in messages):
                return (
                    "'messages' must contain the word 'json' in some form, to use 'response_format' of type "
                    "'json_object'."
                )
            return None
        if kind == "json_schema":
            spec = response_format.get("json_schema")
            if not isinstance(spec, dict) or not SCHEMA_NAME.match(str(spec.get("name", ""))):
                return "Invalid 'response_format.json_schema.name': string does not match pattern."
            if not isinstance(spec.get("schema"), dict):
                return "Missing required parameter: 'response_format.json_schema.schema'."
            if spec.get("strict"):
                problem = _strict_problem(spec["schema"])
                if problem:
                    return f"Invalid schema for response_format '{spec['name']}': {problem}."
            return None
        return f"Invalid value: '{kind}'. Supported values are: 'json_object', 'json_schema', and 'text'."

    # -- the "model" ------------------------------------------------------------------------------
    def _answer(self, received: Received) -> dict[str, Any]:
        lines = [m for m in (LINE.match(raw) for raw in received.user.splitlines()) if m]
        if lines:
            answer = self._summarise(lines)
        else:
            answer = self._merge(received.user)
        if self.invent:
            answer["action_items"].append({"text": "Action inventée", "owner": None, "cue": 9999})
        return answer

    @staticmethod
    def _summarise(lines: list[re.Match[str]]) -> dict[str, Any]:
        decisions, actions = [], []
        for m in lines:
            cue, text = int(m.group(1)), m.group(4)
            if "décid" in text.lower():
                decisions.append({"text": text, "cue": cue})
            if " doit " in f" {text} ":
                owner = OWNER.search(text)
                actions.append({"text": text, "owner": owner.group(1) if owner else None, "cue": cue})
        first, last = int(lines[0].group(1)), int(lines[-1].group(1))
        return {
            "summary": f"Lignes {first} à {last} ({len(lines)} répliques).",
            "decisions": decisions,
            "action_items": actions,
        }

    @staticmethod
    def _merge(user: str) -> dict[str, Any]:
        summaries, decisions, actions = [], [], []
        for raw in user.splitlines():
            try:
                part = json.loads(raw)
            except ValueError:
                continue
            summaries.append(part["summary"])
            decisions += [{"text": d["text"], "cue": d["cue"]} for d in part["decisions"]]
            actions += [{"text": a["text"], "owner": a["owner"], "cue": a["cue"]} for a in part["action_items"]]
        return {"summary": "Synthèse : " + " ".join(summaries), "decisions": decisions, "action_items": actions}


@contextmanager
def chat_server(api_key: str, **options: Any) -> Iterator[FakeChatServer]:
    server = FakeChatServer(api_key, **options)
    with serve(server.app()) as url:
        server.base_url = f"{url}/v1"
        yield server
