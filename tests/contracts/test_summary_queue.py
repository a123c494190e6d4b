"""services.ports.SummaryQueue: a recording's summary and its job's leases, on both stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import at
from tests.contracts.test_recording_store import recording
from visio_core.domain.summary import Summary, to_json
from visio_core.services.queues import MAX_ERROR_CHARS

LEASE = timedelta(minutes=5)


def now() -> datetime:
    # The Supabase claim uses the database's clock: both stores are driven by the wall clock here.
    return datetime.now(UTC)


def filed(store):
    return store.recordings.add_if_absent(recording(store.meeting()))[0].id


def test_a_summary_is_asked_for_claimed_once_and_written_by_its_holder(store):
    queue, rid = store.summaries, filed(store)
    assert queue.get(rid) is None
    queue.request(rid, now() - timedelta(seconds=1))
    assert queue.get(rid).status == "pending"
    job = queue.claim("w1", now(), LEASE)
    assert job.recording_id == rid and job.attempts == 1
    assert queue.claim("w2", now(), LEASE) is None
    assert queue.renew(rid, "w1", now() + LEASE) and not queue.renew(rid, "w2", now() + LEASE)
    written = to_json(Summary("Résumé", [], [], "abc", "m", at()))
    assert not queue.complete(rid, "w2", written, now())
    assert queue.complete(rid, "w1", written, now())
    state = queue.get(rid)
    assert state.status == "completed" and state.summary.overview == "Résumé" and state.summary.source == "abc"


def test_failures_wait_then_give_up_and_the_last_summary_stays(store):
    queue, rid = store.summaries, filed(store)
    queue.request(rid, now() - timedelta(seconds=1))
    queue.claim("w1", now(), LEASE)
    queue.complete(rid, "w1", to_json(Summary("Ancien", [], [], "", "m", at())), now())
    queue.request(rid, now() - timedelta(seconds=1))  # asked again after corrections: fresh attempts
    assert queue.get(rid).attempts == 0 and queue.get(rid).summary.overview == "Ancien"
    queue.claim("w1", now(), LEASE)
    assert queue.retry(rid, "w1", "HTTP 503", now(), now() + timedelta(hours=1))
    state = queue.get(rid)
    assert (state.status, state.last_error, state.attempts) == ("pending", "HTTP 503", 1)
    assert queue.claim("w1", now(), LEASE) is None  # not due yet
    queue.request(rid, now() - timedelta(seconds=1))
    queue.claim("w2", now(), LEASE)
    assert queue.fail(rid, "w2", "clé refusée", now())
    state = queue.get(rid)
    assert state.status == "failed" and state.summary.overview == "Ancien" and not state.busy


def test_a_dead_workers_lease_is_taken_back(store):
    queue, rid = store.summaries, filed(store)
    queue.request(rid, now() - timedelta(seconds=1))
    queue.claim("dead", now(), timedelta(0))  # its worker died at once
    job = queue.claim("w2", now() + timedelta(seconds=1), LEASE)
    assert job is not None and job.attempts == 2
    assert not queue.complete(rid, "dead", "{}", now())


def test_a_long_error_is_kept_cut_to_the_one_limit(store):
    queue, rid = store.summaries, filed(store)
    queue.request(rid, now() - timedelta(seconds=1))
    queue.claim("w1", now(), LEASE)
    assert queue.fail(rid, "w1", "é" * (MAX_ERROR_CHARS + 1), now())
    assert queue.get(rid).last_error == "é" * MAX_ERROR_CHARS
