"""Vectorised helpers for many index ranges at once (no Python loop per range)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise

import numpy as np


def expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate the ranges ``starts[i] .. starts[i] + counts[i]``.

    Returns the range number and the index of every element.

    Examples
    --------
    >>> expand(np.array([10, 3]), np.array([2, 3]))
    (array([0, 0, 1, 1, 1]), array([10, 11,  3,  4,  5]))
    """
    owner = np.repeat(np.arange(counts.size), counts)
    offset = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, starts[owner] + offset


def chunks(counts: np.ndarray, limit: int) -> Iterator[slice]:
    """Consecutive slices of ranges whose summed counts stay near ``limit`` (one range may
    exceed it alone): bounds the temporaries of :func:`expand`."""
    block = (np.cumsum(counts) - counts) // limit
    edges = np.r_[0, np.flatnonzero(np.diff(block)) + 1, counts.size]
    for lo, hi in pairwise(edges):
        yield slice(lo, hi)
