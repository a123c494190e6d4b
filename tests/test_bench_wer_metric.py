"""The WER bench's metric (bench/wer_metric.py: our French normalisation, jiwer's alignment) keeps its examples."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_the_metrics_own_examples_hold():
    done = subprocess.run([sys.executable, "wer_metric.py"], cwd=BENCH, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "wer_metric: ok"
