"""Browser libraries the dashboard serves from its own port (installed by `make setup`, never committed).

`openvidu-browser` 2.32.2 comes from the npm registry at a pinned version; scripts/setup.sh
copies its ready bundle here (git-ignored). The OpenVidu room component loads it from
OPENVIDU_BROWSER_PATH.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

OPENVIDU_BROWSER_VERSION = "2.32.2"
OPENVIDU_BROWSER_FILE = Path(__file__).parent / f"openvidu-browser-{OPENVIDU_BROWSER_VERSION}.min.js"
OPENVIDU_BROWSER_PATH = "/api/assets/openvidu-browser.js"


async def _openvidu_browser(request: Request) -> Response:
    if not OPENVIDU_BROWSER_FILE.is_file():
        return PlainTextResponse("openvidu-browser is not installed: run `make setup`", status_code=404)
    # Pinned version in the file name: the browser may keep it a day.
    return FileResponse(
        OPENVIDU_BROWSER_FILE, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"}
    )


def asset_routes(mounted_at: str = "") -> list[Route]:
    """The assets' routes; `mounted_at`: the prefix of the Mount they go under (their paths are then relative)."""
    return [Route(OPENVIDU_BROWSER_PATH.removeprefix(mounted_at), _openvidu_browser, methods=["GET", "HEAD"])]
