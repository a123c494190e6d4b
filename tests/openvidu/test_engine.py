"""The OpenVidu engine through the meetings service: sessions that record, tokens under the room's rules."""

from __future__ import annotations

import pytest

from visio_core.domain.errors import BackendUnavailable, Forbidden, IllegalTransition, NotFound
from visio_core.domain.model import MeetingStatus


def test_start_opens_an_always_recorded_session_named_after_the_meeting(ov_ctx, crew, fake_ov):
    meeting = crew.meeting()
    assert meeting.session_id == f"visio-{meeting.id}"
    session = fake_ov.sessions[meeting.session_id]
    assert session.properties["recordingMode"] == "ALWAYS"
    assert session.properties["defaultRecordingProperties"]["outputMode"] == "COMPOSED"
    assert fake_ov.recordings == {}  # nobody joined yet: nothing recorded (the original's bug was to try)


def test_nothing_records_until_someone_joins_then_end_finishes_the_recording(ov_ctx, crew, fake_ov):
    meeting = crew.meeting()
    token = ov_ctx.engine.join_token(crew.client, ov_ctx.meetings.enter_room(crew.client, meeting.id))
    fake_ov.join(token)
    assert fake_ov.recordings[meeting.session_id].status == "started"
    ended = ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    assert ended.status is MeetingStatus.COMPLETED
    assert meeting.session_id not in fake_ov.session_ids()
    assert fake_ov.recordings[meeting.session_id].status == "ready"


def test_start_refuses_when_the_server_would_not_record(ov_ctx, crew, fake_ov):
    fake_ov.recording_enabled = False
    meeting = crew.meeting(start=False)
    with pytest.raises(BackendUnavailable, match="OPENVIDU_RECORDING=true"):
        ov_ctx.meetings.start_meeting(crew.op, meeting.id)
    assert ov_ctx.meetings.get_meeting(crew.op, meeting.id).status is MeetingStatus.SCHEDULED
    assert fake_ov.sessions == {}


def test_wrong_secret_leaves_the_meeting_scheduled_with_a_clear_message(ov_ctx, crew, fake_ov):
    fake_ov.secret = "rotated-on-the-server"
    meeting = crew.meeting(start=False)
    with pytest.raises(BackendUnavailable, match="OPENVIDU_SECRET"):
        ov_ctx.meetings.start_meeting(crew.op, meeting.id)
    assert ov_ctx.meetings.get_meeting(crew.op, meeting.id).status is MeetingStatus.SCHEDULED


def test_starting_twice_is_one_session(ov_ctx, crew, fake_ov):
    meeting = crew.meeting(start=False)
    ov_ctx.engine.open_session(ov_ctx.meetings.get_meeting(crew.op, meeting.id))  # e.g. a retried start
    ov_ctx.meetings.start_meeting(crew.op, meeting.id)  # 409 from OpenVidu counts as success
    assert len(fake_ov.sessions) == 1


def test_tokens_for_the_meetings_operator_and_client_carry_their_names(ov_ctx, crew, fake_ov):
    meeting = crew.meeting()
    engine = ov_ctx.engine
    op_token = engine.join_token(crew.op, ov_ctx.meetings.enter_room(crew.op, meeting.id))
    client_token = engine.join_token(crew.client, ov_ctx.meetings.enter_room(crew.client, str(meeting.id)))
    conns = {c.token: c for c in fake_ov.sessions[meeting.session_id].connections.values()}
    assert conns[op_token].data == "MiKL" and conns[client_token].data == "Claire Dupont"
    assert {c.role for c in conns.values()} == {"PUBLISHER"}


@pytest.mark.parametrize(
    "who, error",
    [("client2", NotFound), ("stranger", NotFound), ("other_op", NotFound), ("analyst", Forbidden)],
)
def test_tokens_are_refused_to_anyone_the_room_refuses(ov_ctx, crew, fake_ov, who, error):
    meeting = crew.meeting()
    with pytest.raises(error):
        ov_ctx.engine.join_token(getattr(crew, who), ov_ctx.meetings.enter_room(getattr(crew, who), meeting.id))
    assert fake_ov.sessions[meeting.session_id].connections == {}


def test_tokens_only_while_the_meeting_is_in_progress(ov_ctx, crew, fake_ov):
    scheduled = crew.meeting(start=False)
    with pytest.raises(IllegalTransition, match="n'est pas en cours"):
        ov_ctx.engine.join_token(crew.client, ov_ctx.meetings.enter_room(crew.client, scheduled.id))
    meeting = crew.meeting()
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    with pytest.raises(IllegalTransition, match="Terminé"):
        ov_ctx.engine.join_token(crew.client, ov_ctx.meetings.enter_room(crew.client, meeting.id))
    assert fake_ov.sessions == {}  # no session re-created for an ended meeting


def test_rejoining_after_everyone_left_reopens_the_session(ov_ctx, crew, fake_ov):
    meeting = crew.meeting()
    engine = ov_ctx.engine
    first = engine.join_token(crew.client, ov_ctx.meetings.enter_room(crew.client, meeting.id))
    fake_ov.join(first)
    fake_ov.leave(first)  # the last one out: OpenVidu stops the recording and drops the session
    assert meeting.session_id not in fake_ov.session_ids()
    again = engine.join_token(crew.client, ov_ctx.meetings.enter_room(crew.client, meeting.id))  # 404, re-create, retry
    fake_ov.join(again)
    assert sorted(fake_ov.recordings) == [meeting.session_id, f"{meeting.session_id}~1"]
    ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    assert {r.status for r in fake_ov.recordings.values()} == {"ready"}


def test_ending_a_meeting_whose_session_is_already_gone(ov_ctx, crew, fake_ov):
    meeting = crew.meeting()
    token = ov_ctx.engine.join_token(crew.client, ov_ctx.meetings.enter_room(crew.client, meeting.id))
    fake_ov.join(token)
    fake_ov.leave(token)
    ended = ov_ctx.meetings.end_meeting(crew.op, meeting.id)  # DELETE answers 404: fine
    assert ended.status is MeetingStatus.COMPLETED


def test_unreachable_server_at_the_end_keeps_the_meeting_in_progress(ov_ctx, crew, fake_ov):
    meeting = crew.meeting()
    fake_ov.stop()
    with pytest.raises(BackendUnavailable, match="ne répond pas"):
        ov_ctx.meetings.end_meeting(crew.op, meeting.id)
    assert ov_ctx.meetings.get_meeting(crew.op, meeting.id).status is MeetingStatus.IN_PROGRESS
