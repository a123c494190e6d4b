"""The server end of a screen share: one receive-only WebRTC connection per share, answered by aiortc.

The page sends a complete offer (its ICE candidates gathered first) and gets a complete
answer, so one HTTP request sets the connection up and no signalling channel stays open.
Frames go to the room under the share's id; when the room refuses one (the share was
stopped or taken over) or the browser's track ends, the connection is closed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from visio_core.adapters.embedded_room.call_link import ice_configuration
from visio_core.adapters.embedded_room.room import Room
from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import t

log = logging.getLogger("visio.room")

MAX_OFFER_CHARS = 32 * 1024  # a browser's one-video offer is a few kB


def check_offer(sdp: object) -> str:
    """The offer if it carries exactly one video stream (a screen); InvalidInput otherwise.

    Anything else (audio, several streams, not SDP) is refused before aiortc sees it: an
    unread incoming track would queue its frames forever."""
    if not isinstance(sdp, str) or not sdp.startswith("v=0") or len(sdp) > MAX_OFFER_CHARS:
        raise InvalidInput(t("room.share.bad_offer"))
    media = [line for line in sdp.splitlines() if line.startswith("m=")]
    if len(media) != 1 or not media[0].startswith("m=video "):
        raise InvalidInput(t("room.share.bad_offer"))
    return sdp


class ScreenLinks:
    """The open share connections of this process, on the event loop that answered them."""

    def __init__(self, rtc_configuration: dict[str, Any]) -> None:
        self._configuration = rtc_configuration
        self._links: dict[str, RTCPeerConnection] = {}

    async def answer(self, room: Room, key: str, offer_sdp: object, takeover: bool) -> str:
        """Start `key`'s share and answer its offer; ShareBusy / NotInRoom / InvalidInput change nothing."""
        offer = check_offer(offer_sdp)
        share = room.start_share(key, takeover)
        pc = RTCPeerConnection(configuration=ice_configuration(self._configuration))
        self._links[share.id] = pc

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            asyncio.ensure_future(self._receive(room, share.id, track))

        @pc.on("connectionstatechange")
        async def on_state() -> None:
            if pc.connectionState in ("failed", "closed"):
                room.stop_share(share.id)
                await self._hang_up(share.id)

        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as error:  # noqa: BLE001 - aiortc raises assorted errors on SDP it cannot use
            log.info("room %s: screen share offer refused: %s", room.meeting_id, error)
            room.stop_share(share.id)
            await self._hang_up(share.id)
            raise InvalidInput(t("room.share.bad_offer")) from None
        return pc.localDescription.sdp

    async def _receive(self, room: Room, share_id: str, track: MediaStreamTrack) -> None:
        try:
            while True:
                frame = await track.recv()
                if not room.push_screen(share_id, frame):  # type: ignore[arg-type]
                    break  # stopped, taken over, sharer gone or meeting ended
        except MediaStreamError:
            pass  # the browser stopped sending (its "Stop sharing" bar, or the page closed the connection)
        finally:
            room.stop_share(share_id)
            await self._hang_up(share_id)

    async def _hang_up(self, share_id: str) -> None:
        pc = self._links.pop(share_id, None)
        if pc is not None:
            await pc.close()

    @property
    def open_links(self) -> int:
        return len(self._links)
