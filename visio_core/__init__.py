"""Visio: video meetings with automatic recording and transcription for Foxeo."""
