"""The database functions of supabase/migrations, reimplemented for the strict PostgREST fake.

Their SQL (and its locking) is proven on real PostgreSQL in tests/postgres; these answer what
PostgREST would, and refuse callers the migration's grants refuse.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.supabase.fake_postgrest import FakePostgrest, _error

SERVICE_KEY = "service-role-key-for-tests"
VOCABULARY_COLUMNS = {"operator_id", "terms", "updated_at"}
SPEAKING_COLUMNS = {"meeting_id", "speaker", "kind", "at"}
DOWNLOAD_COLUMNS = {
    "recording_id",
    "session_id",
    "meeting_id",
    "state",
    "source",
    "attempts",
    "next_attempt_at",
    "lease_owner",
    "lease_expires_at",
    "last_error",
    "created_at",
    "updated_at",
}


SUMMARY_COLUMNS = {
    "recording_id",
    "status",
    "attempts",
    "next_attempt_at",
    "lease_owner",
    "lease_expires_at",
    "last_error",
    "summary",
    "created_at",
    "updated_at",
}


# The whitelist of supabase/migrations/*_visio_one_claim_function.sql (visio_private.lease_queues):
# queue → (table, key, status column, due, leased, order, progress column).
LEASE_QUEUES = {
    "transcription": (
        "meeting_recordings",
        "id",
        "transcription_status",
        "pending",
        "processing",
        ("next_attempt_at", "created_at"),
        "progress",
    ),
    "summary": ("recording_summaries", "recording_id", "status", "pending", "processing", ("next_attempt_at",), None),
    "openvidu_download": (
        "openvidu_downloads",
        "recording_id",
        "state",
        "pending",
        "downloading",
        ("next_attempt_at",),
        None,
    ),
}


def claim_job(fake: FakePostgrest, args: dict, request: httpx.Request) -> httpx.Response:
    """`claim_job(queue, worker, lease_seconds)`: executable by the service role only, for the
    whitelisted queues only; the claimed row as a JSON object, or null."""
    if set(args) != {"queue", "worker", "lease_seconds"}:
        return _error(404, "PGRST202", "Could not find the function public.claim_job with these arguments")
    if request.headers["authorization"] != f"Bearer {SERVICE_KEY}":
        return _error(403, "42501", "permission denied for function claim_job")
    if args["queue"] not in LEASE_QUEUES:
        return _error(400, "22023", f"unknown queue: {args['queue']}")
    table, _, status, due, leased, order, progress = LEASE_QUEUES[args["queue"]]
    now = datetime.now(UTC)

    def is_due(row: dict) -> bool:
        if row[status] == due:
            return datetime.fromisoformat(row["next_attempt_at"]) <= now
        return row[status] == leased and datetime.fromisoformat(row["lease_expires_at"]) <= now

    candidates = [r for r in fake.rows.get(table, []) if is_due(r)]
    if not candidates:
        return httpx.Response(200, json=None)
    row = min(candidates, key=lambda r: tuple(datetime.fromisoformat(r[c]) for c in order))
    row.update(
        {status: leased},
        lease_owner=args["worker"],
        attempts=row["attempts"] + 1,
        lease_expires_at=(now + timedelta(seconds=args["lease_seconds"])).isoformat(),
        updated_at=now.isoformat(),
    )
    if progress:
        row[progress] = 0
    return httpx.Response(200, json=dict(row))
