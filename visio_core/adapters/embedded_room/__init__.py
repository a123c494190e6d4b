"""Embedded media engine: rooms hosted and recorded by the dashboard process, called over WebRTC (aiortc)."""
