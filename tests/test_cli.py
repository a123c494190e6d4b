"""`python -m visio_core` account management and demo seeding, run as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "VISIO_DATA_DIR": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-m", "visio_core", *args], cwd=ROOT, env=env, input=stdin,
        capture_output=True, text=True, timeout=120,
    )


def test_users_add_list_passwd(tmp_path):
    done = cli(tmp_path, "users", "add", "boss@foxeo.io", "--role", "operator", "--name", "Boss",
               "--password-stdin", stdin="operator-pass-1\n")
    assert done.returncode == 0, done.stderr
    done = cli(tmp_path, "users", "add", "cli@client.io", "--role", "client", "--operator", "boss@foxeo.io",
               "--tier", "one", "--password-stdin", stdin="client-pass-1\n")
    assert done.returncode == 0, done.stderr
    listing = cli(tmp_path, "users", "list").stdout
    assert "boss@foxeo.io" in listing and "cli@client.io" in listing and "tier=one" in listing
    assert "client-pass-1" not in listing and "argon2" not in listing

    refused = cli(tmp_path, "users", "add", "x@client.io", "--role", "client", "--password-stdin", stdin="long-enough\n")
    assert refused.returncode == 2 and "rattaché" in refused.stderr
    short = cli(tmp_path, "users", "passwd", "cli@client.io", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "8 caractères" in short.stderr
    assert cli(tmp_path, "users", "passwd", "cli@client.io", "--password-stdin", stdin="a-new-password\n").returncode == 0


def test_seed_demo_only_into_an_empty_store(tmp_path):
    first = cli(tmp_path, "seed-demo")
    assert first.returncode == 0 and "Démo créée" in first.stdout
    second = cli(tmp_path, "seed-demo")
    assert second.returncode == 0 and "non vide" in second.stdout
    assert "mikl@foxeo.demo" in cli(tmp_path, "users", "list").stdout
