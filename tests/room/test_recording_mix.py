"""The recording keeps every sample of every participant at its place, whatever the network and the machine do."""

from __future__ import annotations

import uuid

import av
import numpy as np
import pytest

from tests.room.conftest import ManualClock, black, decoded_audio, tone
from visio_core.adapters.embedded_room.audio import SAMPLE_RATE, SAMPLES_PER_TICK
from visio_core.adapters.embedded_room.recording_mix import DELAY_SECONDS, RecordingMix
from visio_core.adapters.embedded_room.room import Room

TICK = SAMPLES_PER_TICK


def ramp(start: int, count: int) -> np.ndarray:
    """Distinct samples, so any loss, repeat or shift shows."""
    return ((np.arange(start, start + count) % 20_000) - 10_000).astype(np.int16)


def test_bunched_packets_are_laid_end_to_end_not_stretched():
    mix = RecordingMix()
    sent = 0
    out = []
    for tick in range(200):
        if tick % 10 == 9:  # the network delivers ten ticks at once, every 200 ms
            for _ in range(10):
                mix.push("ana", ramp(sent, TICK))
                sent += TICK
        audio, _ = mix.advance(TICK)
        out.append(audio)
    out.append(mix.flush())
    recorded = np.concatenate(out)
    start = int(np.flatnonzero(recorded)[0])
    assert np.array_equal(recorded[start : start + sent], ramp(0, sent))  # every sample, once, in order
    assert mix.late_samples == 0


def test_a_long_meeting_of_two_keeps_every_sample_of_both_in_place():
    # 30 s: the mix's buffer is reused and moved many times over (it used to be reallocated each tick)
    mix = RecordingMix()
    out = []
    for tick in range(1500):
        mix.push("ana", ramp(tick * TICK, TICK), stamp=tick * TICK)
        if tick % 3 == 2:  # bob's packets come three at a time
            for back in (2, 1, 0):
                mix.push("bob", np.full(TICK, 3, dtype=np.int16), stamp=(tick - back) * TICK)
        audio, _ = mix.advance(TICK)
        out.append(audio)
    out.append(mix.flush())
    recorded = np.concatenate(out)
    expected = np.zeros(1502 * TICK, dtype=np.int16)  # bob's first packets land at their arrival, 2 ticks in
    expected[: 1500 * TICK] = ramp(0, 1500 * TICK)
    expected[2 * TICK :] += 3
    assert np.array_equal(recorded, expected)
    assert mix.late_samples == 0


def test_a_stalled_clock_loses_nothing_and_keeps_time():
    mix = RecordingMix()
    sent = 0
    out = []
    for tick in range(100):
        mix.push("ana", ramp(sent, TICK))
        sent += TICK
        if 40 <= tick < 70:
            continue  # the room's thread is starved for 600 ms: packets queue up
        audio, _ = mix.advance(TICK * (31 if tick == 70 else 1))  # then it catches up with the clock
        out.append(audio)
    out.append(mix.flush())
    recorded = np.concatenate(out)
    assert recorded.size == pytest.approx(sent, abs=TICK)  # real time, nothing skipped
    start = int(np.flatnonzero(recorded)[0])
    assert np.array_equal(recorded[start : start + sent], ramp(0, sent))


def test_a_real_gap_places_the_speech_when_it_came_back():
    mix = RecordingMix()
    out = []
    for tick in range(300):
        if tick < 50 or tick >= 200:  # 3 s without any packet (network drop) between two turns
            mix.push("ana", np.full(TICK, 1000, dtype=np.int16))
        audio, _ = mix.advance(TICK)
        out.append(audio)
    out.append(mix.flush())
    recorded = np.concatenate(out)
    loud = np.flatnonzero(recorded)
    second_turn = loud[loud > 60 * TICK][0]
    assert second_turn == pytest.approx(200 * TICK, abs=TICK)  # not pulled back against the first turn


def test_stamped_audio_held_up_longer_than_a_gap_is_laid_end_to_end():
    """A starved event loop holds 1.5 s of packets back; their timestamps say nothing was missing."""
    mix = RecordingMix()
    sent = 0
    out = []
    waiting: list[tuple[np.ndarray, int]] = []
    for tick in range(300):
        waiting.append((ramp(sent, TICK), 5_000_000 + sent))  # a sender's timestamps start anywhere
        sent += TICK
        if not 50 <= tick < 125:  # 75 ticks (1.5 s) delivered at once at tick 125
            for samples, stamp in waiting:
                mix.push("ana", samples, stamp)
            waiting.clear()
        audio, _ = mix.advance(TICK)
        out.append(audio)
    out.append(mix.flush())
    recorded = np.concatenate(out)
    start = int(np.flatnonzero(recorded)[0])
    assert np.array_equal(recorded[start : start + sent], ramp(0, sent))  # no silence where the stall was
    assert mix.late_samples == 0


def test_unstamped_audio_held_up_as_long_is_taken_for_a_gap():
    """The same delivery without timestamps: the arrival rule has to guess, and moves the rest later."""
    mix = RecordingMix()
    sent = 0
    waiting: list[np.ndarray] = []
    out = []
    for tick in range(300):
        waiting.append(ramp(sent, TICK))
        sent += TICK
        if not 50 <= tick < 125:
            for samples in waiting:
                mix.push("ana", samples)
            waiting.clear()
        audio, _ = mix.advance(TICK)
        out.append(audio)
    out.append(mix.flush())
    recorded = np.concatenate(out)
    start = int(np.flatnonzero(recorded)[0])
    assert not np.array_equal(recorded[start : start + sent], ramp(0, sent))


