"""A throw-away PostgreSQL 15 cluster with Supabase's essentials emulated, once per test session."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from tests.browser_support import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path("/usr/lib/postgresql/15/bin")
EMULATION = Path(__file__).with_name("supabase_emulation.sql")
MIGRATIONS = sorted((ROOT / "supabase" / "migrations").glob("*.sql"))


def _as_postgres(*cmd: str) -> None:
    # initdb refuses to run as root; the Debian package provides the postgres user.
    runner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*runner, *cmd], check=True, capture_output=True, text=True)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    assert (BIN / "initdb").exists(), (
        "PostgreSQL 15 is missing: `make test` installs it (scripts/install_test_system_deps.sh)"
    )
    folder = Path(tempfile.mkdtemp(prefix="visio-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    port = free_port()
    _as_postgres(str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
    _as_postgres(
        str(BIN / "pg_ctl"),
        "-D",
        str(data),
        "-w",
        "-l",
        str(folder / "log"),
        "-o",
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off",
        "start",
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        _as_postgres(str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def apply_schema(conn: psycopg.Connection) -> None:
    conn.execute(EMULATION.read_text())
    for migration in MIGRATIONS:
        conn.execute(migration.read_text())


@pytest.fixture(scope="session")
def pg_url(pg_server: str) -> str:
    """A database with the emulation and every migration applied, from empty."""
    with psycopg.connect(pg_server + "/postgres", autocommit=True) as admin:
        admin.execute("CREATE DATABASE visio")
    url = pg_server + "/visio"
    with psycopg.connect(url, autocommit=True) as conn:
        apply_schema(conn)
    return url


@contextmanager
def as_role(url: str, role: str, user_id: uuid.UUID | None = None) -> Iterator[psycopg.Connection]:
    """A transaction as PostgREST runs it: SET LOCAL ROLE and the JWT claims, rolled back after."""
    with psycopg.connect(url) as conn:
        claims = {"role": role, **({"sub": str(user_id)} if user_id else {})}
        conn.execute(f"SET LOCAL ROLE {role}")
        conn.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
        try:
            yield conn
        finally:
            conn.rollback()


def claim_until_empty(claim: Callable[[str], object], workers: int) -> list[object]:
    """`workers` threads each claiming (`claim(worker_name)`) until the queue is empty; every claim made."""
    claimed: list[object] = []
    lock = threading.Lock()

    def work(name: str) -> None:
        while (item := claim(name)) is not None:
            with lock:
                claimed.append(item)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(workers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return claimed


class World:
    """Two operators; clients A, B of operator 1 and C of operator 2; an analyst of operator 1;
    one meeting per client, each with a completed recording and its storage objects."""

    def __init__(self, url: str) -> None:
        self.url = url
        ids = {name: uuid.uuid4() for name in ("op1", "op2", "a", "b", "c", "analyst")}
        self.__dict__.update(ids)
        self.meetings, self.recordings = {}, {}
        with psycopg.connect(url, autocommit=True) as conn:
            for name, user_id in ids.items():
                conn.execute("INSERT INTO auth.users (id, email) VALUES (%s, %s)", (user_id, f"{name}-{user_id}@x.io"))
            profile = (
                "INSERT INTO public.profiles (id, email, display_name, role, operator_id) VALUES (%s, %s, %s, %s, %s)"
            )
            conn.execute(profile, (ids["op1"], f"op1-{ids['op1']}", "Op 1", "operator", None))
            conn.execute(profile, (ids["op2"], f"op2-{ids['op2']}", "Op 2", "operator", None))
            for name, owner in (("a", "op1"), ("b", "op1"), ("c", "op2")):
                conn.execute(profile, (ids[name], f"{name}-{ids[name]}", name, "client", ids[owner]))
            conn.execute(profile, (ids["analyst"], f"an-{ids['analyst']}", "Analyst", "analyst", ids["op1"]))
            for name, owner in (("a", "op1"), ("b", "op1"), ("c", "op2")):
                meeting = conn.execute(
                    "INSERT INTO public.meetings (client_id, operator_id, title, scheduled_at, session_id) "
                    "VALUES (%s, %s, %s, now(), %s) RETURNING id",
                    (ids[name], ids[owner], f"Meeting {name}", f"visio-{uuid.uuid4()}"),
                ).fetchone()[0]
                recording = uuid.uuid4()
                session = conn.execute("SELECT session_id FROM public.meetings WHERE id = %s", (meeting,)).fetchone()[0]
                conn.execute(
                    "INSERT INTO public.meeting_recordings (id, meeting_id, source_recording_id, recording_url, "
                    "file_size_bytes, transcript_url, transcription_status) VALUES (%s, %s, 's', %s, 10, %s, 'completed')",
                    (recording, meeting, f"recordings/{session}/{recording}.webm", f"transcripts/{recording}.srt"),
                )
                conn.execute(
                    "INSERT INTO storage.objects (bucket_id, name) VALUES ('recordings', %s), ('transcripts', %s)",
                    (f"{session}/{recording}.webm", f"{recording}.srt"),
                )
                for kind in ("json", "vtt", "docx", "edited.srt"):  # the transcript's other files
                    conn.execute(
                        "INSERT INTO storage.objects (bucket_id, name) VALUES ('transcripts', %s)",
                        (f"{recording}.{kind}",),
                    )
                self.meetings[name], self.recordings[name] = meeting, recording


@pytest.fixture(scope="session")
def world(pg_url: str) -> World:
    return World(pg_url)
