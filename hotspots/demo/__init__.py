"""The bundled Dacorum demo: loaders (:mod:`~hotspots.demo.load`) and the seeded generator of
its synthetic files (:mod:`~hotspots.demo.generate`, ``python -m hotspots.demo.generate``).
"""

from hotspots.demo.load import demo_files, load_demo_log, load_demo_policeuk

__all__ = ["demo_files", "load_demo_log", "load_demo_policeuk"]
