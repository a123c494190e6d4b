"""Writes the room's composed recording: the grid as H.264, the mix of everyone as AAC, in MP4.

While the meeting runs the file is a fragmented MP4 (`<name>.rec.mp4`, a fragment every
keyframe, 2 s): if the dashboard dies, everything up to the last fragment is still readable
and `finish()` turns it into a normal MP4 at the next start (EmbeddedEngine.recover). A normal
end does the same at once: a plain MP4 with its index first plays and seeks best in browsers.

We encode with PyAV directly instead of aiortc's MediaRecorder: its timestamps follow
the network (gaps, jumps) and it failed when audio reached it before video
(seen with aiortc 1.16). Here the room clock drives both streams, so timestamps are steady by
construction: video pts counts frames, audio pts counts samples.
"""

from __future__ import annotations

import logging
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from visio_core.adapters.embedded_room.audio import SAMPLE_RATE, to_frame
from visio_core.adapters.embedded_room.grid import HEIGHT, WIDTH, frame_from_yuv

log = logging.getLogger("visio.room")

# The grid's rate: a frame every fourth 20 ms tick of the room clock. (At 15 fps it was composed on
# the first tick at least 1/15 s after the previous one, every 80 ms anyway, and the recording
# repeated frames to make 15.)
FPS = Fraction(25, 2)
VIDEO_TIME_BASE = 1 / FPS
FRAME_SECONDS = float(VIDEO_TIME_BASE)  # between two grid frames
AUDIO_TIME_BASE = Fraction(1, SAMPLE_RATE)


PARTIAL_SUFFIX = ".rec.mp4"


def partial_path(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".mp4") + PARTIAL_SUFFIX)


def finish(partial: Path, final: Path) -> bool:
    """Copy a fragmented recording's packets into a plain MP4 (no re-encoding); False if it held none.

    A fragment cut short by a crash ends the copy; everything before it is kept.
    """
    copied = 0
    with (
        av.open(str(partial)) as source,
        av.open(str(final), "w", format="mp4", options={"movflags": "faststart"}) as out,
    ):
        streams = {s.index: out.add_stream_from_template(s) for s in source.streams if s.type in ("video", "audio")}
        try:
            for packet in source.demux(*[s for s in source.streams if s.index in streams]):
                if packet.dts is None:
                    continue  # the demuxer's end-of-stream marker
                packet.stream = streams[packet.stream.index]
                out.mux(packet)
                copied += 1
        except av.error.FFmpegError:
            log.warning("recording %s ends in a damaged fragment; kept what came before", partial.name)
    if copied == 0:
        final.unlink(missing_ok=True)
    return copied > 0


class RoomRecorder:
    def __init__(self, path: Path) -> None:
        self.path = path  # the finished recording, written by close()
        self.partial = partial_path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._container = av.open(
            str(self.partial),
            mode="w",
            format="mp4",
            options={
                "movflags": "frag_keyframe+empty_moov+default_base_moof",
                # else the first video frame absorbs AAC's 21 ms priming
                "avoid_negative_ts": "disabled",
                # each finished fragment reaches the disk, not a 32 KB buffer
                "flush_packets": "1",
            },
        )
        video = self._container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        video.time_base = VIDEO_TIME_BASE
        video.codec_context.time_base = VIDEO_TIME_BASE
        # ultrafast keeps the encoder at a few ms per frame on one core; a room recording is
        # re-encoded by nobody, so the bigger file is the right trade.
        video.options = {"preset": "ultrafast", "crf": "28", "g": str(int(FPS * 2))}
        # One thread: x264's frame threads buy nothing at 12.5 fps of 640×480 and their hand-offs cost
        # a third more CPU per frame (0.7 against 1.05 ms on room grids; docs/PERFORMANCE.md).
        video.codec_context.thread_count = 1
        audio = self._container.add_stream("aac", rate=SAMPLE_RATE)
        audio.layout = "mono"
        # ffmpeg's "fast" AAC coder: half the CPU of its default ("twoloop") for speech, same size.
        audio.options = {"aac_coder": "fast"}
        audio.time_base = AUDIO_TIME_BASE
        self._video, self._audio = video, audio
        self._frames = 0
        self._samples = 0
        self._lock = threading.Lock()
        self._closed = False

    @property
    def seconds(self) -> float:
        return self._samples / SAMPLE_RATE

    @property
    def frames(self) -> int:
        return self._frames

    @property
    def has_media(self) -> bool:
        return self._frames > 0 or self._samples > 0

    def write_video(self, yuv: np.ndarray) -> None:
        frame = frame_from_yuv(yuv)  # a frame object of our own (see grid.py)
        frame.pts = self._frames
        # Our own constant, not the stream's: the MP4 muxer changes the stream's time base when it
        # writes the header (to 1/15360), and frame counts read in that base collapse to one pts.
        frame.time_base = VIDEO_TIME_BASE
        with self._lock:
            if self._closed:
                return
            self._container.mux(self._video.encode(frame))
            self._frames += 1

    def write_audio(self, samples: np.ndarray) -> None:
        frame = to_frame(samples, pts=self._samples)
        frame.time_base = AUDIO_TIME_BASE
        with self._lock:
            if self._closed:
                return
            self._container.mux(self._audio.encode(frame))
            self._samples += samples.size

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._container.mux(self._video.encode(None))
                self._container.mux(self._audio.encode(None))
            except av.error.FFmpegError:
                # Ending the meeting must not fail on the last packets: keep what was written.
                log.exception("room recording %s: flushing the encoders failed", self.path.name)
            finally:
                self._container.close()
        if self.has_media and finish(self.partial, self.path):
            self.partial.unlink(missing_ok=True)
