"""Cold commands against the floor: whole-process time and peak memory, medians of runs.

Run: ``.venv/bin/python bench/bench_cold.py [--runs 3] [--skip-million]``. Every figure is a
fresh process (imports included) timed from the outside; the runs of all cases are
interleaved so a busy machine slows them alike, and the medians are printed with the floor
(bench/floor.py: pyarrow read + h3ronpy cells + k-ring matrix + Gi* multiply, one process, on
the same files) and the ratio. Bars (issue 14): Hertfordshire 108k ``analyse`` with or
without a study area <= 2x the floor; a million police.uk rows <= 4x the floor and < 2 GB;
``import hotspots.analysis.analyse`` < 1 s.

The million rows are synthetic police.uk files (``hotspots.national.generate``: the real
Hertfordshire records moved onto the Metropolitan and City of London forces' areas, 12
months), written once to ``/tmp/hotspots-bench-m1``.

CPU seconds (user + system of the process, all threads) are printed beside wall seconds: on a
shared machine wall time swings with the load, CPU time much less.

Figures, session 4 (2 cores shared with up to 8 helpers; load average 7-11, so wall times are
inflated two- to threefold: compare the CPU columns). Before = the branch point, after = the
``cold`` branch (pyarrow parses plain CSVs; forecast backtest fit rows computed once and
captures from one partial sort; Coverage.of without a Period per incident):

==================================  ==================  ==================  ======================
case                                before wall/CPU     after wall/CPU      floor wall/CPU
==================================  ==================  ==================  ======================
import hotspots.analysis.analyse    1.69 / 0.68 s       1.20 / 0.69 s       bar < 1 s (wall)
analyse Herts 108k, no study area   15.96 / 6.45 s      9.83 / 5.75 s       2.10-1.16 / 0.8 s
analyse Herts 108k, 10 districts    10.62 / 6.37 s      9.26 / 5.78 s       CPU 7.8x -> 7.6x
analyse 1M, no study area (1 run)   103 / 27.0 s,       65 / 23.4 s,        5.45 / 1.73 s
                                    1,620 MB            1,563 MB            CPU 15.6x -> 13.5x
                                                        (load 12.5: 77 / 25.2 s)
==================================  ==================  ==================  ======================

Quiet machine (load 0.2-0.6), final tree of session 4 (all branches merged: the forecast with
its backtest, place names and the district wards found for files without a study area), medians
of 3: ``import hotspots.analysis.analyse`` 0.62 s; floor 0.71 s wall / 0.81 s CPU; Herts without
a study area 7.36 s / 7.86 s CPU, 514 MB (10.4x wall, 9.6x CPU); with the 10 districts 5.69 s /
6.18 s CPU (8.0x, 7.6x). cProfile of the first: ingest 2.2 s (of which the plain-file checks of
the pyarrow path 0.6 s), the district wards for the names 1.4 s (10 districts read one by one),
analyse 3.6 s (forecast and backtest 1.6 s, place names 0.6 s), writing 0.7 s.

Bars not met: Hertfordshire is ~7.6x the floor in CPU (bar 2x), 1M ~13.5x (bar 4x; memory
1.56 GB is under the 2 GB bar). Where the rest goes (cProfile, 1M): ingest after the parse
(string factorize for duplicate ids, pandas take/strip of Arrow strings, shapely points,
pyproj) ~10 s CPU; the forecast and its backtest ~5 s; clusters, place names ~5 s.

Session 5, ``cold3`` branch (everything but the forecast's internals; every output file of
``analyse`` byte-identical, map.html up to folium's random element ids): the districts' wards
for files without a study area from one filtered read of each pack file, their area-weighted
residents precomputed in the pack (``ward_residents.parquet``) and their LSOA polygons decoded
only when used; the default study area chosen once per command; a study-area file read once;
the plain-file checks in one pass over the line feeds; duplicate-id keys encoded by pyarrow;
place names with one reading of the incidents' places, wards projected once and distinct
street points by lexsort. Interleaved A/B runs (before = the branch point, in /work/main),
medians of 3, machine loaded (load 7-11, the test suite running beside: every figure
inflated, the floor included; compare within a row):

==================================  ==================  ==================  ====================
case                                before wall/CPU     after wall/CPU      CPU ratio to floor
==================================  ==================  ==================  ====================
floor Hertfordshire                 3.86 / 1.02 s       (same script)
import hotspots.analysis.analyse    2.26 / 0.80 s       2.13 / 0.81 s       bar < 1 s (wall)
analyse Herts 108k, no study area   30.1 / 9.13 s       26.3 / 7.36 s       9.0x -> 7.2x
analyse Herts 108k, 10 districts    24.7 / 7.71 s       20.8 / 6.97 s       7.6x -> 6.8x
analyse 1M, no study area (1 run)   157 / 34.1 s,       75 / 29.9 s,        24x -> 21x (floor
                                    1,521 MB            1,567 MB            1.40 / 1.45 s CPU)
==================================  ==================  ==================  ====================

Peak memory is unchanged (505-518 MB Hertfordshire; 1.57 GB at 1M, under the 2 GB bar).
Where the rest goes (CPU profiles): imports ~1.2 s CPU of libraries the floor does not load
(pandas, geopandas, pyproj; folium ~0.3 s of which its 78 Jinja templates compiled once each,
at class definition, no Environment re-created; matplotlib ~0.1 s for ``to_hex`` in
views/maps.py); the forecast and backtest ~1.5 s Hertfordshire, ~6 s at 1M (another branch);
the map's layers and render ~0.45 s; ingest after the parse ~0.5 s (shapely points, pyproj,
pandas takes of Arrow strings; ~5 s at 1M); the eps search ~0.1 s (its knee is recorded in
params.json, so it cannot stop at the cap without changing a file); Gi* ~0.25 s. Bars still
not met: Hertfordshire ~6-7x the floor in CPU (bar 2x), 1M ~20x (bar 4x).

Session 5, merged tree (cold3 + the forecast's own speed-up + BLAS on one thread in the
forecast + every reprojection on one thread), quiet machine (load 1.6-1.7, 02:03 UTC),
``--runs 3 --skip-million`` medians: ``import hotspots.analysis.analyse`` 0.72 s / 0.82 s CPU
(0.62 s in session 4; geopandas alone 0.63 s); floor 0.84 s / 0.94 s CPU (0.71 / 0.81 before);
Hertfordshire without a study area **6.51 s / 6.78 s CPU, 538 MB: 7.8x wall, 7.2x CPU** (7.36 s
/ 7.86 s, 10.4x before); with the 10 districts 5.48 s / 5.73 s CPU (6.5x, 6.1x; 5.69 s before).
One run with the million rows (02:07, load 1.6; that run's Hertfordshire figures were 1.3x the
medians above): floor 1.73 s / 1.92 s CPU; ``analyse`` 31.6 s / 32.7 s CPU, 1,574 MB (18.2x
wall, 17.0x CPU; under the 2 GB bar). cProfile of Hertfordshire without a study area (6.9 s
under the profiler): imports 1.3 s (folium 0.46, pandas 0.44), reading 1.5 s (pyarrow's parse
0.33, the rows' checks and duplicate ids 0.8), the forecast and backtest 0.9 s, place names
0.6 s, writing 0.5 s (map.html 0.26), the district wards 0.47 s, Gi* 0.32 s, the grid 0.32 s,
the eps search 0.24 s.

Session 6, ``cold6`` branch (ingest and the boundary pack; every output of ``analyse`` and
``ingest`` byte-identical, map.html up to folium's random element ids): the duplicate check
codes whole columns once (no copy of the kept rows' text), kept rows of Arrow text by
pyarrow's filter (chunked as pandas' take chunks them), generated ids filled by pyarrow,
blank text found without a stripped copy of five columns, the quarantine's sensitive check on
the flagged rows only; a district's rows of the pack read by row-group statistics and the
districts file by ``ParquetFile`` (no ``pyarrow.dataset``, ~0.1 s to import), the wards and
outlines of all districts reprojected at once. Interleaved A/B pairs (before = the branch
point), machine loaded (load 5-7, wall times meaningless: compare CPU = user + system):

==================================  ========================  ========================
case                                before CPU (user+sys), MB after CPU (user+sys), MB
==================================  ========================  ========================
analyse Herts 108k, no study area   5.86 s (4.75+1.10), 539   5.41 s (4.53+0.88), 507
analyse Herts 108k, 10 districts    5.47 s (4.38+1.09), 528   5.21 s (4.28+0.94), 523
analyse 1M, no study area (1 run)   24.8 s (15.06+9.76),      23.4 s (15.10+8.29),
                                    1,567 MB, 530k faults     1,435 MB, 471k faults
==================================  ========================  ========================

(Means of 4 pairs for Hertfordshire, one pair for the million.) A second round of 4 pairs
without a study area (load ~4, 03:47 UTC): 5.39 s (4.51+0.88) before, 5.45 s (4.30+1.15)
after. The system time swings from 0.45 to 1.9 s between identical runs here, so only the user
time is a steady signal: 0.1-0.2 s less per Hertfordshire run (the reading: 1.0 -> 0.7 s in an
uncontended run, the district wards 0.35 -> 0.29 s). ``bench_cold.py --runs 3
--skip-million`` the same hour, before then after: floor 1.14 / 0.80 s CPU and 0.87 / 0.82 s;
Hertfordshire without a study area 8.59 s / 6.31 s CPU (7.9x CPU) and 5.29 s / 5.11 s (6.2x);
with the 10 districts 5.15 s / 4.70 s (5.9x) and 5.06 s / 4.91 s (6.0x). System time is
large and erratic on this loaded virtual machine (a third of the million's CPU); the ingest's
gains at 1M are less memory and fewer page faults (the load alone: 1.57 -> 1.48 GB, ~300k ->
~262k minor faults), its user time unchanged within the noise. Left for the bars (CPU
profile of Hertfordshire, after, uncontended run: 4.4 s in all): imports ~1.1 s (pandas,
geopandas, pyproj, folium with requests, matplotlib for two colour functions in
views/maps.py, scipy.optimize for ``nnls`` in the forecast, with scipy.fft and linprog), the
forecast and its backtest ~0.77 s, place names ~0.41 s, reading ~0.68 s (the CSV parse ~0.1
s, the rows' checks, codes and points), the district wards ~0.29 s, Gi* ~0.24 s, the eps
search ~0.24 s, the grid ~0.17 s, writing ~0.32 s (the map ~0.16 s); at 1M the ingest ~8 s
CPU (the parse of all 12 columns ~2.7 s, the checks, codes and points), the forecast ~2.3 s,
place names ~2.3 s, ward counts ~1.8 s, the grid ~1.1 s.

Session 6, the merged tree (cold6, sel6's place names and grid, the dashboard branches, and
Arrow memory from the system allocator: ``hotspots.core.memory``), quiet machine (load
0.9-1.0, 04:06 UTC), ``--runs 3``: ``import hotspots.analysis.analyse`` 0.68 s / 0.78 s CPU;
floor Hertfordshire 0.80 / 0.91 s; Hertfordshire without a study area **5.19 s / 5.45 s CPU,
458 MB (6.5x wall, 6.0x CPU)** (session 5: 6.51 s, 7.8x); with the 10 districts 4.94 / 5.16 s
(6.2x, 5.7x); floor 1M 1.39 / 1.65 s; the million **16.85 s / 17.31 s CPU, 1,547 MB (12.1x,
10.5x)** (session 5: 31.6 s, 18.2x). The allocator's share, A/B on the same tree: the
million 27.4 s wall (15.8 s user + 11.9 s system) with pyarrow's default mimalloc, 16.9 s
(14.9 + 1.9) with the system allocator; Hertfordshire without a study area, three
interleaved runs, 4.72-5.53 s (0.8-1.2 s system, 527-569 MB) against 4.41-5.06 s (0.4-0.5 s
system, 453-481 MB). Not met: <= 2x and <= 4x (what is left: the profile above).

Last, each distinct incident point located in its ward once (``space.areas._locate``; the
million's ward counts took 1.5 s of a 15.8 s profile before; one A/B pair 14.4 -> 13.2 s wall,
every output identical), ``--runs 3`` at 04:50 UTC (load ~1; every figure, the floors too, ~20
% lower than at 04:06 on this virtual machine): ``import hotspots.analysis.analyse`` 0.54 s;
floor Hertfordshire 0.65 / 0.75 s CPU; Hertfordshire without a study area 4.06 / 4.30 s, 452 MB
(6.3x, 5.7x CPU); with the 10 districts 3.90 / 4.14 s (6.0x, 5.5x); floor 1M 1.08 / 1.32 s; the
million 13.49 / 13.85 s, 1,554 MB (12.5x, 10.5x CPU).

Session 7, ``par7`` branch (``analyse`` on both cores: :mod:`hotspots.core.forked`). The
command forks one child before it reads the data (scipy's sparse, spatial and special
imported first, once for both); the child imports the forecast's modules (scipy.optimize)
and the map's (folium with requests, matplotlib) while the parent reads, works out the
forecast and its backtest (sent the columns the forecast reads and the points' coordinates,
0.02-0.1 s to send) while the parent builds the grid, Gi*, clusters, ward rates and place names,
then draws map.html (sent the analysis, ~0.04 s) while the parent writes the other files. The
parent never imports folium, requests, matplotlib or scipy.optimize. Outside the command
(the dashboard) every step runs in the one process, as before; a child that fails, dies or
stalls leaves its step to the parent. Every output file byte-identical to main's (map.html
up to folium's random ids): Hertfordshire with and without the 10 districts, 80k synthetic
Merseyside rows with and without ``--study-area E08000012``, the million. Interleaved A/B
pairs (main, par7), medians of 5, machine loaded by the other helpers (load 4.4-6.3: each
core already had a process to run, so the child gained no idle core; wall times inflated
about twofold):

==================================  =======================  =======================
case                                main wall / CPU, MB      par7 wall / CPU, MB
==================================  =======================  =======================
analyse Herts 108k, no study area   10.02 / 4.99 s, 454      10.80 / 5.33 s, 375
analyse Herts 108k, 10 districts    9.30 / 4.58 s, 460       9.26 / 4.82 s, 387
==================================  =======================  =======================

The parent process alone (the wall time on an idle second core, plus its waits for the
child: 0.05-0.25 s each, twice) used 2.8-3.1 s of CPU where the whole command used 4.6-5.0
s; the child 1.5-1.65 s. On a quiet machine that puts the command near 2.8 s (4.06 s before,
~4.3x the floor instead of 6.3x; not measured here: the lead's quiet re-run is the figure).
The cost is ~0.3 s more CPU in all (the forecast's rows and the analysis pickled and
unpickled, the points rebuilt, the child's fresh pages): on a machine with no
idle core (as above) the command is as fast as before, not faster. Forking late (after the
read, when the forecast starts) was tried first: with a heap of hundreds of MB shared, the
parent copied every page it reused while the child lived (the million: 747k page faults in
the parent against 601k in one process; forked early, 626k), and the child imported scipy a
second time. The million, one pair at load 5.8-6.8: main 30.3 s / 14.2 s CPU (2.1 s of it
system), 614k page faults; par7 39.9 s / 16.6 s CPU (4.2 s system), 810k faults; peak RSS
1.57 GB both (the largest process's). There the child costs 2.5 s of CPU, mostly
the system time of its fresh pages (the forecast's arrays for a million rows and their
unpickled copy): a gain only with an idle second core (the forecast, ~2.3 s, and the map
leave the parent's path), a loss on a loaded machine. Not tried: the district wards (~0.3
s) beside the read; place names in the child.

Session 7, the merged tree (par7, read7's ingest, map7's forecast, pages7, the review's
fixes: the child dies with its parent, the parent writes map.html), quiet machine (no other
work; load 0.8-1.2, 06:47 UTC), ``--runs 3``, medians:

==================================  ======================  ===========================
case                                wall / CPU s, MB        ratio to the floor (wall)
==================================  ======================  ===========================
import hotspots.analysis.analyse    0.51 / 0.61, 135        bar < 1 s: met
floor Hertfordshire                 0.60 / 0.71, 156
analyse Herts 108k, no study area   **2.63** / 3.90, 361    4.4x (6.3x at 04:50 in
                                                            session 6: 4.06 s); bar 2x
analyse Herts 108k, 10 districts    **2.40** / 3.78, 376    4.0x (6.0x: 3.90 s); bar 2x
floor 1M                            1.04 / 1.27, 245
analyse 1M, no study area           **11.69** / 15.79, 1454 11.3x (12.5x: 13.49 s); bar
                                                            4x not met, < 2 GB met
==================================  ======================  ===========================

The fork's own share, A/B pairs on this tree against the same tree with
``forked.allowed(enabled=False)`` (quiet, 06:28-06:49 UTC): Hertfordshire without a study area,
four pairs, 2.67-2.96 s forked against 3.39-3.97 s in one process (user CPU 3.5-3.8 s against
3.4-3.7 s); the million, three pairs, 10.23-11.31 s forked against 9.95-10.29 s in one
process (system time 4.1-5.1 s against 1.0 s; 607-615k page faults against 414-425k: the
child's fresh pages for the forecast of a million rows). So the fork wins a second on a
county's year and costs ~0.3 s on a million rows. Raising glibc's mmap and trim thresholds
(``mallopt``, so freed memory is kept and reused) was tried for those faults: no gain beyond
the noise (the million 10.4-15.7 s against 9.4-10.4 s; Hertfordshire equal), not kept.

Session 8 (the cold8 and dash8 branches merged; every file ``analyse``, ``patrol-plan``,
``pack`` and ``backtest`` write byte-identical to the session's start, ``map.html`` but for
folium's random ids, on Hertfordshire with and without a study area, Dacorum, the demo
workspace, Houston and the million). What changed for a cold command: police.uk files read two
at a time (threads: inflating, scanning and parsing run outside the GIL, on the core the
forked child leaves idle while the parent reads); each incident's point made once per distinct
map point and shared by its rows (:func:`hotspots.core.points.shared_points`: a million rows'
points 0.41 -> 0.04 s, in the reader and again in the forecast's child; ~200 MB less at 1M);
points inside an area tested once per distinct point (``core.points.inside``: the study-area
clip, the forecast's history and key, the backtest); the forecast's distinct places by hashing
(1M: its forecast 1.81 -> 1.27 s); place names grouping incidents by integer cell positions,
factorizing Arrow text and turning only the streets named into Python strings (1M: cell
names 0.70 -> 0.32 s); cluster profiles keeping text in Arrow (1M: 0.37 -> 0.09 s); points
outside every ward snapped once per distinct point; the dashboard branch's lazy temporal
tables and cheaper backtest sums. Quiet machine (no other work, load 1.5-2.0, 09:54-09:57
UTC), ``--runs 3``, the session's starting point (a915dc7) and the merged tree in turn twice:

================================  ======================  =========================  ==========
case                              start wall/CPU s, MB    merged wall/CPU s, MB      ratio
================================  ======================  =========================  ==========
import hotspots.analysis.analyse  0.46 / 0.57             0.44 / 0.54                < 1 s met
floor Hertfordshire               0.52 / 0.63             0.51-0.52 / 0.62-0.63
analyse Herts, no study area      2.30-2.31 / 3.47, 402   **2.17-2.18** / 3.23, 406  4.4x->4.2x
analyse Herts, 10 districts       2.08-2.10 / 3.30        **1.95** / 3.12-3.15       4.0x->3.8x
floor 1M                          0.94-0.95 / 1.15        0.94 / 1.16-1.17
analyse 1M, no study area         7.80-7.95 / 11.4, 1494  **5.93-6.06** / 8.6, 1278  8.4x->6.3x
================================  ======================  =========================  ==========

Bars: Hertfordshire <= 2x, the million <= 4x and < 2 GB (MB: peak RSS).

(This virtual machine ran faster today than at session 7's figures above: 1M 11.69 s then,
7.80-7.95 s today for the same tree; compare within a row.) Where a cold Hertfordshire run
goes now (timeline of one run, seconds from the start): imports 0.32, scipy and the fork 0.18,
reading 0.36, the default study area and its districts' wards 0.24, the analysis 0.75 (the
parent's grid, Gi*, clusters, names and ward rates beside the child's forecast, 0.55-0.6 each),
writing 0.2 (the child draws map.html meanwhile): end 2.05-2.10 s. The million: reading 2.3
(the files 0.6 of it on two threads), the default area 0.4, the analysis 2.9 (the child's
forecast 1.9), writing 0.3. Not met: Hertfordshire <= 2x (4.2x), the million <= 4x (6.3x);
met: the import < 1 s and the million < 2 GB.

Session 9 (three branches merged; every file ``analyse`` writes byte-identical to the
session's start, ``map.html`` but for folium's ids, on Hertfordshire with and without a study
area, Dacorum, the demo with HDBSCAN and the million; ``load()`` identical on 39 hostile and
real inputs; every analysis and patrol plan of the dashboard identical float for float). What
changed for a cold command: the temporal tables made while the parent would only wait for the
forecast's child, and cheaper (months as numbers, the counted rows masked, not copied: 1M
0.59 -> 0.28 s); the child works its forecast out without the dashboard's cache key (1M
~0.3 s); the study area's hexagons begun on a thread as soon as the area is chosen
(``grid.prepare_area``: h3ronpy and shapely release the GIL, so the polyfill runs beside the
districts' wards; 1M grid_counts 0.47 -> 0.15 s on the parent's path); ``mappable`` without a
second copy; police.uk files' rows parsed and checked in their reading threads (1M: the main
thread's read 1.3 -> 0.84 s of CPU); the forecast's backtest on the cells with history and its
history by H3 index (force-year forecast 0.21 -> 0.17 s). Quiet machine (load 0.9-1.5,
12:01-12:12 UTC), ``--runs 3``, the session's start (f9109ab) and the merged tree in turn,
two rounds:

================================  ======================  =========================  ==========
case                              start wall/CPU s, MB    merged wall/CPU s, MB      ratio
================================  ======================  =========================  ==========
import hotspots.analysis.analyse  0.50 / 0.60             0.47-0.49 / 0.57-0.59      < 1 s met
floor Hertfordshire               0.56 / 0.67             0.54-0.58 / 0.65-0.68
analyse Herts, no study area      2.37-2.40 / 3.51, 376   **2.16-2.25** / 3.28-3.37  4.3x->3.9x
analyse Herts, 10 districts       2.14 / 3.37             **1.97-2.01** / 3.15-3.23  3.8x->3.5x
floor 1M                          0.99 / 1.22             0.97-1.01 / 1.20-1.25
analyse 1M, no study area         6.54-6.62 / 9.3, 1226   **5.00-5.28** / 7.8-8.3,   6.7x->5.2x
                                                          1288
================================  ======================  =========================  ==========

(The virtual machine ran slower today than at session 8's close: the same start 2.37 s
against 2.17 s then; compare within a row.) A cold million now (timeline): imports and the
fork 0.54 s, reading 1.78, the default area and its districts' wards 0.45, the analysis 1.67
(the parent's grid 0.15, eps search 0.24, DBSCAN 0.09, profiles 0.07, ward rates 0.23, cell
names 0.36, temporal tables 0.28; the child's forecast 1.1 beside it), writing 0.26: 4.73 s.
Not met: Hertfordshire <= 2x (3.5-3.9x), the million <= 4x (5.0-5.2x); met: the import < 1 s,
the million < 2 GB.

Session 10 (two branches merged, every output identical: the forecast's backtest scoring
and tie-breaking, ``fc10``; the dashboard's per-change work, ``dash10``, whose wards,
place texts and cell look-ups are made once. Checked: 89 files of 11 CLI runs byte for byte,
14 dashboard selections float for float, 71 forecast cases bit for bit). The virtual machine
ran about a quarter slower than at session 9's close (the same floor: 0.69-0.73 s against
0.54-0.58 s), so compare within a row. The session's start (a8faf1f) and the final tree in
turn, two rounds of ``--runs 3``, 13:50-13:53 UTC, load 0.4-1.6:

================================  ======================  ======================  ===============
case                              start wall s            final wall s            ratio to floor
================================  ======================  ======================  ===============
import hotspots.analysis.analyse  0.63 / 0.65             0.59 / 0.61             < 1 s met
floor Hertfordshire               0.69 / 0.73             0.69 / 0.70
analyse Herts, no study area      2.73 / 2.90             2.64 / 2.79             4.0x -> 3.8-4.0x
analyse Herts, 10 districts       2.48 / 2.65             2.38 / 2.36             3.6x -> 3.3-3.4x
floor 1M                          1.18 / 1.25             1.19 / 1.22
analyse 1M, no study area         6.31 / 6.66, 1256 MB    5.94 / 6.24, 1268 MB    5.3x -> 5.0-5.1x
================================  ======================  ======================  ===============

Not met: Hertfordshire <= 2x, the million <= 4x; met: the import < 1 s, the million < 2 GB.

Session 11, ``par11`` branch (the order of the command's steps; every file ``analyse``,
``pack``, ``forecast`` and ``patrol-plan`` write byte-identical, ``map.html`` but for folium's
ids: Hertfordshire with and without the 10 districts, Dacorum, ``--from/--to``, ``--from``
alone, HDBSCAN, the million; ``analyse()`` in one process, as the dashboard runs it,
identical). Timeline of a quiet Hertfordshire run before: the child's core idle from the end of
its imports (during the read) until 1.69 s, while the parent chose the default area (0.16 s)
and read its districts' wards (0.19-0.35 s). Now ``analyse`` is ``begin`` (the study area
chosen, its hexagons begun, the forecast given to the child) and ``finish``
(:mod:`hotspots.analysis.analyse`); the command reads the districts' wards between them, so the
forecast starts ~0.2-0.3 s sooner (right after the default area). ``finish`` clusters before it
grids: with a study area given as a file the grid had waited ~0.3 s for the area's hexagons
(begun on a thread), which are now made during the eps search and DBSCAN.
The CPU is unchanged (the same work in another order). The machine was loaded by other
helpers through the session (load 1-10; CPU per run 4.2-5.4 s against 3.9 s quiet), so the
figures below are not a quiet machine's. Interleaved pairs, base (55651c8) and ``par11``:

=====================================  =======================  =======================
case                                   base wall / CPU s, MB    par11 wall / CPU s, MB
=====================================  =======================  =======================
Herts, no study area (5, load 4-7)     3.22 / 4.73, 358         3.23 / 4.63, 366
Herts, 10 districts (5, load 4-7)      2.99 / 4.28, 368         3.01 / 4.31, 366
Herts, no study area (6, load 1.1-3)   3.30 / 4.90, 358         3.37 / 4.99, 366
Herts, 10 districts (6, load 1.1-3)    2.92 / 4.57, 365         2.94 / 4.50, 357
Herts, no study area (6, load 2-2.4)   2.69 / 3.92, 354         2.66 / 3.97, 359
Herts, 10 districts (6, load 2-2.4)    2.33 / 3.67, 371         2.33 / 3.58, 361
1M, no study area (2, load 1.1)        7.33 / 11.02, 1276       7.11 / 10.76, 1273
=====================================  =======================  =======================

(The rows at load 1.1-3 and 2-2.4: each pair run only once no other task had been runnable for
3 s, base and par11 in alternating order.) Over those 12 pairs, par11 minus base: Hertfordshire
without a study area -0.17 s the median (-1.08 to +0.32; 9 of 12 faster), with the 10 districts
0.00 s (-0.36 to +0.16). So: ~0.15 s less without a study area, nothing measurable with one or
at the million, on a machine never quite idle; the quiet machine's figure is still to take.

Tried and not kept: the districts' wards read on a thread beside the clusters and the grid
(``districts_wards`` 0.41-0.83 s on the thread against 0.28 s alone, the grid beside it
0.15-0.40 s against 0.06 s: both hold the GIL; four batches of pairs against the tree without
it, medians with / without 2.67 / 2.67 s, 3.77 / 3.47, 8.31 / 7.54, 10.61 / 10.57, CPU +0.0-0.2
s); forking before scipy is imported (the parent imports it all the same; CPU 4.98 against 4.71
s, wall 6.81 against 6.31 s, 5 pairs at load 4-7).

Session 11, the final tree (par11 and the session's fixes merged) against the session's start
(55651c8), quiet machine (load 1.1, 16:33 UTC), 5 interleaved rounds (floor, start, final),
medians, wall / CPU s, MB; the million 2 rounds:

================================  ======================  ======================  ===============
case                              start                   final                   ratio to floor
================================  ======================  ======================  ===============
floor Hertfordshire               0.64 / 0.74, 160
analyse Herts, no study area      2.66 / 3.99, 366        2.54 / 3.97, 369        4.2x -> 4.0x
analyse Herts, 10 districts       2.32 / 3.62, 371        2.38 / 3.72, 373        3.6x -> 3.7x
floor 1M                          1.18 / 1.37; 1.01 / 1.22
analyse 1M, no study area         6.32 / 9.77; 5.58 / 8.79  5.73 / 8.59; 5.68 / 8.83  ~5.5x (noise)
================================  ======================  ======================  ===============

Not met: Hertfordshire <= 2x, the million <= 4x; met: the import < 1 s, the million < 2 GB
(1.29-1.31 GB).

Session 13, ``cold13`` branch (every file ``analyse`` writes byte-identical to the session's
start, ``map.html`` but for folium's ids: Hertfordshire with and without the 10 districts,
Dacorum, ``--from``, 80k synthetic Merseyside rows with and without ``--study-area
E08000012``, the million; ``load()`` identical, quarantine and report included, or the same
error, on 125 loads: 120 seeded hostile police.uk folders, three of them with a district too,
and the Hertfordshire zip with and without Dacorum). What changed on a cold command's path:

- the default districts' wards (``_default_wards``) from one read of the pack, stacked
  (:func:`hotspots.data.boundaries.stacked_wards`), not a ``District`` built for each
  district and the stack split again; district codes looked up in a mapping, only the two
  names the title says. London's 36 districts: 0.49 -> 0.11 s CPU.
- the week profiles of month-only data (police.uk) skip the windows' lengths, the hour
  weights and the sparse product, whose answer is zeros: the million's temporal tables
  0.40 -> 0.18 s.
- the incidents' point coordinates read once per analysis
  (:func:`hotspots.core.points.coordinates`), not five times (the forecast's rows, the grid,
  the ward counts twice, the place names: 0.06 s each at 1M).
- one pyproj Transformer per pair of CRSs in a process (``crs.transformer`` is geopandas'
  cached one): a cold run set up lon/lat <-> British National Grid four times (0.16-0.38 s
  on a loaded machine), now twice; the forked child sets up its two while it waits for the
  forecast (``forked.allowed``'s ``prepare`` takes ``"module:function"``).

The other helpers kept the machine loaded most of the session (load 2-12). Interleaved runs
of the session's start (a9a79dd) and ``cold13`` with the floor, medians of 3, in the two
quietest windows (21:11-21:14 UTC):

=================================  ====================  ======================  ==============
case (load)                        start wall/CPU s, MB  cold13 wall/CPU s, MB   ratio to floor
=================================  ====================  ======================  ==============
floor 1M (load ~2)                 1.01 / 1.22, 215
analyse 1M, no study area          5.77 / 8.79, 1260     **5.24** / 8.19, 1260   5.7x -> 5.2x
floor Hertfordshire                0.63 / 0.73
analyse Herts, no study area       2.58 / 3.79, 368      **2.33** / 3.62, 369    4.1x -> 3.7x
analyse Herts, 10 districts        2.41 / 3.60, 360      **2.29** / 3.58, 371    3.8x -> 3.6x
floor 1M (load ~3, one core busy)  1.12 / 1.12
analyse 1M, no study area          8.63 / 8.80, 1272     8.06 / 8.32, 1257       (both slowed)
analyse Herts, no study area       3.56 / 3.68           3.26 / 3.51
=================================  ====================  ======================  ==============

Not met: the million <= 4x (5.2x), Hertfordshire <= 2x (3.6-3.7x); met: the import < 1 s
(0.56 s), the million < 2 GB (1.26 GB).

Where a cold million goes now (timeline, load ~2.4, before the last three changes): imports and
the fork 0.7 s, reading 2.45 (the files on two threads ~1.4; then one thread stacks, locates,
de-duplicates and builds the incidents, ~1.1 s of CPU with the second core idle), the default
area 0.2, the forecast begun, the wards 0.05 CPU, the analysis ~1.1 s of CPU beside the
child's forecast (which now ends about when the parent needs it: 4.97 against 5.03 s), writing
0.3. Tried and dropped: the plain-file checks as byte searches (``b"\\n\\n" in data`` is slower
than numpy's scan of the line feeds: 0.32 against 0.24 s for the files); Arrow memory from
jemalloc (``read_input`` 1.0 GB against 1.2 GB and less system time, but the whole command no
faster: 8.42 against 8.33 s CPU, wall worse); cyclic garbage collection off (8.11 against 8.33
s CPU: within the noise); parsing 7 of the 12 columns (0.69 -> 0.50 s of CPU and 160 MB less at
1M; not done: the generated ids of rows without a Crime ID, 26 % here, hash all 12 columns, the
quarantine keeps them and 'Falls within' is checked per file, so the other five would be
parsed again for a quarter of the rows; dictionary-encoding those five instead saves only
0.05 s); the temporal tables in the child (its forecast ends about when the parent needs it:
nothing to gain at 1M, a loss for Hertfordshire, where the two already end together).

Session 13, the final tree (cold13 merged; the point coordinates read once within one analysis
only, ``points.reading_once``, so that a notebook's points changed in place are read again),
quiet machine (no other work, load 1.2-1.3, 21:27 UTC), ``--runs 3``, medians, wall / CPU s, MB:
``import hotspots.analysis.analyse`` 0.49 / 0.59 (bar < 1 s: met); floor Hertfordshire
0.60 / 0.70, 156; Hertfordshire without a study area **2.16** / 3.41, 372 (3.6x; session 11's
final tree 2.54 s, 4.0x); with the 10 districts **2.11** / 3.36, 362 (3.5x); floor 1M
1.07 / 1.31, 240; the million **5.07** / 8.09, 1,238 MB (4.7x; 5.7x at the session's start).
Not met: Hertfordshire <= 2x, the million <= 4x; met: the import < 1 s, the million < 2 GB.

Session 14: numpy's arrays in ordinary pages (``hotspots.core.memory.no_huge_pages_for_numpy``:
``NUMPY_MADVISE_HUGEPAGE=0`` unless the user sets it). numpy asks Linux for transparent huge
pages for every array of 4 MB or more; with the kernel's ``defrag`` at ``madvise`` (this
machine's) each such fault may compact memory first. A cold million-row ``analyse``, pairs with
the variable set each way: system time 1.27-1.60 s with huge pages against 1.03-1.08 s without
(more, cheaper faults: 560k against 420k), wall 0.06-0.26 s less; Hertfordshire and a dashboard
filter change the same either way. Also tried: glibc's ``MALLOC_MMAP_THRESHOLD_`` /
``MALLOC_TRIM_THRESHOLD_`` / ``MALLOC_TOP_PAD_`` (freed memory kept for reuse): 0.1-0.2 s
less system time, +80-100 MB, wall within the noise: not kept; the parent importing scipy on
a thread during the read, forked before it (the child importing its own): +0.2 s of CPU, no
gain measurable on a loaded machine: not kept. The session's other changes on a cold path (a
file given twice read once: sizes compared, hashed only when equal; a police.uk month's Crime
IDs compared only when two files hold it; ``disclosable`` a no-op for police.uk, whose rows
are not sensitive) cost nothing measurable.

The virtual machine ran ~20 % slower at the session's end than at its start (the same start
tree's 1M run 4.54 s at 22:14, 5.10-5.45 s at 23:37), so compare within a row. Interleaved
pairs, the session's start (bd789d5) and the final tree, quiet machine (23:37 UTC, load 1.2-1.6),
wall / user / system s:

======================================  ====================  ====================
case                                    start                 final
======================================  ====================  ====================
analyse 1M, no study area (3 pairs)     5.10-5.45 / 6.3-6.7   4.79-4.92 / 6.5 /
                                        / 1.5-1.9             1.1-1.2
analyse Hertfordshire (3 pairs)         2.20-2.30 / 3.0-3.2   2.05-2.17 / 2.8-3.0
                                        / 0.4-0.45            / 0.4-0.45
======================================  ====================  ====================

``--runs 3`` on the final tree right after (23:38 UTC, load 1.2): ``import
hotspots.analysis.analyse`` 0.50 s (bar < 1 s: met); floor Hertfordshire 0.63 s;
Hertfordshire without a study area 2.39 s (3.8x), with the 10 districts 2.27 s (3.6x); floor
1M 1.12 s; the million 5.23 s (4.6x), 1,237 MB (< 2 GB: met). Not met: Hertfordshire <= 2x
and the million <= 4x. Why Hertfordshire's cannot be met as the command stands: it uses 3.6-3.7
s of CPU (two processes: the parent's imports 0.5, reading 0.6, the analysis 0.6, writing 0.2;
the child's imports 0.4, forecast and backtest 0.56, map 0.2), and 2x the floor is 1.2-1.3 s
of wall, 2.4-2.6 s of CPU on two cores at best: the forecast's backtest, the place names,
the map and the rows' checks would have to go from the default command.

Session 15, ``cold15`` branch (every file ``analyse`` writes byte-identical to the session's
start, ``map.html`` but for folium's ids: Hertfordshire with and without the 10 districts,
Dacorum, 80k synthetic Merseyside rows with and without ``--study-area E08000012``, the
million). Timelines of a cold million (parent and child, load ~4): the child's forecast and
the parent's analysis end within ~0.3 s of each other (either first), and so do the map and
the parent's other files: both processes' paths had to shorten. What changed:

- ``points.few_codes``: ``pd.factorize`` of points and cells with its hash table begun small
  (``size_hint``); pandas sizes it for as many distinct values as rows (16 MB of fresh memory
  per call at 1M), ~3x the time of one grown as needed for the ~14k places of a million
  police.uk rows (0.069 -> 0.025 s a call warm, more in a cold process). ``distinct_points``,
  ``distinct_rows``, the grid's new points and the clusters' locations use it: some ten calls
  per cold million (the ingest's shared points, the default area's district counts, the eps
  search and DBSCAN, the ward look-up, the place names; the child's shared points, its
  history's inside test and three in ``distinct_rows``). Caching the distinct points per
  analysis instead (the idea noted last session) was not done: the calls are on different
  arrays (lon/lat, x/y, subsets), and at ~0.025 s each little is left.
- police.uk Crime IDs' de-duplication keys (``ids.text_keys``) made per file on the reading
  threads (the generated ids' after), not by the main thread over the million ids.
- ``ForecastRows`` pickled by place when every row's lon/lat/x/y are bit for bit its place's
  (police.uk's map points): each place once and a code per row (1M: 61 -> 33 MB through the
  pipe; the child rebuilds the rows and one point per place without factorizing; else the
  rows as before).
- ``Analysis.for_map``: the map's child is sent the cells, profiles, forecast and params
  before the temporal tables are made (it drew nothing until ``__getstate__`` had made them,
  ~0.19 s at 1M), so it draws while the parent makes them and writes the other files; it
  also makes ``cells.geojson`` and ``cells.parquet`` (their bytes sent back, written by the
  parent after the other files: ~0.14 s of the parent's CPU at 1M).

The other helpers loaded the machine all session (load 4-17: wall times 2-8x a quiet
machine's), so only CPU is compared. Interleaved pairs, the session's start (45a4261) and
``cold15``, CPU seconds (user + system) of the parent and of the forked child apart (the
child is reaped by the parent: its ``RUSAGE_CHILDREN``), and of two phases:

=====================================  ======================  ======================
case (load)                            start                   cold15
=====================================  ======================  ======================
1M, parent (3 pairs, load 13-17)       7.78, 7.38, 6.95        7.57, 6.36, 6.85
1M, child                              2.63, 2.66, 2.43        2.22, 1.99, 1.99
1M, parent's analysis (``finish``)     1.72, 1.79, 1.84        1.49, 1.48, 1.31
1M, child's forecast                   1.38, 1.53, 1.29        1.15, 1.05, 1.01
1M, whole command (3 pairs, load 4-5)  8.59, 9.13, 8.40        8.89, 8.16, 8.23
Hertfordshire, whole (4 pairs, 10-12)  5.01, 5.05, 4.86, 5.04  4.89, 5.01, 4.93, 5.11
=====================================  ======================  ======================

So about 0.4-0.5 s less CPU on each process's path at 1M (~0.3 s of it in the analysis and
the forecast that run side by side), the same peak memory (1.23-1.29 GB both), and no change
measurable at Hertfordshire (the same calls on 108k rows cost a tenth). Whether the million
now meets <= 4x (5.23 s at session 14's end; ~4.5 s needed) is for a quiet machine's
``--runs 3`` to say: not measured here.

The cells' files in the child came after the pairs above (and ``for_map`` after the row at
load 4-5); one timeline of the final tree (load 7.4):
the parent 6.48 s of CPU, the child 2.05 s; the write phase's map and cells' files in the
child end 0.1 s after the parent's other files (before: the map began only once the tables
were made). The final tree against the start, interleaved pairs of the whole command,
01:44-01:46 UTC (load 5.7-6.9), CPU s (user + system): the million 8.83, 8.89, 9.22 against
8.79, 8.36, 8.73 (-0.35 s the mean; peak 1,256-1,311 against 1,249-1,272 MB); Hertfordshire
without a study area 3.96, 3.83, 3.70 against 3.81, 3.86, 3.74, with the 10 districts 3.80,
3.80 against 3.71, 3.90 (the same). ``--runs 1`` right after (load 5.7, every figure
inflated, the floors too): floor 1M 1.38 s, the million 8.16 s (5.9x), 1,233 MB; floor
Hertfordshire 1.23 s, without a study area 7.68 s, with the 10 districts 5.18 s. Not measured:
the quiet machine's ratios; the bars (the million <= 4x, Hertfordshire <= 2x) not shown met.

Tried and dropped: ``blank_text`` reading each string's first byte from the Arrow buffers
and testing only those that may be blank (0.009 -> 0.005 s a million-value column warm, but
slower on a column of nulls, such as the synthetic files' LSOA codes: not worth it); seeding
the points' coordinates at the ingest (``mappable``'s mask copies the geometry array, so
the seed would never be read); pickling the forecast's rows on the sender thread (the
parent may change a frame after ``forked.start``, whose inputs are a snapshot).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hotspots.data import datasets

ROOT = Path(__file__).resolve().parents[1]
FLOOR = str(ROOT / "bench" / "floor.py")
MILLION = Path("/tmp/hotspots-bench-m1")


def _run(cmd: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system, all threads) and peak RSS (MB) of one
    process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _million() -> Path:
    if not (MILLION / "2021-12").exists():
        from hotspots.national.generate import FORCES, generate_national

        forces = [f for f in FORCES if f.slug in ("metropolitan", "city-of-london")]
        months = [f"2021-{m:02d}" for m in range(1, 13)]
        generate_national(MILLION, rows=1_000_000, months=months, forces=forces, seed=14)
    return MILLION


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-million", action="store_true")
    args = parser.parse_args()
    py = sys.executable
    herts = str(datasets.herts_policeuk_zip())
    districts = str(datasets.districts_path())
    out = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    cli = [py, "-m", "hotspots.views.cli", "analyse"]
    cases: dict[str, list[str]] = {
        "python -c pass": [py, "-c", "pass"],
        "import geopandas": [py, "-c", "import geopandas"],
        "import hotspots.analysis.analyse": [py, "-c", "import hotspots.analysis.analyse"],
        "floor Hertfordshire": [py, FLOOR, herts],
        "analyse Hertfordshire, no study area": [*cli, herts, "--out", str(out / "a")],
        "analyse Hertfordshire, 10 districts": [
            *cli, herts, "--study-area", districts, "--out", str(out / "b"),
        ],
    }  # fmt: skip
    if not args.skip_million:
        million = str(_million())
        cases["floor 1M"] = [py, FLOOR, million]
        cases["analyse 1M, no study area"] = [*cli, million, "--out", str(out / "c")]
    times: dict[str, list[float]] = {name: [] for name in cases}
    cpus: dict[str, list[float]] = {name: [] for name in cases}
    peaks: dict[str, list[float]] = {name: [] for name in cases}
    for run in range(args.runs):
        for name, cmd in cases.items():
            wall, cpu, peak = _run(cmd)
            times[name].append(wall)
            cpus[name].append(cpu)
            peaks[name].append(peak)
        print(f"run {run + 1}/{args.runs} done, load average {os.getloadavg()[0]:.1f}", flush=True)
    t = {name: statistics.median(v) for name, v in times.items()}
    c = {name: statistics.median(v) for name, v in cpus.items()}
    m = {name: statistics.median(v) for name, v in peaks.items()}
    print(f"\nmedians of {args.runs} interleaved cold runs (2-core machine, shared), "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"{'case':40} {'wall s':>7} {'CPU s':>7} {'MB':>7}  floor and ratio (wall; CPU)")

    def row(name: str, floor: str | None, bar: str) -> None:
        ratio = (
            f"{floor}: {t[floor]:.2f} s -> {t[name] / t[floor]:.1f}x; "
            f"CPU {c[floor]:.2f} s -> {c[name] / c[floor]:.1f}x"
            if floor
            else ""
        )
        print(f"{name:40} {t[name]:7.2f} {c[name]:7.2f} {m[name]:7.0f}  {ratio}  [{bar}]")

    row("python -c pass", None, "interpreter")
    row("import geopandas", "python -c pass", "library floor of any GeoDataFrame tool")
    row("import hotspots.analysis.analyse", "import geopandas", "bar < 1 s")
    row("floor Hertfordshire", None, "floor")
    row("analyse Hertfordshire, no study area", "floor Hertfordshire", "bar <= 2x")
    row("analyse Hertfordshire, 10 districts", "floor Hertfordshire", "bar <= 2x")
    if not args.skip_million:
        row("floor 1M", None, "floor")
        row("analyse 1M, no study area", "floor 1M", "bar <= 4x and < 2048 MB")


if __name__ == "__main__":
    main()
