"""Signed file URLs of the embedded storage: `/files/{bucket}/{key}?expires=…&sig=…`, honouring Range.

They exist only for local storage (adapters/local_storage.py signs them); Supabase Storage signs its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from visio_core.adapters.local_storage import LocalStorage
from visio_core.domain.i18n import t
from visio_core.domain.media_types import content_type
from visio_core.entrypoints.context import AppContext


@dataclass
class FileRoutes:
    context: Callable[[], AppContext]

    async def signed_file(self, request: Request) -> Response:
        storage = cast(LocalStorage, self.context().storage)
        bucket, key = request.path_params["bucket"], request.path_params["key"]
        params = request.query_params
        download = params.get("download", "")
        problem = storage.verify(bucket, key, params.get("expires", ""), params.get("sig", ""), download)
        if problem:
            raise HTTPException(403, t("web.link_expired") if problem == "expired" else t("web.link_invalid"))
        path = storage.path_of(bucket, key)
        if not path.is_file():
            raise HTTPException(404, t("storage.not_found"))
        response = FileResponse(
            path,
            media_type=content_type(key),
            filename=download or None,
            content_disposition_type="attachment" if download else "inline",
        )
        response.headers["Cache-Control"] = "private, max-age=300"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
