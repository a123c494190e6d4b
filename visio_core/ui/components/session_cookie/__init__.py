"""Asks the app's own route to set (or clear) the HttpOnly session cookie.

JavaScript never sees the session token: it only posts the one-time claim code, and the
route answers with the cookie.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function ({ data }) {
  const done = (window.__visioSession = window.__visioSession || {});
  const key = data.action + ":" + (data.code || "");
  if (done[key]) return;
  done[key] = true;
  fetch(new URL("/api/session/" + data.action, document.baseURI), {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ code: data.code || "" }),
  }).catch(() => { delete done[key]; });
}
"""

_component = st.components.v2.component("visio_session_cookie", html="", js=_JS)


def claim_cookie(code: str) -> None:
    _component(data={"action": "claim", "code": code}, key="visio-session-claim", height=0)


def clear_cookie() -> None:
    _component(data={"action": "logout"}, key="visio-session-logout", height=0)
