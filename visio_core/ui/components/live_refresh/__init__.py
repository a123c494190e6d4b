"""Reruns the fragment it sits in when a polled digest changes, and only then.

A timed fragment (`run_every`) reruns whether or not anything changed, and a form submitted while
such a rerun is queued can be coalesced away by Streamlit. This component instead asks a cheap
JSON route (GET, same origin, e.g. /api/hub/changes) every few seconds and triggers a rerun of
its fragment when the route's `version` differs from the one the fragment was drawn with.
"""

from __future__ import annotations

import streamlit as st

_JS = """
export default function ({ data, parentElement, setTriggerValue }) {
  // Streamlit calls this again on each rerun without the previous cleanup: one timer per element.
  clearInterval(parentElement.__visioPoll);
  const poll = async () => {
    if (!parentElement.isConnected) return clearInterval(parentElement.__visioPoll);
    try {
      const response = await fetch(new URL(data.url, document.baseURI), { credentials: "same-origin" });
      if (!response.ok) return; // signed out or a passing error: the page's next run says so
      const { version } = await response.json();
      if (version && version !== data.version) {
        clearInterval(parentElement.__visioPoll); // the rerun draws a new element with the new version
        setTriggerValue("changed", true);
      }
    } catch (error) {
      // offline for a moment: ask again at the next tick
    }
  };
  parentElement.__visioPoll = setInterval(poll, data.every_ms);
  return () => clearInterval(parentElement.__visioPoll);
}
"""

_component = st.components.v2.component("visio_live_refresh", html="", js=_JS)


def live_refresh(url: str, version: str, every_seconds: float, key: str) -> None:
    """Inside a fragment: rerun it once `url` answers a `version` other than this one."""
    _component(
        data={"url": url, "version": version, "every_ms": int(every_seconds * 1000)},
        key=key,
        height=0,
        on_changed_change=lambda: None,
    )
