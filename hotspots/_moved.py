"""Old module paths (before the layered package) kept for one release, with a warning.

``import hotspots.ingest`` or ``from hotspots.maps import base_map`` still work and give the
module at its new home (:data:`MOVED`), with a ``DeprecationWarning`` naming it. Remove in 0.3.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

MOVED: dict[str, str] = {
    "hotspots.patrol.layer": "hotspots.views.patrol_map",
    "hotspots.privacy": "hotspots.core.disclosure",
    "hotspots.schema": "hotspots.data.schema",
    "hotspots.datasets": "hotspots.data.datasets",
    "hotspots.select": "hotspots.data.select",
    "hotspots.ingest": "hotspots.data.ingest",
    "hotspots.resources": "hotspots.data.resources",
    "hotspots.demodata": "hotspots.demo.generate",
    "hotspots.grid": "hotspots.space.grid",
    "hotspots.areas": "hotspots.space.areas",
    "hotspots.stats": "hotspots.analysis.stats",
    "hotspots.clusters": "hotspots.analysis.clusters",
    "hotspots.temporal": "hotspots.analysis.temporal",
    "hotspots.evaluate": "hotspots.analysis.evaluate",
    "hotspots.analyse": "hotspots.analysis.analyse",
    "hotspots.patrol": "hotspots.products.patrol",
    "hotspots.cctv": "hotspots.products.cctv",
    "hotspots.vawg": "hotspots.products.vawg",
    "hotspots.measures": "hotspots.products.measures",
    "hotspots.maps": "hotspots.views.maps",
    "hotspots.analysis_map": "hotspots.views.analysis_map",
    "hotspots.report": "hotspots.views.documents.meeting_pack",
    "hotspots.views.report": "hotspots.views.documents.meeting_pack",
    "hotspots.products.patrol.briefing": "hotspots.views.documents.briefing",
    "hotspots.products.patrol.files": "hotspots.views.patrol_files",
    "hotspots.outputs": "hotspots.views.outputs",
    "hotspots.dashboard": "hotspots.views.dashboard",
    "hotspots.cli": "hotspots.views.cli",
}
"""Old dotted path → new dotted path (a package's submodules follow it)."""


def new_name(old: str) -> str | None:
    """The new home of the module ``old``, or ``None`` when it did not move.

    Examples
    --------
    >>> new_name("hotspots.ingest.policeuk")
    'hotspots.data.ingest.policeuk'
    """
    for prefix in sorted(MOVED, key=len, reverse=True):
        if old == prefix or old.startswith(prefix + "."):
            return MOVED[prefix] + old[len(prefix) :]
    return None


class _Alias(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self.real_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self.real_spec  # the import system set the alias's spec: put it back


class _MovedFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: object, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        target_name = new_name(fullname)
        if target_name is None:
            return None
        warnings.warn(
            f"{fullname} moved to {target_name}; the old path goes in hotspots 0.3",
            DeprecationWarning,
            stacklevel=2,
        )
        return importlib.util.spec_from_loader(fullname, _Alias(target_name))


def moved_names(module: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` giving names that moved up a layer, with a warning.

    A lower layer may not import the views, so ``from hotspots.products.patrol import
    briefing_html`` is served lazily from its new module (``names``: name → new module).

    Examples
    --------
    >>> __getattr__ = moved_names(__name__, {"sheet_html": "hotspots.views.documents.html"})
    ...  # doctest: +SKIP
    """

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(
            f"{module}.{name} moved to {names[name]}.{name}; the old path goes in hotspots 0.3",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(names[name]), name)

    return __getattr__


def install() -> None:
    """Put the finder of old paths on ``sys.meta_path`` (once)."""
    if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
        sys.meta_path.append(_MovedFinder())
