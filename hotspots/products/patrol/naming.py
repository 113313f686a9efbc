"""Human names for patrol localities: the main street of their incidents, and their ward.

The naming rules live in :mod:`hotspots.space.places` (one home, shared by every map and
document); this module keeps the patrol plan's old import path working.
"""

from __future__ import annotations

from hotspots.space.places import POLICEUK_LANDMARKS, locality_names, main_streets, ward_names

__all__ = ["POLICEUK_LANDMARKS", "locality_names", "main_streets", "ward_names"]