def test_lost_packets_leave_their_time_as_silence():
    mix = RecordingMix()
    out = []
    for tick in range(200):
        if tick not in (80, 81, 82):  # three packets lost on the way: 60 ms
            mix.push("ana", np.full(TICK, 1000, dtype=np.int16), 7 * TICK + tick * TICK)
        audio, _ = mix.advance(TICK)
        out.append(audio)
    out.append(mix.flush())
    recorded = np.concatenate(out)
    start = int(np.flatnonzero(recorded)[0])
    assert np.count_nonzero(recorded[start : start + 200 * TICK] == 0) == 3 * TICK
    assert recorded[start + 80 * TICK : start + 83 * TICK].max() == 0  # the hole where the packets were
    assert recorded[start + 199 * TICK : start + 200 * TICK].min() == 1000  # the end kept its time


def test_a_stamped_network_drop_places_the_speech_at_its_time():
    mix = RecordingMix()
    out = []
    for tick in range(300):
        if tick < 50 or tick >= 200:  # 3 s lost between two turns; the sender's clock ran on
            mix.push("ana", np.full(TICK, 1000, dtype=np.int16), 123 + tick * TICK)
        audio, _ = mix.advance(TICK if tick != 210 else 40 * TICK)  # and the room's clock stalls after
        out.append(audio)
    out.append(mix.flush())
    loud = np.flatnonzero(np.concatenate(out))
    assert loud[loud > 60 * TICK][0] == 200 * TICK
    assert loud.size == 150 * TICK


def test_a_new_connection_is_placed_at_its_arrival():
    mix = RecordingMix()
    out = []
    for tick in range(200):
        if tick < 50:
            mix.push("ana", np.full(TICK, 1000, dtype=np.int16), 10_000_000 + tick * TICK)
        elif tick >= 120:  # a new call: its timestamps start elsewhere (here, before)
            mix.push("ana", np.full(TICK, 1000, dtype=np.int16), 300 + tick * TICK)
        audio, _ = mix.advance(TICK)
        out.append(audio)
    out.append(mix.flush())
    loud = np.flatnonzero(np.concatenate(out))
    assert loud[loud > 60 * TICK][0] == pytest.approx(120 * TICK, abs=TICK)


def test_two_participants_mix_at_their_own_places():
    mix = RecordingMix()
    placed_at = {}
    for tick in range(100):
        mix.push("ana", np.full(TICK, 100, dtype=np.int16))
        if tick >= 50:
            mix.push("bob", np.full(TICK, 10, dtype=np.int16))
        _, placed = mix.advance(TICK)
        for item in placed:
            placed_at.setdefault(item.key, item.position)
    assert placed_at == {"ana": 0, "bob": 50 * TICK}
    assert mix.delay == int(DELAY_SECONDS * SAMPLE_RATE)


@pytest.mark.slow
def test_room_recording_keeps_each_turn_length_under_bursty_delivery(tmp_path):
    clock = ManualClock()
    room = Room(uuid.uuid4(), tmp_path / "m.mp4", clock=clock, run_clock=False)
    room.admit("ana", uuid.uuid4(), "Ana")
    frames = [tone(440, tick=i) for i in range(250)]  # a 5 s turn
    waiting = []
    for i in range(400):
        clock.now += 0.02
        if i < 250:
            waiting.append(frames[i])
        if i % 40 == 39 or i >= 250:  # bunched by a busy machine: 800 ms at once, more than the live buffer holds
            for frame in waiting:
                room.push_audio("ana", frame)
            waiting.clear()
        room.tick()
    path = room.close()
    samples = decoded_audio(path).astype(np.float64)
    if np.abs(samples).max() <= 1.0:
        samples *= 32768  # AAC decodes to floats
    samples = samples[: samples.size // 480 * 480]
    envelope = np.abs(samples).reshape(-1, 480).max(axis=1)  # 10 ms steps
    loud = np.flatnonzero(envelope > 3000)
    turn = (loud[-1] - loud[0] + 1) / 100
    assert turn == pytest.approx(5.0, rel=0.02)  # neither cut nor stretched
    assert np.count_nonzero(envelope[loud[0] : loud[-1]] < 300) <= 2  # no silence inserted inside it


def test_picture_and_sound_of_one_moment_stay_together_in_the_recording(tmp_path):
    # The mix is written DELAY_SECONDS behind the clock; the grid must wait as long (it once ran 4 s ahead).
    clock = ManualClock()
    room = Room(uuid.uuid4(), tmp_path / "m.mp4", clock=clock, run_clock=False)
    room.admit("ana", uuid.uuid4(), "Ana")
    bright = av.VideoFrame.from_ndarray(np.full((480, 640, 3), 230, dtype=np.uint8), format="rgb24")
    for tick in range(700):  # 14 s; at 6 s she lights up and speaks at once; her last 2 s are not heard
        clock.now += 0.02
        speaks = tick >= 300
        if tick < 600:
            room.push_audio("ana", tone(440, amplitude=8000 if speaks else 1, tick=tick))
        if tick % 2 == 0:
            room.push_video("ana", bright if speaks else black())
        room.tick()
    path = room.close()
    with av.open(str(path)) as container:
        pictures = [(float(f.time), f.to_ndarray(format="gray").mean()) for f in container.decode(video=0)]
    with av.open(str(path)) as container:
        sounds = [(float(f.time), float(np.abs(f.to_ndarray()).max())) for f in container.decode(audio=0)]
    lit = next(time for time, mean in pictures if mean > pictures[0][1] + 30)
    heard = next(time for time, peak in sounds if peak > 0.1)
    assert heard == pytest.approx(6.0, abs=0.1)
    assert lit == pytest.approx(heard, abs=0.16)  # within two frames at 12.5 fps
    assert pictures[-1][0] == pytest.approx(14.0, abs=0.15)  # the picture lasts until the meeting ends
