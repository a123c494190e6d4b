from visio_core.domain.model import MeetingStatus
from visio_core.entrypoints.demo import CLIENT_EMAILS, DEMO_PASSWORD, OPERATOR_EMAIL, seed_demo


def test_demo_has_every_status_and_working_logins(ctx):
    assert seed_demo(ctx) is True
    mikl = ctx.accounts.authenticate(OPERATOR_EMAIL, DEMO_PASSWORD)
    counts = ctx.meetings.count_by_status(mikl)
    assert all(counts[s] >= 1 for s in MeetingStatus)
    completed = ctx.meetings.list_meetings(mikl, statuses=["completed"]).items
    assert all(m.duration_seconds and m.duration_seconds > 60 for m in completed)
    for email in CLIENT_EMAILS:
        client = ctx.accounts.authenticate(email, DEMO_PASSWORD)
        mine = ctx.meetings.list_meetings(client).items
        assert mine and all(m.client_id == client.id for m in mine)
    assert seed_demo(ctx) is False
