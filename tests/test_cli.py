"""`python -m visio_core` account management and demo seeding, run as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # real models, servers or subprocesses: `make test`, not `make check`

ROOT = Path(__file__).resolve().parent.parent


def cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "VISIO_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-m", "visio_core", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_users_add_list_passwd(tmp_path):
    done = cli(
        tmp_path,
        "users",
        "add",
        "boss@foxeo.io",
        "--role",
        "operator",
        "--name",
        "Boss",
        "--password-stdin",
        stdin="operator-pass-1\n",
    )
    assert done.returncode == 0, done.stderr
    done = cli(
        tmp_path,
        "users",
        "add",
        "cli@client.io",
        "--role",
        "client",
        "--operator",
        "boss@foxeo.io",
        "--tier",
        "one",
        "--password-stdin",
        stdin="client-pass-1\n",
    )
    assert done.returncode == 0, done.stderr
    listing = cli(tmp_path, "users", "list").stdout
    assert "boss@foxeo.io" in listing and "cli@client.io" in listing and "tier=one" in listing
    assert "client-pass-1" not in listing and "argon2" not in listing

    refused = cli(
        tmp_path, "users", "add", "x@client.io", "--role", "client", "--password-stdin", stdin="long-enough\n"
    )
    assert refused.returncode == 2 and "rattaché" in refused.stderr
    short = cli(tmp_path, "users", "passwd", "cli@client.io", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "8 caractères" in short.stderr
    assert (
        cli(tmp_path, "users", "passwd", "cli@client.io", "--password-stdin", stdin="a-new-password\n").returncode == 0
    )


def test_seed_demo_only_into_an_empty_store(tmp_path):
    first = cli(tmp_path, "seed-demo")
    assert first.returncode == 0 and "Démo créée" in first.stdout
    second = cli(tmp_path, "seed-demo")
    assert second.returncode == 0 and "non vide" in second.stdout
    assert "mikl@foxeo.demo" in cli(tmp_path, "users", "list").stdout


def test_ingest_and_transcribe_commands(tmp_path):
    import sqlite3

    from tests.transcription.helpers import FRENCH, say, write_media

    speech = say("espeak-ng", tmp_path, "fr", FRENCH, "fr", 110, 0.7)
    media = write_media(tmp_path / "reunion.webm", speech, video="libvpx-vp9", audio="libopus")
    assert cli(tmp_path, "seed-demo").returncode == 0
    db = sqlite3.connect(tmp_path / "data" / "visio.sqlite3")
    meeting_id = db.execute("SELECT id FROM meetings WHERE status = 'completed' LIMIT 1").fetchone()[0]

    done = cli(tmp_path, "ingest", str(media), "--meeting", meeting_id)
    assert done.returncode == 0, done.stderr
    assert "importé" in done.stdout and "pending" in done.stdout
    again = cli(tmp_path, "ingest", str(media), "--meeting", meeting_id)
    assert "déjà importé" in again.stdout
    bad = cli(tmp_path, "ingest", str(media), "--meeting", "not-a-uuid")
    assert bad.returncode == 2 and "Identifiant invalide" in bad.stderr
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00" * 1000)
    refused = cli(tmp_path, "ingest", str(broken), "--meeting", meeting_id)
    assert refused.returncode == 2 and "pas un enregistrement lisible" in refused.stderr

    srt = cli(tmp_path, "transcribe", str(media), "--language", "fr")
    assert srt.returncode == 0, srt.stderr
    assert "-->" in srt.stdout and "budget" in srt.stdout.lower()


def test_on_supabase_local_accounts_are_left_alone_and_make_run_still_starts(tmp_path, monkeypatch):
    monkeypatch.setenv("SUPABASE_URL", "http://127.0.0.1:9")  # never contacted: nothing here needs it
    monkeypatch.setenv("SUPABASE_ANON_KEY", "anon")
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", "service")
    seeded = cli(tmp_path, "seed-demo")
    assert seeded.returncode == 0 and "Supabase Auth" in seeded.stderr  # `make run` goes on to serve
    added = cli(
        tmp_path, "users", "add", "x@client.io", "--role", "operator", "--password-stdin", stdin="long-enough\n"
    )
    assert added.returncode == 2 and "rien n'a été modifié" in added.stderr
    assert "service" not in seeded.stderr + seeded.stdout + added.stderr


def test_transcribe_groups_lines_by_voice_when_asked(tmp_path, mbrola, voice_weights):
    """`--speakers 2`: the operator knows two people spoke; each line says which voice."""
    from tests.transcription import conversation

    turns = [t for t in conversation.TURNS if t[0] in ("Alice", "Bob")][:4]
    talk = conversation.build(mbrola, tmp_path / "two.wav", turns)
    srt = cli(tmp_path, "transcribe", str(talk.path), "--language", "en", "--speakers", "2")
    assert srt.returncode == 0, srt.stderr
    labels = {line.split(":")[0] for line in srt.stdout.splitlines() if line.startswith("Intervenant")}
    assert labels == {"Intervenant 1", "Intervenant 2"}
    assert "Intervenant 1: Good morning everyone" in srt.stdout
    bad = cli(tmp_path, "transcribe", str(talk.path), "--speakers", "beaucoup")
    assert bad.returncode == 2 and "Nombre d'intervenants invalide" in bad.stderr
