"""The data fuzz targets (tools/fuzz_data.py) for a bounded number of examples: any export
imports or is refused with a FlowError leaving the store unchanged; any damaged SQLite cell
reads back or is a StoreError. The inputs the first runs found are kept as @example rows."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import fuzz_data  # noqa: E402

BASE = fuzz_data.valid_export()
FAST = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = ["id", "flow", "status", "args", "steps", "pending", "result", "key", "source_hash"]


@FAST
@given(st.randoms(use_true_random=False))
@example(random.Random(0))
def test_mutated_exports_import_or_are_refused_cleanly(rng):
    fuzz_data.fuzz_export_import(fuzz_data.mutate(BASE, rng))


@FAST
@given(st.integers(min_value=0, max_value=2), st.sampled_from(FIELDS), json_values)
def test_an_export_with_one_field_replaced_by_random_json(flow, field, value):
    data = json.loads(BASE)
    data["flows"][flow][field] = value
    fuzz_data.fuzz_export_import(json.dumps(data).encode())


@FAST
@given(st.sampled_from(["format", "version", "next_id", "flows"]), json_values)
def test_an_export_with_a_top_field_replaced_by_random_json(field, value):
    data = json.loads(BASE)
    data[field] = value
    fuzz_data.fuzz_export_import(json.dumps(data).encode())


@FAST
@given(st.binary(max_size=60))
@example(
    b'{"format": "commerce-flows/flow-store", "version": 2, "next_id": 1, "flows": [], "flows": []}'
)
@example(b"[" * 5000)
def test_random_bytes_are_refused_cleanly(data):
    fuzz_data.fuzz_export_import(data)


@FAST
@given(st.binary(min_size=2, max_size=30))
@example(b"\xe0\xd9\xc2a")  # flow_meta.value not UTF-8: was an OperationalError naming no row
@example(b"\x82\xd0\xc7\x0b")  # text in flows.created: was a ValueError in the export stream
@example(b"\x03\x00{")  # bad JSON in flows.pending
@example(b"\x0d\x00[1,")  # bad JSON in flow_steps.value
@example(b"\xeb\x01\x80")  # not UTF-8 read by the export page query (a subquery): was a KeyError
def test_damaged_cells_read_back_or_are_a_store_error(data):
    fuzz_data.fuzz_sqlite_rows(data)


def test_the_targets_can_be_registered():
    registry: dict = {}
    fuzz_data.register(registry)
    assert set(registry) == {"export-import", "sqlite-rows"}
