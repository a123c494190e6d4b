"""A strict in-memory fake of Supabase Auth (GoTrue) for httpx.MockTransport: the endpoints Visio uses.

From GoTrue's documented API: `POST /auth/v1/token?grant_type=password` ({email, password}),
`POST /auth/v1/token?grant_type=refresh_token` ({refresh_token}; tokens rotate, a used one is
refused), `POST /auth/v1/logout?scope=global` (Bearer access token; revokes the user's refresh
tokens). No `apikey` → 401; wrong credentials → 400 invalid_credentials.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass, field

import httpx


def _error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"code": status, "error_code": code, "msg": message})


@dataclass
class FakeGoTrue:
    anon_key: str
    users: dict[str, tuple[uuid.UUID, str]] = field(default_factory=dict)  # email → (id, password)
    access: dict[str, uuid.UUID] = field(default_factory=dict)
    refresh: dict[str, uuid.UUID] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)
    requests: list[httpx.Request] = field(default_factory=list)
    rate_limited: bool = False  # GoTrue's per-IP limit on token requests: 429 over_request_rate_limit

    def add_user(self, email: str, password: str) -> uuid.UUID:
        user_id = uuid.uuid4()
        self.users[email] = (user_id, password)
        return user_id

    def handle(self, request: httpx.Request) -> httpx.Response | None:
        """The answer for an /auth/v1 request, or None for other paths."""
        if not request.url.path.startswith("/auth/v1/"):
            return None
        self.requests.append(request)
        if request.headers.get("apikey") != self.anon_key:
            return httpx.Response(401, json={"message": "No API key found in request"})
        path = request.url.path.removeprefix("/auth/v1/")
        grant = request.url.params.get("grant_type")
        body = json.loads(request.content or b"{}")
        if request.method == "POST" and path == "token" and self.rate_limited:
            return _error(429, "over_request_rate_limit", "Request rate limit reached")
        if request.method == "POST" and path == "token" and grant == "password":
            known = self.users.get(str(body.get("email", "")))
            if known is None or known[1] != body.get("password"):
                return _error(400, "invalid_credentials", "Invalid login credentials")
            return self._session(known[0], str(body["email"]))
        if request.method == "POST" and path == "token" and grant == "refresh_token":
            token = str(body.get("refresh_token", ""))
            if token in self.used:
                return _error(400, "refresh_token_already_used", "Invalid Refresh Token: Already Used")
            user_id = self.refresh.pop(token, None)
            if user_id is None:
                return _error(400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found")
            self.used.add(token)
            email = next(e for e, (i, _) in self.users.items() if i == user_id)
            return self._session(user_id, email)
        if request.method == "POST" and path == "logout":
            if request.url.params.get("scope") not in ("global", "local", "others"):
                return _error(400, "validation_failed", "Unsupported logout scope")
            user_id = self.access.get(request.headers.get("authorization", "").removeprefix("Bearer "))
            if user_id is None:
                return _error(401, "bad_jwt", "invalid JWT")
            for table in (self.access, self.refresh):
                for token in [k for k, v in table.items() if v == user_id]:
                    del table[token]
            return httpx.Response(204)
        return _error(404, "not_found", "Not found")

    def _session(self, user_id: uuid.UUID, email: str) -> httpx.Response:
        access, refresh = "at-" + secrets.token_urlsafe(16), "rt-" + secrets.token_urlsafe(16)
        self.access[access], self.refresh[refresh] = user_id, user_id
        now = int(time.time())
        user = {
            "id": str(user_id),
            "aud": "authenticated",
            "role": "authenticated",
            "email": email,
            "app_metadata": {"provider": "email"},
            "user_metadata": {},
            "created_at": "2026-11-01T00:00:00Z",
        }
        return httpx.Response(
            200,
            json={
                "access_token": access,
                "token_type": "bearer",
                "expires_in": 3600,
                "expires_at": now + 3600,
                "refresh_token": refresh,
                "user": user,
            },
        )
