"""No speech lost or time-stretched in the recording while the machine is loaded.

Two participants call the room over real WebRTC (aiortc peers on loopback, Opus, their cameras
in VP8; the room sends each his mix and the shared grid) and take turns with espeak-ng
speech, while two CPU hogs (busy loops at the default niceness) run beside. The room's MP4 is
then read back: every turn is there, in order, each as long as it was sent (within 2 %).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
import uuid
from multiprocessing.connection import Connection
from pathlib import Path

import av
import numpy as np
import pytest

from tests.room.call_peers import answer, participant
from tests.transcription.helpers import LONG_ENGLISH, read_wav, say
from visio_core.adapters.embedded_room.room import Room

pytestmark = pytest.mark.slow  # real calls in real time, ~30 s

RATE = 48_000
WINDOW = 960  # 20 ms
VOICED_DBFS = -40.0  # espeak speaks at about −20 dBFS; the floor between turns is −66 dBFS
MERGE_SECONDS = 0.8  # pauses inside a turn (between words and sentences) are shorter
LEAD_IN, BETWEEN = 1.5, 2.0  # seconds before the first turn and between turns
TOLERANCE = 0.02


def speech(tmp_path: Path, name: str, text: str, voice: str) -> np.ndarray:
    spoken = say("espeak-ng", tmp_path, name, text, voice, 150, 0.0)
    samples, rate = read_wav(spoken.path)
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="s16", layout="mono")
    frame.sample_rate = rate
    return np.concatenate([f.to_ndarray().reshape(-1) for f in [*resampler.resample(frame), *resampler.resample(None)]])


def spans(samples: np.ndarray) -> list[tuple[float, float]]:
    """Voiced stretches (seconds): 20 ms windows above VOICED_DBFS, pauses under MERGE_SECONDS bridged."""
    count = samples.size // WINDOW
    windows = samples[: count * WINDOW].astype(np.float64).reshape(count, WINDOW)
    levels = 20 * np.log10(np.sqrt(np.mean(windows**2, axis=1)) / 32768 + 1e-12)
    voiced = np.flatnonzero(levels > VOICED_DBFS)
    found: list[list[int]] = []
    for index in voiced:
        if found and index - found[-1][1] <= MERGE_SECONDS * RATE / WINDOW:
            found[-1][1] = index
        else:
            found.append([index, index])
    return [(first * WINDOW / RATE, (last + 1) * WINDOW / RATE) for first, last in found]


def hog(stop, loops) -> None:  # noqa: ANN001 - multiprocessing's Event and Value
    parent = os.getppid()
    count = 0
    while not stop.is_set() and os.getppid() == parent:  # an orphan stops too
        for _ in range(100_000):
            count += 1
        with loops.get_lock():
            loops.value += 1


def recorded_audio(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
        return np.concatenate(
            [f.to_ndarray().reshape(-1) for frame in container.decode(audio=0) for f in resampler.resample(frame)]
        )


async def receive(link: Connection, timeout: float) -> object:
    """The next message from a participant's process (polled: a blocked read would outlive the event loop)."""
    deadline = time.monotonic() + timeout
    while not link.poll():
        assert time.monotonic() < deadline, "a participant's process did not answer"
        await asyncio.sleep(0.1)
    return link.recv()


async def call(room: Room, signals: dict[str, np.ndarray]) -> None:
    """Each participant in his own process (as browsers are); the room's side on this event loop."""
    loop = asyncio.get_running_loop()
    spawn = multiprocessing.get_context("spawn")
    colours = iter([(200, 40, 40), (40, 60, 200)])
    links, processes, servers = [], [], []
    try:
        for key, signal in signals.items():
            ours, theirs = spawn.Pipe()
            process = spawn.Process(target=participant, args=(theirs, signal, next(colours)), daemon=True)
            process.start()
            links.append(ours)
            processes.append(process)
            offer = await receive(ours, 90)
            assert isinstance(offer, str)
            answer_sdp, server, tasks = await answer(room, key, offer)
            servers.append((server, tasks))
            ours.send(answer_sdp)
        # Both calls must carry audio before anyone speaks: a connection slow to set up would
        # otherwise start its participant's turns late, on top of the other's.
        deadline = time.monotonic() + 90
        while len(room.roster()) < len(signals) or any(p["audio_frames"] < 25 for p in room.roster()):
            assert time.monotonic() < deadline, f"the calls did not connect: {room.roster()}"
            await asyncio.sleep(0.2)
        start_at = time.monotonic() + 0.5
        for link in links:
            link.send(start_at)
        longest = max(s.size for s in signals.values()) / RATE
        for link in links:  # "done": everything was sent
            assert await receive(link, longest + 60) == "done"
    finally:
        for server, tasks in servers:
            await server.close()
            for task in tasks:
                task.cancel()
        for link in links:
            link.send("bye")
        for process in processes:
            await loop.run_in_executor(None, process.join, 20)
            if process.is_alive():
                process.kill()


def test_each_turn_is_recorded_whole_and_at_its_length_while_two_cpu_hogs_run(tmp_path):
    lines = [LONG_ENGLISH[0][0], LONG_ENGLISH[3][0], LONG_ENGLISH[1][0] + " " + LONG_ENGLISH[2][0], LONG_ENGLISH[4][0]]
    who = ["ana", "bob", "ana", "bob"]
    voices = {"ana": "en-us", "bob": "en+f3"}
    turns = [
        speech(tmp_path, f"turn{n}", text, voices[key]) for n, (key, text) in enumerate(zip(who, lines, strict=True))
    ]
    total = int((LEAD_IN + sum(t.size / RATE + BETWEEN for t in turns)) * RATE)
    rng = np.random.default_rng(7)
    signals = {key: rng.normal(0, 16, total).astype(np.int16) for key in voices}  # a quiet room's floor
    sent: list[tuple[str, float]] = []  # (who, voiced length) of each turn, measured as the recording will be
    position = int(LEAD_IN * RATE)
    for key, turn in zip(who, turns, strict=True):
        signals[key][position : position + turn.size] = turn
        (span,) = spans(signals[key][position - RATE // 2 : position + turn.size + RATE // 2])
        sent.append((key, span[1] - span[0]))
        position += turn.size + int(BETWEEN * RATE)

    stop, loops = multiprocessing.Event(), multiprocessing.Value("q", 0)
    hogs = [multiprocessing.Process(target=hog, args=(stop, loops), daemon=True) for _ in range(2)]
    for process in hogs:
        process.start()
    room = Room(uuid.uuid4(), tmp_path / "rooms" / "meeting.mp4")
    for key in voices:
        room.admit(key, uuid.uuid4(), key.title())
    try:
        asyncio.run(call(room, signals))
    finally:
        stop.set()
        for process in hogs:
            process.join(timeout=10)
        path = room.close()
    assert loops.value > 50, "the CPU hogs did not run"
    assert path is not None and path.is_file()

    found = spans(recorded_audio(path))
    lengths = [end - start for start, end in found]
    late = room._recording.mix.late_samples / RATE  # audio that came later than the delay: moved, a turn stretched
    assert len(found) == len(sent), (found, sent, late)
    for (key, expected), length in zip(sent, lengths, strict=True):
        assert abs(length - expected) <= TOLERANCE * expected, (key, expected, length, found, late)
