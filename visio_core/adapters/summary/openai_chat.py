"""A chat model behind OpenAI's chat completions API (or any server speaking it: vLLM, llama.cpp's
server, Ollama…), answering with one JSON object that follows a schema (`response_format`
`json_schema`, strict).

The SDK retries 408/409/429/5xx and connection errors itself, honouring Retry-After; what is still
failing after that is worth a later try by the job runner (BackendUnavailable), except what no
retry can change — a refused key, an unknown model, a refused request — which fails the job at once
(PermanentFailure) with a French message that never quotes the server's words about the key.

The API key goes to the SDK and nowhere else: no message, log or repr holds it.
"""

from __future__ import annotations

import json
from typing import Any

import openai

from visio_core.domain.errors import BackendUnavailable
from visio_core.domain.i18n import t
from visio_core.domain.summary import UnusableAnswer
from visio_core.services.jobs import PermanentFailure

DETAIL_MAX = 300


class OpenAIChatModel:
    def __init__(
        self, api_key: str, model: str, *, base_url: str | None = None, timeout: float = 300.0, max_retries: int = 2
    ) -> None:
        self.name = model
        self.base_url = base_url
        self._secret = api_key
        self._client = openai.OpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)

    def __repr__(self) -> str:
        return f"OpenAIChatModel(model={self.name!r}, base_url={self.base_url!r})"

    def complete_json(self, system: str, user: str, schema_name: str, schema: dict[str, Any]) -> Any:
        try:
            response = self._client.chat.completions.create(
                model=self.name,
                messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": schema_name, "schema": schema, "strict": True},
                },
                temperature=0,
            )
        except (openai.AuthenticationError, openai.PermissionDeniedError) as error:
            raise PermanentFailure(t("summary.auth_refused")) from error
        except openai.NotFoundError as error:
            raise PermanentFailure(t("summary.model_unknown", model=self.name)) from error
        except (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError) as error:
            raise BackendUnavailable(t("summary.unavailable", detail=self._detail(error))) from error
        except openai.APIStatusError as error:  # 400, 413, 422…: the same request would be refused again
            raise PermanentFailure(
                t("summary.request_refused", status=error.status_code, detail=self._detail(error))
            ) from error
        choice = response.choices[0] if response.choices else None
        if choice is None or choice.finish_reason != "stop" or not choice.message.content:
            raise UnusableAnswer(t("summary.bad_answer"))  # cut short, refused or empty
        try:
            return json.loads(choice.message.content)
        except ValueError as error:
            raise UnusableAnswer(t("summary.bad_answer")) from error

    def _detail(self, error: openai.APIError) -> str:
        """The server's own words (its `error.message`), short, and never the key."""
        if isinstance(error, openai.APIStatusError):
            body = error.body if isinstance(error.body, dict) else {}
            message = str(body.get("message") or error.message)
            detail = f"HTTP {error.status_code}: {message}"
        else:
            detail = type(error).__name__
        return " ".join(detail.replace(self._secret, "***").split())[:DETAIL_MAX]
