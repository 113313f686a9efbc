"""Property: garbage appended to a valid police.uk file never crashes the loader, never
disturbs the valid rows, and every row is accounted for (read = kept + quarantined)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotspots.data.ingest import QUARANTINE_REASONS, IngestError, read_policeuk

VALID = (Path(__file__).parent / "data" / "ingest" / "2021-06-test-street.csv").read_bytes()
_PIECES = st.sampled_from(
    [",", '"', "\n", "\r\n", " ", "2021-06", "-0.47", "51.75", "abc", "é", "Burglary", "", ";"]
)
# text without control characters (those make a file "not text", tested on their own)
_LINE = st.one_of(
    st.lists(_PIECES, max_size=30).map("".join),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=60),
)
_SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _load(tmp_path: Path, data: bytes):
    path = tmp_path / "2021-06-garbage-street.csv"
    path.write_bytes(data)
    return read_policeuk(path)


@_SETTINGS
@given(lines=st.lists(_LINE, min_size=1, max_size=12))
def test_garbage_text_rows_are_all_accounted_for(tmp_path, lines):
    result = _load(tmp_path, VALID + "\n".join(lines).encode("utf-8"))
    report = result.report
    assert report.rows_read == report.rows_kept + len(result.quarantine)
    assert report.rows_read == len(result.incidents) + sum(report.quarantined.values())
    assert set(result.quarantine["reason"]) <= set(QUARANTINE_REASONS)
    ids = set(result.incidents["incident_id"])
    valid_ids = {
        "7aeb4c247e79f14b5a1e4dd6c1ecca77266ea142382b057a8f58e879a0bb282c",
        "aa3e61a2dc12c23455fd4db675e6a0bb44a77f50183b06c781b3fb8c007da34c",
    }
    assert valid_ids <= ids
    assert (result.incidents.geometry.y.between(-90, 90)).all()


@_SETTINGS
@given(tail=st.binary(max_size=200))
def test_arbitrary_bytes_load_or_raise_ingest_error(tmp_path, tail):
    try:
        result = _load(tmp_path, VALID + tail)
    except IngestError as exc:
        assert "2021-06-garbage-street.csv" in str(exc)
        return
    assert result.report.rows_read == result.report.rows_kept + len(result.quarantine)
