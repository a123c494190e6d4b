"""Embedded media engine: streamlit-webrtc rooms hosted and recorded by the dashboard process."""
