"""Imports validate like a database (issue 16): every damaged export is refused with one
line naming what and where, and the store -- memory, SQLite or PostgreSQL -- is unchanged."""

from __future__ import annotations

import json

import pytest

from flowhost import ExportFormatError, FlowError, FlowHost, MemoryStore
from flowhost.exchange import read_export
from flowhost.records import FlowRecord, Pending
from flowhost.store import check_replacement
from flowhost.strictjson import JSONTextError, strict_loads

from ..pgtest import pg_url

SRC = "(defflow echo (lambda (x) (request 'echo x)))"


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def host(request, tmp_path):
    if request.param == "memory":
        h = FlowHost(MemoryStore())
    else:
        h = FlowHost.open(tmp_path / "s.db" if request.param == "sqlite" else pg_url())
    h.load_source(SRC)
    h.start("echo", 1)
    h.start("echo", [2, "two"])
    yield h
    h.close()


def good_text(host: FlowHost) -> str:
    data = host.export()
    del data["store"], data["stamp"]  # a backup from elsewhere: no staleness check
    return json.dumps(data)


def splice(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


# (name, change to the export's text, what the one-line error must say)
BAD = [
    (
        "flows twice",
        lambda t: splice(t, '"flows": [', '"flows": [], "flows": ['),
        "flows: this key is given twice",
    ),
    (
        "key twice in a step",
        lambda t: splice(t, '"kind": "echo"', '"kind": "echo", "kind": "x"'),
        "flows[0].pending.kind: this key is given twice",
    ),
    (
        "NaN value",
        lambda t: splice(t, '"args": [1]', '"args": [NaN]'),
        "flows[0].args[0]: NaN is not a JSON number",
    ),
    (
        "Infinity",
        lambda t: splice(t, '"args": [1]', '"args": [-Infinity]'),
        "flows[0].args[0]: -Infinity is not",
    ),
    (
        "1e999",
        lambda t: splice(t, '"args": [1]', '"args": [1e999]'),
        "flows[0].args[0]: 1e999 is not a finite number",
    ),
    (
        "version true",
        lambda t: splice(t, '"version": 2', '"version": true'),
        "version: this host reads versions 1, 2 and 3, got True",
    ),
    ("version 1.0", lambda t: splice(t, '"version": 2', '"version": 1.0'), "got 1.0"),
    (
        "version NaN",
        lambda t: splice(t, '"version": 2', '"version": NaN'),
        "version: NaN is not a JSON number",
    ),
    (
        "id 2^63",
        lambda t: splice(t, '"id": 1,', f'"id": {2**63},'),
        "flows[0].id: expected 1 .. 2**63 - 1",
    ),
    (
        "next_id 2^63",
        lambda t: splice(t, '"next_id": 3', f'"next_id": {2**63}'),
        "next_id: expected 1 .. 2**63 - 1",
    ),
    ("next_id 0", lambda t: splice(t, '"next_id": 3', '"next_id": 0'), "next_id: ids start at 1"),
    (
        "5,000-digit int",
        lambda t: splice(t, '"args": [1]', '"args": [' + "7" * 5000 + "]"),
        "flows[0].args[0]: an integer of 5000 digits",
    ),
    (
        "lone surrogate",
        lambda t: splice(t, '"args": [1]', '"args": ["\\ud800"]'),
        "flows[0].args[0]: a string holds a lone surrogate",
    ),
    (
        "surrogate in a key",
        lambda t: splice(t, '"flow": "echo"', '"flow": "e\\udc00"'),
        "lone surrogate",
    ),
    (
        "nesting 1,000",
        lambda t: splice(t, '"args": [1]', '"args": [' + "[" * 1000 + "]" * 1000 + "]"),
        "flows[0].args[0][0][0][0][0][0]...(",
    ),
    (
        "nesting 10^5",
        lambda t: splice(t, '"args": [1]', '"args": [' + "[" * 100_000 + "]" * 100_000 + "]"),
        "nested too deeply (more than 1016 levels)",
    ),
    (
        "vector nesting 10^5",
        lambda t: splice(
            t, '"args": [1]', '"args": [' + '{"$vector": [' * 50_000 + "]}" * 50_000 + "]"
        ),
        "nested too deeply",
    ),
    ("not JSON", lambda t: t[:-3], "not valid JSON (line 1"),
    (
        "flow key twice",
        lambda t: t.replace('"source_hash"', '"key": "k", "source_hash"'),
        "flow key 'k' is held by flows 1 and 2",
    ),
]


@pytest.mark.parametrize(("name", "change", "message"), BAD, ids=[b[0] for b in BAD])
def test_a_damaged_export_is_refused_in_one_line_and_changes_nothing(host, name, change, message):
    before, next_id = host.export(), host.store.next_id()
    text = change(good_text(host))
    with pytest.raises(ExportFormatError) as info:
        host.import_(read_export(text))
    line = str(info.value)
    assert message in line and "\n" not in line and len(line) < 300, line
    assert host.export() == before and host.store.next_id() == next_id
    assert host.start("echo", 3).id == next_id  # the next id is the store's, not the export's


def test_the_good_export_imports(host):
    host.import_(read_export(good_text(host)))
    assert [r.id for r in host.store.records()] == [1, 2]


def test_a_refused_import_leaves_every_store_whole_and_ids_unused(host):
    """An export whose flows have other ids and a high next_id, refused at its last flow
    (an unknown flow): nothing of it stays, and the next start does not reuse its ids."""
    data = json.loads(good_text(host))
    for n, item in enumerate(data["flows"]):
        item["id"] = 10 + n
    data["next_id"] = 50
    data["flows"][-1]["flow"] = "nope"
    before = host.export()
    with pytest.raises(ExportFormatError, match="flow 11 is an instance of nope"):
        host.import_(data)
    assert host.export() == before
    assert host.start("echo", 9).id == 3


def test_replace_all_refuses_before_writing_what_no_store_can_hold(host):
    store = host.store
    before = host.export()
    cases = [
        ([(FlowRecord(2**63, "echo", [], "done", result=1), [])], 1, "flow id"),
        ([(FlowRecord(5, "echo", [], "done", result=1), [])] * 2, 9, "given twice"),
        ([], 2**63, "next_id"),
        (
            [
                (FlowRecord(5, "echo", [], "suspended", Pending("echo", 1), key="k"), []),
                (FlowRecord(6, "echo", [], "suspended", Pending("echo", 1), key="k"), []),
            ],
            9,
            "flow key 'k' is taken by flow 5",
        ),
    ]
    for flows, next_id, message in cases:
        with pytest.raises(FlowError, match=message.replace("(", r"\(")):
            store.replace_all(flows, next_id)
        assert host.export() == before


def test_check_replacement_is_one_rule_for_every_store():
    with pytest.raises(FlowError, match="next_id"):
        check_replacement([], True, "s")  # a bool is not an id


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ('{"a": [1, 2.5, "x", null, true]}', {"a": [1, 2.5, "x", None, True]}),
        ('["\\ud83d\\ude00"]', ["\U0001f600"]),  # a surrogate pair is one character
        ("[" * 900 + "]" * 900, None),  # deeper than json's C stack allows, within the limit
    ],
)
def test_strict_json_still_reads_what_is_valid(text, ok):
    value = strict_loads(text)
    if ok is not None:
        assert value == ok
    else:
        depth = 0
        while value:
            value, depth = value[0], depth + 1
        assert depth == 899


def test_strict_json_names_invalid_utf8():
    with pytest.raises(JSONTextError, match=r"x.json: not a JSON text file \(not UTF-8"):
        strict_loads(b'["\xff"]', "x.json")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("version", "#t", "version: this host reads versions 1, 2 and 3, got True"),
        ("version", "1.0", "got 1.0"),
        ("version", "+nan.0", "got nan"),
        ("version", '"2"', "got '2'"),
        ("next-id", "(expt 2 63)", "next_id: expected 1 .. 2**63 - 1"),
        ("next-id", "0", "next_id: ids start at 1"),
    ],
)
def test_the_scheme_datum_is_checked_the_same_way(field, value, message):
    host = FlowHost(MemoryStore())
    host.load_source(SRC)
    host.start("echo", 1)
    before = host.export()
    swap = f"(if (eq? (car p) '{field}) (cons '{field} {value}) p)"
    with pytest.raises(Exception) as info:
        host.eval(f"(flow-store-import! (map (lambda (p) {swap}) (flow-store-export)))")
    assert message in str(info.value) and "MString" not in str(info.value)
    assert host.export() == before
