"""One fake Supabase project (Auth + PostgREST + Storage) behind a single httpx transport.

PostgREST and Storage accept exactly the tokens Auth has issued and not revoked, plus the
service-role key; every request is recorded so tests can say who asked for what. The database
functions are reimplemented in Python for the fake; their SQL is proven in tests/postgres.
"""

from __future__ import annotations

import json
import threading
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import httpx

from tests.http_server import serve
from tests.supabase.database_functions import (
    DOWNLOAD_COLUMNS,
    SPEAKING_COLUMNS,
    SUMMARY_COLUMNS,
    VOCABULARY_COLUMNS,
    claim_job,
)
from tests.supabase.fake_gotrue import FakeGoTrue
from tests.supabase.fake_postgrest import FakePostgrest, _error
from tests.supabase.fake_storage import FakeStorage
from tests.supabase.test_jobs_on_supabase import (
    CUE_COLUMNS,
    MEETING_COLUMNS,
    RECORDING_COLUMNS,
)

URL = "https://project.supabase.test"
ANON = "anon-key-for-tests"
SERVICE_KEY = "service-role-key-for-tests"
PASSWORD = "correct-horse-battery"
PROFILE_COLUMNS = {"id", "email", "display_name", "role", "operator_id", "tier", "created_at"}
SEARCH_ARGS = {
    "words",
    "operator_scope",
    "client_scope",
    "client",
    "scheduled_from",
    "scheduled_to",
    "lang",
    "max_rows",
    "who",
}


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


SRT = "1\n00:00:01,500 --> 00:00:03,000\nLe budget est validé\n\n2\n00:00:03,000 --> 00:00:05,000\nMerci à tous\n"


def bearer(request: httpx.Request) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ")


class FakeSupabase:
    def __init__(self) -> None:
        self.auth = FakeGoTrue(anon_key=ANON)
        self.rest = FakePostgrest(
            anon_key=ANON,
            tokens={SERVICE_KEY},
            columns={
                "profiles": PROFILE_COLUMNS,
                "meetings": MEETING_COLUMNS,
                "meeting_recordings": RECORDING_COLUMNS,
                "transcript_cues": CUE_COLUMNS,
                "openvidu_downloads": DOWNLOAD_COLUMNS,
                "speaking_events": SPEAKING_COLUMNS,
                "vocabularies": VOCABULARY_COLUMNS,
                "recording_summaries": SUMMARY_COLUMNS,
            },
            unique={
                "meeting_recordings": [("meeting_id", "source_recording_id")],
                "transcript_cues": [("recording_id", "position")],
                "openvidu_downloads": [("recording_id",)],
                "vocabularies": [("operator_id",)],
                "recording_summaries": [("recording_id",)],
            },
            functions={
                "search_transcripts": self._search,
                "requeue_transcription": self._requeue,
                "claim_job": claim_job,
            },
        )
        self.storage = FakeStorage(keys={SERVICE_KEY})
        self.users: dict[str, uuid.UUID] = {}
        self.down = False  # True: every request fails as if the project were unreachable

    # -- people -------------------------------------------------------------------------------
    def add_person(self, email: str, name: str, role: str, operator: uuid.UUID | None = None) -> uuid.UUID:
        user_id = self.auth.add_user(email, PASSWORD)
        self.rest.rows.setdefault("profiles", []).append(
            {
                "id": str(user_id),
                "email": email,
                "display_name": name,
                "role": role,
                "operator_id": str(operator) if operator else None,
                "tier": "lab" if role == "client" else None,
            }
        )
        self.users[email] = user_id
        return user_id

    def user_of(self, request: httpx.Request) -> uuid.UUID | None:
        return self.auth.access.get(bearer(request))

    # -- transport ----------------------------------------------------------------------------
    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handle), base_url=URL)

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        live = set(self.auth.access) | {SERVICE_KEY}
        self.rest.tokens = live
        self.storage.keys = live | {ANON}
        path = request.url.path
        if path.startswith("/auth/v1/"):
            return self.auth.handle(request)
        if path.startswith("/rest/v1/"):
            return self.rest.handle(request)
        if path.startswith("/storage/v1/"):
            return self.storage.handle(request)
        return httpx.Response(404)

    def requests_by(self, token: str, since: int = 0) -> list[httpx.Request]:
        return [r for r in self.rest.requests[since:] + self.storage.requests if bearer(r) == token]

    # -- database functions (as the migrations define them) ------------------------------------
    def _search(self, fake: FakePostgrest, args: dict, request: httpx.Request) -> httpx.Response:
        if set(args) != SEARCH_ARGS or not isinstance(args["words"], list):
            return _error(404, "PGRST202", "Could not find the function public.search_transcripts")
        words = [_fold(w) for w in args["words"] if w.strip()]
        if not words:
            return httpx.Response(200, json=[])
        recordings = {r["id"]: r for r in fake.rows.get("meeting_recordings", [])}
        meetings = {m["id"]: m for m in fake.rows.get("meetings", [])}
        out = []
        for cue in fake.rows.get("transcript_cues", []):
            said = _fold(cue["text"]).replace(",", " ").replace(".", " ").split()
            if not (all(w in said for w in words[:-1]) and any(s.startswith(words[-1]) for s in said)):
                continue
            recording = recordings[cue["recording_id"]]
            meeting = meetings[recording["meeting_id"]]
            wanted = {
                "operator_scope": meeting["operator_id"],
                "client_scope": meeting["client_id"],
                "client": meeting["client_id"],
                "lang": recording["transcription_language"],
            }
            if any(args[k] is not None and args[k] != v for k, v in wanted.items()):
                continue
            if args["who"] is not None and cue.get("speaker") != args["who"]:
                continue
            out.append(
                {
                    "recording_id": recording["id"],
                    "meeting_id": meeting["id"],
                    "meeting_title": meeting["title"],
                    "client_id": meeting["client_id"],
                    "scheduled_at": meeting["scheduled_at"],
                    "language": recording["transcription_language"],
                    "start_seconds": cue["start_seconds"],
                    "end_seconds": cue["end_seconds"],
                    "text": cue["text"],
                    "rank": 0.1,
                    "speaker": cue.get("speaker"),
                }
            )
        return httpx.Response(200, json=out[: args["max_rows"]])

    def _requeue(self, fake: FakePostgrest, args: dict, request: httpx.Request) -> httpx.Response:
        if set(args) != {"recording", "lang", "only_if"}:
            return _error(404, "PGRST202", "Could not find the function public.requeue_transcription")
        caller = self.user_of(request)
        recording = next((r for r in fake.rows.get("meeting_recordings", []) if r["id"] == args["recording"]), None)
        meeting = recording and next(m for m in fake.rows["meetings"] if m["id"] == recording["meeting_id"])
        if (
            caller is None
            or meeting is None
            or meeting["operator_id"] != str(caller)
            or recording["transcription_status"] not in args["only_if"]
        ):
            return httpx.Response(200, content=b"false", headers={"content-type": "application/json"})
        recording.update(
            transcription_status="pending",
            attempts=0,
            last_error=None,
            progress=0,
            transcription_language=args["lang"] or recording["transcription_language"],
            next_attempt_at=datetime.now(UTC).isoformat(),
        )
        return httpx.Response(200, content=json.dumps(True).encode(), headers={"content-type": "application/json"})


