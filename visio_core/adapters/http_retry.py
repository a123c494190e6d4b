"""Retrying HTTP calls to an outside server in one place: an httpx transport that wraps another.

httpx's own `HTTPTransport(retries=…)` retries only failed connects; a server behind a proxy
also answers 502/503/504 for a moment while it restarts. Wrapping the transport (the pattern
httpx documents for custom transports) keeps every call site free of retry loops.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx

log = logging.getLogger(__name__)

# Statuses a proxy or a busy server answers for a moment. 501 is not one of them (OpenVidu
# means "recording disabled" by it, which no retry changes).
RETRY_STATUSES = frozenset({500, 502, 503, 504})


class RetryTransport(httpx.BaseTransport):
    """Sends each request up to `attempts` times on transport errors and RETRY_STATUSES.

    Waits backoff × 2^(n-1) seconds between tries. The last answer (or error) is the caller's.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        attempts: int = 3,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
        statuses: frozenset[int] = RETRY_STATUSES,
    ) -> None:
        self._inner = inner
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self._sleep = sleep
        self._statuses = statuses

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for attempt in range(1, self.attempts + 1):
            last = attempt >= self.attempts
            try:
                response = self._inner.handle_request(request)
            except httpx.TransportError as error:
                if last:
                    raise
                log.info("%s %s: %s, retrying", request.method, request.url.path, type(error).__name__)
            else:
                if last or response.status_code not in self._statuses:
                    return response
                response.close()
                log.info("%s %s: HTTP %s, retrying", request.method, request.url.path, response.status_code)
            self._sleep(self.backoff * (2 ** (attempt - 1)))
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self._inner.close()
