"""Agglomerative clustering of voice prints (cosine similarity, average linkage), in numpy.

A meeting has a few hundred cues at most, so the plain O(n²)-per-merge algorithm is quick and
spares the project scikit-learn and SciPy. With the number of speakers known, merging stops at
that count; otherwise it stops when the two closest groups are less alike than `threshold`.
"""

from __future__ import annotations

import numpy as np


def agglomerate(embeddings: np.ndarray, *, speakers: int | None, threshold: float) -> list[int]:
    """A group number per row of `embeddings` (L2-normalised), numbered by first appearance."""
    count = len(embeddings)
    if count == 0:
        return []
    similarity = (embeddings @ embeddings.T).astype(np.float64)
    np.fill_diagonal(similarity, -np.inf)
    sizes = np.ones(count)
    owner = np.arange(count)  # the group each row belongs to, named by one of its rows
    active = np.ones(count, dtype=bool)
    target = max(1, speakers) if speakers else 1
    while active.sum() > target:
        flat = int(np.argmax(similarity))
        keep, gone = divmod(flat, count)
        if speakers is None and similarity[keep, gone] < threshold:
            break
        # average linkage: the merged group's similarity to any other is the size-weighted mean
        merged = (similarity[keep] * sizes[keep] + similarity[gone] * sizes[gone]) / (sizes[keep] + sizes[gone])
        similarity[keep], similarity[:, keep] = merged, merged
        similarity[gone], similarity[:, gone] = -np.inf, -np.inf
        similarity[keep, keep] = -np.inf
        sizes[keep] += sizes[gone]
        active[gone] = False
        owner[owner == gone] = keep
    numbers: dict[int, int] = {}
    return [numbers.setdefault(int(group), len(numbers)) for group in owner]