@contextmanager
def served(project: FakeSupabase) -> Iterator[str]:
    """The fake project on a loopback port, for a dashboard running in another process."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    lock = threading.Lock()  # the fakes are plain dicts: one request at a time

    async def relay(request: Request) -> Response:
        body = await request.body()
        forwarded = httpx.Request(request.method, str(request.url), headers=request.headers.raw, content=body)
        with lock:
            answer = project.handle(forwarded)
        headers = {k: v for k, v in answer.headers.items() if k.lower() not in ("content-length", "content-encoding")}
        return Response(answer.content, status_code=answer.status_code, headers=headers)

    app = Starlette(routes=[Route("/{path:path}", relay, methods=["GET", "HEAD", "POST", "PATCH", "DELETE", "PUT"])])
    with serve(app) as url:
        yield url


def iso(days: float = 0) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0).isoformat()


def meeting_row(client, operator, title, status, days) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "client_id": str(client),
        "operator_id": str(operator),
        "title": title,
        "description": "",
        "scheduled_at": iso(days),
        "started_at": None,
        "ended_at": None,
        "duration_seconds": None,
        "session_id": f"visio-{uuid.uuid4()}",
        "status": status,
        "created_at": iso(-30),
        "updated_at": iso(-30),
    }


def recording_row(meeting: dict, status: str, error: str | None = None) -> dict:
    rid = str(uuid.uuid4())
    return {
        "id": rid,
        "meeting_id": meeting["id"],
        "source_recording_id": rid,
        "recording_url": f"recordings/{meeting['session_id']}/{rid}.mp4",
        "recording_duration_seconds": 5.0,
        "file_size_bytes": 4,
        "transcript_url": f"transcripts/{rid}.srt" if status == "completed" else None,
        "transcription_status": status,
        "transcription_language": "fr",
        "attempts": 3 if error else 1,
        "last_error": error,
        "lease_owner": None,
        "lease_expires_at": None,
        "next_attempt_at": iso(-1),
        "progress": 1.0 if status == "completed" else 0.0,
        "created_at": iso(-1),
        "updated_at": iso(-1),
    }


def seeded_project() -> FakeSupabase:
    """MiKL, his clients Claire and Bruno, his analyst Inès; three meetings, a transcribed and a failed recording."""
    fake = FakeSupabase()
    mikl = fake.add_person("mikl@foxeo.fr", "MiKL", "operator")
    claire = fake.add_person("claire@client.fr", "Claire", "client", mikl)
    bruno = fake.add_person("bruno@client.fr", "Bruno", "client", mikl)
    fake.add_person("ines@foxeo.fr", "Inès", "analyst", mikl)
    done = meeting_row(claire, mikl, "Lancement", "completed", -2)
    live = meeting_row(claire, mikl, "Point hebdo", "in_progress", 0)
    later = meeting_row(bruno, mikl, "Atelier Bruno", "scheduled", 3)
    fake.rest.rows["meetings"] = [done, live, later]
    ok, failed = recording_row(done, "completed"), recording_row(done, "failed", "modèle introuvable")
    fake.rest.rows["meeting_recordings"] = [ok, failed]
    fake.rest.rows["transcript_cues"] = [
        {
            "recording_id": ok["id"],
            "position": 0,
            "start_seconds": 1.5,
            "end_seconds": 3.0,
            "text": "Le budget est validé",
        },
        {"recording_id": ok["id"], "position": 1, "start_seconds": 3.0, "end_seconds": 5.0, "text": "Merci à tous"},
    ]
    for row in (ok, failed):
        fake.storage.objects[("recordings", row["recording_url"].split("/", 1)[1])] = b"\x00\x00\x00\x18"
    fake.storage.objects[("transcripts", f"{ok['id']}.srt")] = SRT.encode()
    fake.ids = {
        "mikl": mikl,
        "claire": claire,
        "bruno": bruno,
        "done": done["id"],
        "live": live["id"],
        "ok": ok["id"],
        "failed": failed["id"],
    }
    return fake
