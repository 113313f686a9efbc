"""National scale: the same analysis for every force and month, on Dask.

:func:`~hotspots.national.job.run_national` reads police.uk files in partitions (one force and
month each) on a Dask cluster, counts incidents per H3 cell and month, and runs Gi* and
emerging hot spots block by block (each block with a halo of neighbouring cells and the whole
country's moments), calling the same functions as a single-machine run.
:mod:`~hotspots.national.generate` writes national-shaped test data.
"""

from hotspots.national.job import NationalResult, run_national

__all__ = ["NationalResult", "run_national"]
