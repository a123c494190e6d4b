"""A disk that fills up during an ingest: a clear message, nothing half-written, and it works once there is room."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import FAST_HASHER, PASSWORD, at
from tests.fakes import FakeMediaEngine
from visio_core.domain.errors import BackendUnavailable
from visio_core.domain.model import Role
from visio_core.entrypoints.bootstrap import build_context
from visio_core.entrypoints.config import Settings
from visio_core.services.spool import PREFIX


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MiB filesystem (tmpfs) for the data folder; the suite runs as root, as CI does."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def tone_wav(path: Path, seconds: float) -> Path:
    rate = 48_000
    samples = (0.2 * 32767 * np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())
    return path


def test_a_full_disk_refuses_the_import_keeps_nothing_and_a_retry_works(small_disk, tmp_path):
    settings = Settings.load(env={"VISIO_DATA_DIR": str(small_disk / "data")}, secrets_file=tmp_path / "none.toml")
    ctx = build_context(settings, engine=FakeMediaEngine(), hasher=FAST_HASHER)
    op = ctx.accounts.add_user(email="op@example.com", display_name="MiKL", role=Role.OPERATOR, password=PASSWORD)
    client = ctx.accounts.add_user(
        email="c@example.com", display_name="Claire", role=Role.CLIENT, password=PASSWORD, operator_id=op.id
    )
    meeting = ctx.meetings.create_meeting(op, client_id=client.id, title="Revue", scheduled_at=at())
    big = tone_wav(tmp_path / "long.wav", 20.0)  # ≈ 1.9 MB on a 1 MiB disk

    with open(big, "rb") as stream, pytest.raises(BackendUnavailable, match="disque du serveur est plein"):
        ctx.recordings.import_recording(op, meeting.id, stream, filename="long.wav")
    assert list(Path(settings.data_dir).rglob(f"{PREFIX}*")) == []  # nothing half-written
    assert ctx.recordings.list_recordings(op, meeting.id) == []

    subprocess.run(["mount", "-o", "remount,size=16m", str(small_disk)], check=True)  # room is made
    with open(big, "rb") as stream:
        recording, created = ctx.recordings.import_recording(op, meeting.id, stream, filename="long.wav")
    assert created and recording.file_size_bytes == big.stat().st_size
    ctx.db.close()
