"""Chat models that write meeting summaries."""
