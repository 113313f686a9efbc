"""A dataset's forecast basis (hotspots.analysis.forecast.keep_basis): the kernels and neighbours
of a selection taken out of those of the whole dataset equal the selection's own, entry for entry
and in the same order, and its forecast is the same, bit for bit (Dacorum's police.uk year)."""

from __future__ import annotations

import h3
import numpy as np
import pandas as pd
import pytest

from hotspots.analysis import forecast as fc
from hotspots.core.disclosure import mappable
from hotspots.data import datasets
from hotspots.data.ingest import read_policeuk, resolve_study_area
from hotspots.space.grid import neighbours

RES = 9


@pytest.fixture(scope="module")
def dacorum():
    incidents = mappable(
        read_policeuk(datasets.herts_policeuk_zip(), study_area=datasets.DACORUM).incidents
    )
    return incidents, resolve_study_area(datasets.DACORUM)


def _part(incidents, groups):
    part = incidents[incidents["category"].isin(groups)].copy()
    part.attrs.update(incidents.attrs)
    return part


def _forget() -> None:
    fc._bases.clear()


def _same_matrix(a, b) -> None:
    """Equal sparse matrices, stored alike: the same entries in the same order."""
    assert a.shape == b.shape
    for name in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def _same_forecast(a: fc.Forecast, b: fc.Forecast) -> None:
    pd.testing.assert_frame_equal(a.cells, b.cells, check_exact=True)
    pd.testing.assert_frame_equal(a.backtest, b.backtest, check_exact=True)
    assert a.method == b.method and a.month == b.month
    assert a.figures == b.figures


def test_selection_operators_are_parts_of_the_dataset_basis(dacorum) -> None:
    incidents, area = dacorum
    _forget()
    fc.keep_basis(incidents, study_area=area, res=RES)
    edge = h3.average_hexagon_edge_length(RES, unit="m")
    kernels = [(round(edge), "gauss"), (round(2 * edge), "gauss"), (round(3 * edge), "quartic")]
    for groups in (["Anti-social behaviour"], ["Public order", "Drugs"]):
        hist = fc.build_history(_part(incidents, groups), area=area, res=RES)
        assert hist.basis is not None and hist.basis_rows is not None  # a part, not its own
        assert len(hist.basis.cells) > len(hist.cells)
        for bandwidth, shape in kernels:
            _same_matrix(
                hist.kernel(bandwidth, shape),
                fc._kernel(hist.cell_xy, hist.loc_xy, bandwidth, shape),
            )
        _same_matrix(hist.disk, neighbours(hist.cells, k=1, include_self=True))
        # the centres the basis keeps for the selection's cells are the selection's own
        assert np.array_equal(hist.basis.cell_xy[hist.basis_rows], hist.cell_xy)
    _forget()


def test_forecast_of_a_selection_is_the_same_with_and_without_the_basis(dacorum) -> None:
    incidents, area = dacorum
    part = _part(incidents, ["Violence and sexual offences"])
    _forget()
    alone = fc.forecast(part, study_area=area, res=RES)
    fc.keep_basis(incidents, study_area=area, res=RES)
    with_basis = fc.forecast(part, study_area=area, res=RES)
    _same_forecast(alone, with_basis)
    _forget()


def test_a_history_outside_the_basis_is_computed_on_its_own(dacorum) -> None:
    """A selection the kept basis does not hold (its first selection was another) gets its own
    operators, and a wider one replaces the basis."""
    incidents, area = dacorum
    _forget()
    first = fc.build_history(_part(incidents, ["Drugs"]), area=area, res=RES)
    assert first.basis is not None and first.basis_rows is None  # the area's first: the basis
    other = fc.build_history(_part(incidents, ["Public order"]), area=area, res=RES)
    assert other.basis is None
    edge = round(h3.average_hexagon_edge_length(RES, unit="m"))
    _same_matrix(
        other.kernel(edge, "gauss"), fc._kernel(other.cell_xy, other.loc_xy, edge, "gauss")
    )
    wider = fc.build_history(incidents, area=area, res=RES)
    assert wider.basis is not None and wider.basis_rows is None
    again = fc.build_history(_part(incidents, ["Drugs"]), area=area, res=RES)
    assert again.basis is wider.basis and again.basis_rows is not None
    _forget()


