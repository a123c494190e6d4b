"""The route OpenVidu posts its events to: `POST /api/openvidu/webhook`.

The route checks the secret, hands the event to RecordingDownloads (one row in the download
queue) and answers at once; the download happens in a worker.

Answers (the contract in docs/OPENVIDU.md): 401 unless `Authorization: Bearer
<OPENVIDU_WEBHOOK_SECRET>` or `X-OpenVidu-Signature: <hex HMAC-SHA256(secret, body)>` matches
(constant-time); 413 over 1 MB (announced or counted); 400 when not a JSON object or a
recording event without its ids; 200 otherwise. An event for a session we do not know is
answered 200 and logged: OpenVidu treats anything else as a delivery error it will not retry,
a shared OpenVidu server legitimately sends other applications' sessions, and authenticated
events we do not act on are not errors.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from visio_core.adapters.openvidu.downloads import RecordingDownloads
from visio_core.adapters.openvidu.events import MalformedEvent, parse_body, recording_event, verify

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/api/openvidu/webhook"
MAX_BODY_BYTES = 1024 * 1024


def make_webhook_endpoint(
    secret: Callable[[], str | None], downloads: Callable[[], RecordingDownloads | None]
) -> Callable[[Request], Awaitable[Response]]:
    """`secret` and `downloads` are read per request (bootstrap's process-wide objects)."""

    async def openvidu_webhook(request: Request) -> Response:
        declared = request.headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                return JSONResponse({"error": "bad Content-Length"}, status_code=400)
            if int(declared) > MAX_BODY_BYTES:
                return JSONResponse({"error": "body too large"}, status_code=413)
        body = bytearray()
        async for chunk in request.stream():  # counted too: chunked bodies announce no length
            body += chunk
            if len(body) > MAX_BODY_BYTES:
                return JSONResponse({"error": "body too large"}, status_code=413)
        configured = secret()
        if not verify(request.headers, bytes(body), configured):
            if not configured:
                log.warning("OpenVidu webhook refused: OPENVIDU_WEBHOOK_SECRET is not set")
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        try:
            payload = parse_body(bytes(body))
            recording_event(payload)  # malformed recording events are refused before any work
        except MalformedEvent as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        queue = downloads()
        if queue is None:
            log.warning("OpenVidu webhook received but the OpenVidu engine is not configured")
            return JSONResponse({"result": "ignored"})
        result = await run_in_threadpool(queue.handle_event, payload)
        return JSONResponse({"result": result})

    return openvidu_webhook
