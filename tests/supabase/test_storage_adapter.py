"""The Supabase Storage adapter against a strict fake of the Storage API."""

from __future__ import annotations

import io
import logging

import httpx
import pytest

from tests.supabase.fake_storage import FakeStorage
from visio_core.adapters.supabase.storage import SupabaseStorage
from visio_core.domain.errors import BackendUnavailable, InvalidInput, NotFound

URL = "https://project.supabase.test"
SERVICE_KEY = "service-role-key-for-tests-only"
KEY = "visio-abc/rec-1.webm"


@pytest.fixture
def fake() -> FakeStorage:
    return FakeStorage(keys={SERVICE_KEY})


@pytest.fixture
def storage(fake, tmp_path) -> SupabaseStorage:
    return SupabaseStorage(URL, SERVICE_KEY, http=httpx.Client(transport=fake.transport()), spool_dir=tmp_path)


def test_upload_download_info_delete(storage, fake, tmp_path):
    data = bytes(range(256)) * 5000
    assert storage.upload_stream("recordings", KEY, io.BytesIO(data)) == len(data)
    assert fake.objects[("recordings", KEY)] == data
    upload = fake.requests[-1]
    assert upload.method == "POST" and upload.url.path == f"/storage/v1/object/recordings/{KEY}"
    assert upload.headers["apikey"] == SERVICE_KEY and upload.headers["authorization"] == f"Bearer {SERVICE_KEY}"
    assert upload.headers["x-upsert"] == "true"

    assert storage.exists("recordings", KEY) and storage.size("recordings", KEY) == len(data)
    storage.download_to("recordings", KEY, tmp_path / "copy")
    assert (tmp_path / "copy").read_bytes() == data
    with storage.local_copy("recordings", KEY) as path:
        assert path.read_bytes() == data
    assert not path.exists()
    storage.delete("recordings", KEY)
    assert not storage.exists("recordings", KEY)
    assert list(tmp_path.iterdir()) == [tmp_path / "copy"]  # no spool file left behind


def test_signed_url_is_supabases_own(storage, fake):
    storage.upload_stream("transcripts", "rec-1.srt", io.BytesIO(b"1\n00:00:00,000 --> 00:00:01,000\nBonjour\n"))
    url = storage.signed_url("transcripts", "rec-1.srt")
    assert url.startswith(f"{URL}/storage/v1/object/sign/transcripts/rec-1.srt?token=")
    token = url.split("token=")[1]
    assert fake.signed[token] == ("transcripts", "rec-1.srt", 3600)
    named = storage.signed_url("transcripts", "rec-1.srt", download_name="reunion.srt")
    assert "download=reunion.srt" in named


def test_missing_objects_and_buckets(storage):
    with pytest.raises(NotFound):
        storage.signed_url("recordings", "visio-abc/none.webm")
    with pytest.raises(NotFound):
        storage.download_to("recordings", "visio-abc/none.webm", __import__("pathlib").Path("/tmp/none"))
    assert not storage.exists("recordings", "visio-abc/none.webm")
    with pytest.raises(InvalidInput):
        storage.exists("public", "x.webm")
    with pytest.raises(InvalidInput):
        storage.upload_stream("recordings", "../escape", io.BytesIO(b"x"))


def test_oversize_never_reaches_supabase(storage, fake):
    with pytest.raises(InvalidInput):
        storage.upload_stream("recordings", KEY, io.BytesIO(b"x" * 5000), max_bytes=1000)
    assert fake.requests == []


def test_wrong_key_is_a_clear_error_without_the_key(fake, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = "a-wrong-key-that-must-not-leak"
    storage = SupabaseStorage(URL, wrong, http=httpx.Client(transport=fake.transport()), spool_dir=tmp_path)
    with pytest.raises(BackendUnavailable) as error:
        storage.upload_stream("recordings", KEY, io.BytesIO(b"data"))
    assert wrong not in str(error.value) and wrong not in repr(storage)
    assert wrong not in caplog.text
    assert fake.objects == {}


def test_unreachable_storage(tmp_path):
    def refuse(request):
        raise httpx.ConnectError("connection refused", request=request)

    storage = SupabaseStorage(
        URL, SERVICE_KEY, http=httpx.Client(transport=httpx.MockTransport(refuse)), spool_dir=tmp_path
    )
    with pytest.raises(BackendUnavailable, match="ne répond pas"):
        storage.exists("recordings", KEY)
