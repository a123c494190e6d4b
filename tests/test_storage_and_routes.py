"""Local storage, signed URLs and the app's HTTP routes (health, signed files with Range)."""

from __future__ import annotations

import io
import os
import secrets
from types import SimpleNamespace

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from visio_core.adapters.local_storage import LocalStorage
from visio_core.domain.errors import InvalidInput, NotFound
from visio_core.entrypoints.config import Settings
from visio_core.entrypoints.web import make_routes

OPENAI_TEST_KEY = f"test-{secrets.token_hex(16)}"  # generated per run, never a key-shaped literal

KEY = "visio-abc/rec-1.webm"


class Clock:
    now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def storage(tmp_path, clock) -> LocalStorage:
    return LocalStorage(tmp_path / "storage", b"k" * 32, 3600, clock)


@pytest.fixture
def client(storage, tmp_path):
    settings = Settings.load(
        env={
            "VISIO_DATA_DIR": str(tmp_path),
            "OPENVIDU_SECRET": "ov-secret-value",
            "OPENAI_API_KEY": OPENAI_TEST_KEY,
            "SUPABASE_SERVICE_ROLE_KEY": "service-role-secret",
        },
        secrets_file=tmp_path / "none.toml",
    )
    context = SimpleNamespace(
        settings=settings,
        storage=storage,
        backends=lambda: {
            "store": "sqlite",
            "storage": storage.name,
            "media": "embedded",
            "transcription": settings.transcription_backend,
        },
    )
    return TestClient(Starlette(routes=make_routes(lambda: context)))


def put(storage: LocalStorage, data: bytes, key: str = KEY) -> None:
    storage.upload_stream("recordings", key, io.BytesIO(data))


def test_upload_read_delete(storage, tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 17)
    assert storage.upload_stream("recordings", KEY, io.BytesIO(data)) == len(data)
    assert storage.size("recordings", KEY) == len(data) and storage.exists("recordings", KEY)
    with storage.open_read("recordings", KEY) as fh:
        assert fh.read() == data
    storage.download_to("recordings", KEY, tmp_path / "copy")
    assert (tmp_path / "copy").read_bytes() == data
    assert oct(storage.path_of("recordings", KEY).stat().st_mode & 0o777) == "0o600"
    storage.delete("recordings", KEY)
    storage.delete("recordings", KEY)  # missing is fine
    assert not storage.exists("recordings", KEY)


def test_oversize_and_failed_uploads_leave_nothing(storage):
    with pytest.raises(InvalidInput, match="trop volumineux"):
        storage.upload_stream("recordings", KEY, io.BytesIO(b"x" * 5000), max_bytes=4096)

    class Broken(io.RawIOBase):
        def read(self, n=-1):
            raise OSError("connection reset")

    with pytest.raises(OSError):
        storage.upload_stream("recordings", KEY, Broken())
    folder = storage.path_of("recordings", KEY).parent
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(
    "bucket, key",
    [
        ("recordings", "../secret"),
        ("recordings", "a/../../etc/passwd"),
        ("recordings", "/etc/passwd"),
        ("recordings", "a\\..\\b"),
        ("recordings", "%2e%2e/x"),
        ("recordings", "%252e%252e%252fx"),
        ("recordings", "a%2fb"),
        ("recordings", "a/\x00b"),
        ("recordings", ""),
        ("recordings", "a//b"),
        ("public", "x.webm"),
    ],
)
def test_traversal_and_unknown_buckets_are_refused(storage, bucket, key):
    with pytest.raises(InvalidInput):
        storage.upload_stream(bucket, key, io.BytesIO(b"x"))
    with pytest.raises(InvalidInput):
        storage.exists(bucket, key)


def test_signed_url_serves_ranges_and_expires(storage, client, clock):
    data = bytes(range(256)) * 4000
    put(storage, data)
    url = storage.signed_url("recordings", KEY)
    whole = client.get(url)
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["content-type"] == "video/webm" and whole.headers["accept-ranges"] == "bytes"
    middle = client.get(url, headers={"Range": "bytes=500000-500099"})
    assert middle.status_code == 206 and middle.content == data[500000:500100]
    assert middle.headers["content-range"] == f"bytes 500000-500099/{len(data)}"
    head = client.head(url)
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(data)

    clock.now += 3601
    expired = client.get(url)
    assert expired.status_code == 403 and "expiré" in expired.text


def test_download_links_are_attachments(storage, client):
    storage.upload_stream("transcripts", "rec-1.srt", io.BytesIO(b"1\n00:00:00,000 --> 00:00:01,000\nBonjour\n"))
    url = storage.signed_url("transcripts", "rec-1.srt", download_name="reunion.srt")
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert "reunion.srt" in response.headers["content-disposition"]
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_tampered_urls_are_refused(storage, client):
    put(storage, b"data")
    put(storage, b"other", "visio-abc/rec-2.webm")
    url = storage.signed_url("recordings", KEY)
    path, query = url.split("?")
    params = dict(p.split("=") for p in query.split("&"))
    forged = [
        f"{path}?expires={params['expires']}&sig={'0' * 64}",
        f"{path}?expires={int(params['expires']) + 10}&sig={params['sig']}",
        f"{path.replace('rec-1', 'rec-2')}?{query}",
        f"{path.replace('/recordings/', '/transcripts/')}?{query}",
        f"{url}&download=x.webm",
        path,
        f"{path}?expires=soon&sig={params['sig']}",
    ]
    for attempt in forged:
        response = client.get(attempt)
        assert response.status_code == 403, attempt
        assert "pas valide" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/files/recordings/..%2f..%2fetc/passwd",
        "/files/recordings/%2e%2e/x",
        "/files/recordings/a/%252e%252e/x",
        "/files/../data/x",
    ],
)
def test_route_refuses_traversal(client, path):
    assert client.get(path + "?expires=9999999999&sig=00").status_code in (403, 404)


def test_missing_object_has_no_url(storage):
    with pytest.raises(NotFound):
        storage.signed_url("recordings", "visio-abc/none.webm")


def test_health_names_backends_and_no_secret(client):
    response = client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["backends"]["transcription"] == "openai" and body["backends"]["storage"] == "local"
    for secret in ("ov-secret-value", OPENAI_TEST_KEY, "service-role-secret"):
        assert secret not in response.text


def test_health_reports_what_actually_runs(ctx):
    client = TestClient(Starlette(routes=make_routes(lambda: ctx)))
    assert client.get("/api/health").json()["backends"] == {
        "store": "sqlite",
        "storage": "local",
        "media": "fake",
        "transcription": "offline",
        "summary": "off",
    }
