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
from typing import Any

import av
import numpy as np

from visio_core.adapters.embedded_room.audio import SAMPLE_RATE, to_frame
from visio_core.adapters.embedded_room.grid import HEIGHT, WIDTH, frame_from_yuv

log = logging.getLogger("visio.room")

FPS = 15
AUDIO_TIME_BASE = SAMPLE_TIME_BASE = Fraction(1, SAMPLE_RATE)
LIVE_KBITS = 700  # the cap of the grid's H.264, which the live call sends as is


PARTIAL_SUFFIX = ".rec.mp4"


def partial_path(path: Path) -> Path:
    return path.with_name(path.name.removesuffix(".mp4") + PARTIAL_SUFFIX)


def finish(partial: Path, final: Path) -> bool:
    """Copy a fragmented recording's packets into a plain MP4 (no re-encoding); False if it held none.

    A fragment cut short by a crash ends the copy; everything before it is kept.
    """
    copied = 0
    with av.open(str(partial)) as source, av.open(str(final), "w", format="mp4",
                                                  options={"movflags": "faststart"}) as out:
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
        self._container = av.open(str(self.partial), mode="w", format="mp4",
                                  options={"movflags": "frag_keyframe+empty_moov+default_base_moof",
                                           # else the first video frame absorbs AAC's 21 ms priming
                                           "avoid_negative_ts": "disabled",
                                           # each finished fragment reaches the disk, not a 32 KB buffer
                                           "flush_packets": "1"})
        video = self._container.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        # Frames are stamped with their place in the recording, in samples: the grid is encoded
        # when composed and muxed when its audio is written, DELAY later (variable frame rate).
        video.time_base = SAMPLE_TIME_BASE
        video.codec_context.time_base = SAMPLE_TIME_BASE
        # This one encode is also the live call's H.264 (video_out.py), hence a browser's needs:
        # no frame held back (zerolatency, one thread), constrained baseline (what ultrafast
        # makes), its rate capped for the network. ultrafast keeps it near 2 ms a frame; the
        # deblocking filter it leaves out costs little and spares faces the blocks.
        video.options = {"preset": "ultrafast", "tune": "zerolatency", "crf": "28", "g": str(FPS * 2),
                         "x264-params": f"vbv-maxrate={LIVE_KBITS}:vbv-bufsize={LIVE_KBITS}:deblock=1"}
        video.codec_context.thread_count = 1
        audio = self._container.add_stream("aac", rate=SAMPLE_RATE)
        audio.layout = "mono"
        # ffmpeg's "fast" AAC coder: half the CPU of its default ("twoloop") for speech, same size.
        audio.options = {"aac_coder": "fast"}
        audio.time_base = AUDIO_TIME_BASE
        self._video, self._audio = video, audio
        self._frames = 0
        self._last_position: int | None = None
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

    @property
    def headers(self) -> bytes:
        """The H.264 parameter sets (Annex B) once the first frame is encoded: the MP4 keeps them
        apart, a browser needs them before each keyframe."""
        return bytes(self._video.codec_context.extradata or b"")

    def encode_video(self, yuv: np.ndarray, position: int, keyframe: bool = False) -> list[av.Packet[Any]]:
        """Encode the grid at `position` (samples into the recording); mux the packets with
        `mux_video` once the recording reaches that position."""
        frame = frame_from_yuv(yuv)  # a frame object of our own (see grid.py)
        position = 0 if self._last_position is None else max(position, self._last_position + 1)
        self._last_position = position
        # Our own constant, not the stream's: the MP4 muxer changes the stream's time base when it
        # writes the header, and positions read in that base would collapse.
        frame.pts, frame.time_base = position, SAMPLE_TIME_BASE
        if keyframe:
            frame.pict_type = av.video.frame.PictureType.I
        with self._lock:
            if self._closed:
                return []
            return list(self._video.encode(frame))

    def mux_video(self, packets: list[av.Packet[Any]]) -> None:
        with self._lock:
            if self._closed:
                return
            for packet in packets:
                self._container.mux(packet)
                self._frames += 1

    def write_video(self, yuv: np.ndarray) -> None:
        """Encode and mux at once, one frame every 1/FPS s (tests and benches without a live call)."""
        self.mux_video(self.encode_video(yuv, self._frames * SAMPLE_RATE // FPS))

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