def test_a_second_dataset_of_the_area_gets_its_own_basis(dacorum) -> None:
    """A dataset loaded later over the same area (a corrected re-upload: one incident moved,
    one location gone) gets a basis of its own, the first one's kept for its own selections;
    each selection's forecast the same as without any basis (it kept the first dataset's,
    and every selection of the second was computed on its own)."""
    incidents, area = dacorum
    fixed = incidents.copy()
    fixed.iloc[0, fixed.columns.get_loc("x")] += 25.0  # a moved incident: a new location
    fixed = fixed[fixed["x"] != incidents["x"].iloc[1]].copy()  # a location gone
    fixed.attrs.update(incidents.attrs)
    part_of_fixed = _part(fixed, ["Anti-social behaviour"])
    part_of_first = _part(incidents, ["Anti-social behaviour"])
    _forget()
    alone = fc.forecast(part_of_fixed, study_area=area, res=RES)
    _forget()
    fc.keep_basis(incidents, study_area=area, res=RES)
    fc.keep_basis(fixed, study_area=area, res=RES)
    assert len(fc._bases) == 2
    first, second = fc._bases.values()
    hist = fc.build_history(part_of_fixed, area=area, res=RES)
    assert hist.basis is second and hist.basis_rows is not None
    assert fc.build_history(part_of_first, area=area, res=RES).basis is first
    _same_forecast(alone, fc.forecast(part_of_fixed, study_area=area, res=RES))
    fc.keep_basis(fixed, study_area=area, res=RES)  # again (its cache dropped): no second copy
    assert len(fc._bases) == 2
    _forget()


def test_forecasts_of_other_areas_do_not_drop_a_datasets_basis(dacorum) -> None:
    """The dashboard keeps a dataset's basis once per data load: forecasts over other areas
    (patrol plans of some wards) drop their own bases first, never the dataset's."""
    incidents, area = dacorum
    _forget()
    fc.keep_basis(incidents, study_area=area, res=RES)
    (kept,) = fc._bases.values()
    part = _part(incidents, ["Anti-social behaviour"])
    for i in range(fc._BASES_MAX + 2):  # areas of their own: each the first of its area
        fc.build_history(part, area=area.buffer(-50.0 * (i + 1) / 1e5), res=RES)
    assert any(basis is kept for basis in fc._bases.values())
    assert len(fc._bases) == fc._BASES_MAX
    assert fc.build_history(part, area=area, res=RES).basis is kept
    _forget()


def test_kept_densities_equal_month_by_month(dacorum) -> None:
    """The kernel density terms of every backtest month made at once (:meth:`History.
    keep_densities`) equal those made month by month, bit for bit, with and without a basis;
    and the history's cells are the area's cells and the incidents' own, as np.union1d."""
    from hotspots.space.grid import assign_cells

    incidents, area = dacorum
    _forget()
    fc.keep_basis(incidents, study_area=area, res=RES)
    for groups, basis in ((["Anti-social behaviour"], True), (["Drugs"], True), (None, False)):
        part = incidents if groups is None else _part(incidents, groups)
        if not basis:
            _forget()
        hist = fc.build_history(part, area=area, res=RES)
        assert (hist.basis_rows is not None) == (basis and groups is not None)
        ts = list(range(1, len(hist.months) + 1))
        one_by_one = {t: hist.densities(t) for t in ts}
        hist.keep_densities(ts)
        for t in ts:
            kept = hist.densities(t)
            assert list(kept) == list(one_by_one[t])
            for name, values in kept.items():
                assert np.array_equal(values, one_by_one[t][name]), (t, name)
        own = assign_cells(part.geometry.x.to_numpy(), part.geometry.y.to_numpy(), RES)
        assert np.array_equal(hist.cells, np.union1d(fc.area_cells(area, RES), own))
    _forget()


def test_sorted_positions_equal_get_indexer() -> None:
    """:func:`_sorted_positions` (a basis's cells found by H3 index) against
    ``pd.Index.get_indexer`` on sorted uint64 arrays: values inside, before, between and after
    the whole, an empty whole and empty values."""
    from hotspots.analysis.forecast import _sorted_positions

    rng = np.random.default_rng(8)
    for case in range(200):
        whole = np.unique(rng.integers(0, 60, int(rng.integers(0, 40)))).astype(np.uint64)
        values = np.unique(rng.integers(0, 70, int(rng.integers(0, 40)))).astype(np.uint64)
        want = pd.Index(whole).get_indexer(values)
        assert np.array_equal(_sorted_positions(whole, values), want), case
