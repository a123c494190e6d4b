"""A strict fake of Supabase Storage's REST API (storage-api, as documented), for httpx.MockTransport.

It refuses what the real service refuses: a request without `apikey` or with a bearer token it
does not know, unknown buckets, an upload over an existing object without `x-upsert`, missing
objects (the real API answers 400 with statusCode "404"). Every request is recorded so tests can
assert paths, headers and which key was sent.
"""

from __future__ import annotations

import email
import json
import secrets
from dataclasses import dataclass, field
from urllib.parse import unquote

import httpx

PREFIX = "/storage/v1"


def _error(status: int, code: str, message: str, http_status: int = 400) -> httpx.Response:
    return httpx.Response(http_status, json={"statusCode": str(status), "error": code, "message": message})


@dataclass
class FakeStorage:
    keys: set[str]  # bearer tokens the fake accepts (anon+JWT or service role)
    buckets: set[str] = field(default_factory=lambda: {"recordings", "transcripts"})
    objects: dict[tuple[str, str], bytes] = field(default_factory=dict)
    signed: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if request.headers.get("apikey") not in self.keys or token not in self.keys:
            return _error(403, "Unauthorized", "Invalid Compact JWS")
        path = unquote(request.url.path)
        if not path.startswith(PREFIX + "/object/"):
            return _error(404, "not_found", "Route not found", 404)
        rest = path[len(PREFIX + "/object/") :]
        if rest.startswith("sign/") and request.method == "POST":
            return self._sign(*self._split(rest[5:]), json.loads(request.content or b"{}"))
        if rest.startswith("info/") and request.method == "GET":
            return self._info(*self._split(rest[5:]))
        if request.method == "DELETE":
            return self._remove(rest, json.loads(request.content))
        bucket, key = self._split(rest)
        if request.method == "POST":
            return self._upload(bucket, key, request)
        if request.method == "GET":
            return self._download(bucket, key)
        return _error(405, "invalid_method", "Method not allowed", 405)

    @staticmethod
    def _split(rest: str) -> tuple[str, str]:
        bucket, _, key = rest.partition("/")
        return bucket, key

    def _missing(self, bucket: str, key: str) -> httpx.Response | None:
        if bucket not in self.buckets:
            return _error(404, "Bucket not found", "Bucket not found")
        if (bucket, key) not in self.objects:
            return _error(404, "not_found", "Object not found")
        return None

    def _upload(self, bucket: str, key: str, request: httpx.Request) -> httpx.Response:
        if bucket not in self.buckets:
            return _error(404, "Bucket not found", "Bucket not found")
        if (bucket, key) in self.objects and request.headers.get("x-upsert") != "true":
            return _error(409, "Duplicate", "The resource already exists")
        message = email.message_from_bytes(
            b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.read()
        )
        files = [part for part in message.walk() if part.get_param("name", header="content-disposition") == "file"]
        if not files:
            return _error(400, "invalid_request", "No file in the form")
        self.objects[(bucket, key)] = files[0].get_payload(decode=True)
        return httpx.Response(200, json={"Key": f"{bucket}/{key}", "Id": secrets.token_hex(8)})

    def _download(self, bucket: str, key: str) -> httpx.Response:
        return self._missing(bucket, key) or httpx.Response(200, content=self.objects[(bucket, key)])

    def _info(self, bucket: str, key: str) -> httpx.Response:
        return self._missing(bucket, key) or httpx.Response(
            200, json={"name": key, "bucket_id": bucket, "size": len(self.objects[(bucket, key)])}
        )

    def _remove(self, bucket: str, body: dict) -> httpx.Response:
        if bucket not in self.buckets:
            return _error(404, "Bucket not found", "Bucket not found")
        removed = [{"name": p} for p in body.get("prefixes", []) if self.objects.pop((bucket, p), None) is not None]
        return httpx.Response(200, json=removed)

    def _sign(self, bucket: str, key: str, body: dict) -> httpx.Response:
        missing = self._missing(bucket, key)
        if missing:
            return missing
        if "expiresIn" not in body:
            return _error(400, "invalid_request", "expiresIn is required")
        token = secrets.token_urlsafe(16)
        self.signed[token] = (bucket, key, int(body["expiresIn"]))
        return httpx.Response(200, json={"signedURL": f"/object/sign/{bucket}/{key}?token={token}"})
