"""Seeded hostile files through every reader: no crash outside IngestError, and
read = kept + quarantined whenever a file loads (bench/bench_ingest_fuzz.py runs 10,000+
cases per reader)."""

from __future__ import annotations

import warnings

import pytest
from ingest_fuzzing import READERS, Fuzzer

CASES = 200


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory) -> Fuzzer:
    return Fuzzer(tmp_path_factory.mktemp("fuzz"), seed=7)


@pytest.mark.parametrize("reader", READERS)
def test_no_crash_and_counts_add_up(fuzzer, reader):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tally = fuzzer.run(reader, CASES)
    assert tally.crashes == []
    assert tally.cases == CASES == tally.ok + tally.ingest_errors
    # the cases must exercise both outcomes, or the generator is too tame / too wild
    assert tally.ok >= CASES // 10 and tally.ingest_errors >= 1
