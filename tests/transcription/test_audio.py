from __future__ import annotations

import os

import av
import numpy as np
import pytest

from tests.transcription.helpers import write_media
from visio_core.adapters.transcription import audio
from visio_core.domain.errors import InvalidInput


def _audio_info(path):
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        return stream.codec_context.name, stream.codec_context.sample_rate, stream.codec_context.layout.nb_channels


def test_probe_duration_of_wav_mp4_and_webm(english_speech, mp4_with_speech, webm_with_speech, french_speech):
    assert audio.probe_duration(english_speech.path) == pytest.approx(english_speech.duration, abs=0.01)
    assert audio.probe_duration(mp4_with_speech) == pytest.approx(english_speech.duration, abs=0.15)
    assert audio.probe_duration(webm_with_speech) == pytest.approx(french_speech.duration, abs=0.15)


def test_probe_refuses_what_is_not_media(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("Ceci n'est pas une vidéo.\n" * 50)
    noise = tmp_path / "recording.webm"
    noise.write_bytes(np.random.default_rng(1).integers(0, 256, 50_000, dtype=np.uint8).tobytes())
    for path in (text, noise):
        with pytest.raises(InvalidInput, match="lisible"):
            audio.probe_duration(path)
    with pytest.raises(InvalidInput, match="introuvable"):
        audio.probe_duration(tmp_path / "missing.mp4")


def test_truncated_recording_keeps_what_can_be_read(webm_with_speech, tmp_path, french_speech):
    cut = tmp_path / "cut.webm"
    data = webm_with_speech.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    seconds = audio.extract_audio(cut, tmp_path / "cut.ogg")
    assert 0.5 < seconds < french_speech.duration


# (decoder name, rate it decodes to): Opus always decodes at 48 kHz.
@pytest.mark.parametrize(
    "suffix,decoded",
    [
        (".ogg", ("opus", 48000)),
        (".m4a", ("aac", 16000)),
        (".mp3", ("mp3float", 16000)),
        (".flac", ("flac", 16000)),
        (".wav", ("pcm_s16le", 16000)),
        (".webm", ("opus", 48000)),
    ],
)
def test_extract_audio_formats(mp4_with_speech, english_speech, tmp_path, suffix, decoded):
    dst = tmp_path / f"track{suffix}"
    seconds = audio.extract_audio(mp4_with_speech, dst)
    assert seconds == pytest.approx(english_speech.duration, abs=0.15)
    name, rate, channels = _audio_info(dst)
    assert (name, rate, channels) == (*decoded, 1)
    assert audio.probe_duration(dst) == pytest.approx(seconds, abs=0.1)


def test_extracted_opus_is_compact(webm_with_speech, french_speech, tmp_path):
    dst = tmp_path / "track.ogg"
    audio.extract_audio(webm_with_speech, dst)
    bytes_per_hour = dst.stat().st_size / french_speech.duration * 3600
    assert bytes_per_hour < 16 * 1024 * 1024  # an hour-long meeting fits in one 25 MB request


def test_extract_refuses_a_file_without_sound(tmp_path):
    silent_video = write_media(tmp_path / "video-only.mp4", None, video="libx264", audio=None, seconds=1.0)
    assert audio.probe_duration(silent_video) == pytest.approx(1.0, abs=0.15)
    with pytest.raises(InvalidInput, match="aucune piste audio"):
        audio.extract_audio(silent_video, tmp_path / "out.ogg")
    assert not (tmp_path / "out.ogg").exists()


def test_extract_refuses_unknown_output_format(english_speech, tmp_path):
    with pytest.raises(InvalidInput, match="non pris en charge"):
        audio.extract_audio(english_speech.path, tmp_path / "out.xyz")


def test_late_audio_keeps_the_media_timeline(english_speech, tmp_path):
    """Audio that starts 2 s into the recording is preceded by 2 s of silence, so
    transcript times match the video."""
    media = write_media(tmp_path / "late.webm", english_speech, video="libvpx-vp9", audio="libopus", audio_start=2.0)
    samples = audio.load_audio(media)
    assert samples.size / 16000 == pytest.approx(english_speech.duration + 2.0, abs=0.15)
    assert np.abs(samples[: int(1.9 * 16000)]).max() < 1e-3
    assert np.abs(samples[int(2.3 * 16000) :]).max() > 0.05


def test_split_leaves_a_small_file_alone(english_speech, tmp_path):
    src = tmp_path / "small.ogg"
    audio.extract_audio(english_speech.path, src)
    assert audio.split_audio(src, src.stat().st_size) == [(src, 0.0)]


@pytest.mark.parametrize("suffix,max_bytes", [(".ogg", 50_000), (".wav", 500_000)])
@pytest.mark.slow
def test_split_cuts_under_the_limit_in_the_pauses(long_speech, tmp_path, suffix, max_bytes):
    src = tmp_path / f"long{suffix}"
    total = audio.extract_audio(long_speech.path, src)
    assert src.stat().st_size > 2 * max_bytes
    chunks = audio.split_audio(src, max_bytes, dst_dir=tmp_path / "chunks")
    assert len(chunks) >= 3
    offsets = [offset for _, offset in chunks]
    assert offsets[0] == 0.0 and offsets == sorted(offsets)
    durations = []
    for path, _offset in chunks:
        assert path.parent == tmp_path / "chunks" and path.suffix == suffix
        assert os.path.getsize(path) <= max_bytes
        durations.append(audio.probe_duration(path))
    # the pieces tile the recording: each starts where the previous one ended
    for (_, offset), (_, next_offset), duration in zip(chunks, chunks[1:], durations):
        assert next_offset == pytest.approx(offset + duration, abs=0.03)
    assert sum(durations) == pytest.approx(total, abs=0.05 * len(chunks))
    # every cut falls in one of the pauses between sentences, not in a word
    for cut in offsets[1:]:
        assert any(start - 0.05 <= cut <= end + 0.05 for start, end in long_speech.silences), cut


def test_split_refuses_an_impossible_limit(long_speech, tmp_path):
    src = tmp_path / "long.ogg"
    audio.extract_audio(long_speech.path, src)
    with pytest.raises(InvalidInput, match="trop petite"):
        audio.split_audio(src, 2_000)


def test_a_recording_whose_clock_starts_late_gets_no_leading_silence(english_speech, tmp_path):
    """Only audio, stamped from 30 s on (a recorder that kept the call's clock): the
    media timeline starts at its first timestamp, so no 30 s of silence is made up."""
    media = write_media(tmp_path / "clock.mka", english_speech, video=None, audio="libopus", audio_start=30.0)
    with av.open(str(media)) as container:
        assert container.start_time / av.time_base == pytest.approx(30.0, abs=0.1)
    samples = audio.load_audio(media)
    assert samples.size / 16000 == pytest.approx(english_speech.duration, abs=0.15)
