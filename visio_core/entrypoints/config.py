"""Settings read from the environment, falling back to `.streamlit/secrets.toml`.

Which backends run is decided here and nowhere else: a backend is used when its
variables are set, otherwise the embedded default (SQLite, local files,
embedded media engine, offline Whisper).
"""

from __future__ import annotations

import os
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SECRETS_FILE = PROJECT_ROOT / ".streamlit" / "secrets.toml"
BUNDLED_WHISPER_MODEL = PROJECT_ROOT / "models" / "whisper-base"
# Resemblyzer's voice encoder, taken from its wheel by scripts/fetch_voice_encoder.py (make setup).
BUNDLED_VOICE_ENCODER = PROJECT_ROOT / "models" / "voice-encoder" / "pretrained.pt"


def _read_secrets_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return {k: str(v) for k, v in data.items() if not isinstance(v, dict)}


def _optional(values: Mapping[str, str], name: str) -> str | None:
    value = values.get(name, "").strip()
    return value or None


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("data")
    default_language: str = "fr"
    signed_url_ttl_seconds: int = 3600
    session_timeout_minutes: int = 30
    max_upload_bytes: int = 2 * 1024**3
    whisper_model_dir: Path = BUNDLED_WHISPER_MODEL
    voice_encoder: Path = BUNDLED_VOICE_ENCODER  # missing file: imported recordings get no "Intervenant N"
    openvidu_url: str | None = None
    openvidu_secret: str | None = field(default=None, repr=False)
    openvidu_webhook_secret: str | None = field(default=None, repr=False)
    supabase_url: str | None = None
    supabase_anon_key: str | None = field(default=None, repr=False)
    supabase_service_role_key: str | None = field(default=None, repr=False)
    openai_api_key: str | None = field(default=None, repr=False)
    openai_base_url: str | None = None
    transcription_model: str = "whisper-1"
    summary_model: str | None = None  # a chat model: summaries are written only when it is named
    summary_chunk_chars: int = 24_000  # transcript characters a summary request carries
    ice_servers: tuple[str, ...] = ()
    turn_username: str | None = None
    turn_credential: str | None = field(default=None, repr=False)
    job_lease_seconds: float = (
        30.0  # a worker renews its job's lease every third of it; a dead one's job is back after it
    )

    @property
    def database_path(self) -> Path:
        return self.data_dir / "visio.sqlite3"

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "storage"

    @property
    def media_backend(self) -> str:
        return "openvidu" if self.openvidu_url and self.openvidu_secret else "embedded"

    @property
    def store_backend(self) -> str:
        return "supabase" if self.supabase_url and self.supabase_anon_key else "sqlite"

    @property
    def transcription_backend(self) -> str:
        return "openai" if self.openai_api_key else "offline"

    @property
    def summary_backend(self) -> str | None:
        """ "openai" when a chat model is configured; no default model, so setting OPENAI_API_KEY for
        Whisper alone never sends transcripts to a chat model."""
        return "openai" if self.openai_api_key and self.summary_model else None

    def signing_key(self) -> bytes:
        """Key for HMAC-signed file URLs: generated once, kept in the data dir, never logged."""
        key_file = self.data_dir / ".signing-key"
        if not key_file.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        return bytes.fromhex(key_file.read_text().strip())

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, secrets_file: Path = SECRETS_FILE) -> Settings:
        values = {**_read_secrets_file(secrets_file), **(os.environ if env is None else env)}
        data_dir = Path(values.get("VISIO_DATA_DIR") or "data")
        if not data_dir.is_absolute():
            data_dir = PROJECT_ROOT / data_dir
        model = _optional(values, "VISIO_WHISPER_MODEL")
        voices = _optional(values, "VISIO_VOICE_ENCODER")
        ice = _optional(values, "VISIO_ICE_SERVERS")
        return cls(
            data_dir=data_dir,
            default_language=_optional(values, "VISIO_DEFAULT_LANGUAGE") or "fr",
            signed_url_ttl_seconds=int(values.get("VISIO_SIGNED_URL_TTL") or 3600),
            session_timeout_minutes=int(values.get("VISIO_SESSION_TIMEOUT_MINUTES") or 30),
            max_upload_bytes=int(values.get("VISIO_MAX_UPLOAD_BYTES") or 2 * 1024**3),
            whisper_model_dir=Path(model) if model else BUNDLED_WHISPER_MODEL,
            voice_encoder=Path(voices) if voices else BUNDLED_VOICE_ENCODER,
            openvidu_url=_optional(values, "OPENVIDU_URL"),
            openvidu_secret=_optional(values, "OPENVIDU_SECRET"),
            openvidu_webhook_secret=_optional(values, "OPENVIDU_WEBHOOK_SECRET"),
            supabase_url=_optional(values, "SUPABASE_URL"),
            supabase_anon_key=_optional(values, "SUPABASE_ANON_KEY"),
            supabase_service_role_key=_optional(values, "SUPABASE_SERVICE_ROLE_KEY"),
            openai_api_key=_optional(values, "OPENAI_API_KEY"),
            openai_base_url=_optional(values, "OPENAI_BASE_URL"),
            transcription_model=_optional(values, "VISIO_TRANSCRIPTION_MODEL") or "whisper-1",
            summary_model=_optional(values, "VISIO_SUMMARY_MODEL"),
            summary_chunk_chars=max(500, int(values.get("VISIO_SUMMARY_CHUNK_CHARS") or 24_000)),
            ice_servers=tuple(u.strip() for u in ice.split(",") if u.strip()) if ice else (),
            turn_username=_optional(values, "VISIO_TURN_USERNAME"),
            turn_credential=_optional(values, "VISIO_TURN_CREDENTIAL"),
            job_lease_seconds=float(values.get("VISIO_JOB_LEASE_SECONDS") or 30),
        )
