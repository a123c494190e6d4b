"""What every strict OpenAI fake here shares: the error shape, Bearer auth, injected failures.

Written from OpenAI's API reference: errors are `{"error": {message, type, param, code}}`; a
missing key and a wrong key are both 401 (OpenAI quotes part of a wrong key, our fakes quote
all of it so a leak into a message or a log is easy to catch).
"""

from __future__ import annotations

import hmac

from starlette.requests import Request
from starlette.responses import JSONResponse


def openai_error(
    status: int,
    message: str,
    *,
    type_: str = "invalid_request_error",
    param: str | None = None,
    code: str | None = None,
    headers: dict | None = None,
) -> JSONResponse:
    return JSONResponse(
        {"error": {"message": message, "type": type_, "param": param, "code": code}},
        status_code=status,
        headers=headers,
    )


def refused(request: Request, api_key: str, fail_next: list[tuple[int, dict]]) -> JSONResponse | None:
    """The answer that ends a request before the endpoint's own checks, if any: an injected
    failure (`fail_next.append((429, {"retry-after-ms": "1"}))`, before auth), then Bearer auth."""
    if fail_next:
        status, headers = fail_next.pop(0)
        return openai_error(status, f"Injected failure {status}", type_="server_error", headers=headers)
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Bearer ") or not auth[7:].strip():
        return openai_error(
            401,
            "You didn't provide an API key. You need to provide your API key in an "
            "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        )
    given = auth[7:].strip()
    if not hmac.compare_digest(given.encode(), api_key.encode()):
        return openai_error(
            401,
            f"Incorrect API key provided: {given}. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            code="invalid_api_key",
        )
    return None
