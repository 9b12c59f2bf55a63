"""flowhost list, show, resume, cancel, export, import, check (issue 5)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flowhost import FlowHost
from scheme import Symbol

from .conftest import FLOWS, ROOT


def flowhost(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flowhost", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A store with one done, one suspended-at-payment and one new order."""
    db = tmp_path / "shop.db"
    host = FlowHost.open(db)
    host.load_file(FLOWS / "order.scm")
    for oid in ("o1", "o2", "o3"):
        host.start("order-lifecycle", oid)
    for value in ("reserved", "paid", "fulfilled"):
        host.resume(1, Symbol(value))
    host.resume(2, Symbol("reserved"))
    host.close()
    return db


def test_list_shows_each_flow_with_what_it_waits_on(shop):
    r = flowhost("list", "--store", str(shop))
    assert r.returncode == 0
    assert r.stdout.splitlines() == [
        "id  flow             status     waiting on      steps",
        "1   order-lifecycle  done                           3",
        '2   order-lifecycle  suspended  (payment "o2")      1',
        '3   order-lifecycle  suspended  (reserve "o3")      0',
    ]


def test_list_filters_by_status_and_prints_json(shop):
    r = flowhost("list", "--store", str(shop), "--status", "suspended", "--json")
    data = json.loads(r.stdout)
    assert [d["id"] for d in data] == [2, 3]
    assert data[0]["waiting_on"] == {"kind": "payment", "payload": "o2"}
    assert data[0]["steps"] == 1


def test_show_lists_arguments_steps_and_state(shop):
    r = flowhost("show", "1", "--store", str(shop))
    assert r.stdout.splitlines()[:2] == ["flow 1: order-lifecycle", 'arguments: "o1"']
    assert '    1. (reserve "o1") -> reserved' in r.stdout
    assert '    3. (fulfil "o1") -> fulfilled' in r.stdout
    assert r.stdout.splitlines()[-1] == "state:     done, result fulfilled"
    data = json.loads(flowhost("show", "2", "--store", str(shop), "--json").stdout)
    assert data["steps"] == [{"kind": "reserve", "payload": "o2", "value": {"$symbol": "reserved"}}]
    assert data["pending"] == {"kind": "payment", "payload": "o2"}


def test_resume_reads_value_as_a_datum(shop):
    r = flowhost("resume", "2", "paid", "--force", "--store", str(shop), "--flows", str(FLOWS))
    assert (r.returncode, r.stdout) == (0, 'flow 2 suspended on (fulfil "o2")\n')
    host = FlowHost.open(shop)
    assert host.steps(2)[-1].value == Symbol("paid")
    r = flowhost("resume", "3", '"text"', "--store", str(shop), "--flows", str(FLOWS))
    assert host.steps(3)[-1].value == "text"
    host.close()


def test_resume_defaults_to_the_flows_directory(shop):
    r = flowhost("resume", "2", "paid", "--force", "--store", str(shop))  # cwd has ./flows
    assert r.returncode == 0


def test_cancel(shop):
    assert flowhost("cancel", "3", "--store", str(shop)).stdout == "flow 3 cancelled\n"
    r = flowhost("cancel", "3", "--store", str(shop))
    assert r.returncode == 1
    assert r.stderr == "flowhost: flow 3 is cancelled: only a suspended flow can be cancelled\n"


def test_export_then_import_into_another_store(shop, tmp_path):
    out = tmp_path / "backup.json"
    r = flowhost("export", "--store", str(shop), "-o", str(out))
    assert r.stdout == f"exported 3 flows to {out}\n"
    other = tmp_path / "other.db"
    r = flowhost("import", str(out), "--store", str(other), "--flows", str(FLOWS))
    assert r.stdout == f"imported 3 flows from {out}\n"
    host = FlowHost.open(other)
    host.load_file(FLOWS / "order.scm")
    exported = json.loads(out.read_text())
    imported = host.export()
    assert imported["store"] != exported["store"]  # another store, with the same flows
    assert imported["flows"] == exported["flows"]
    assert imported["next_id"] == exported["next_id"]
    host.close()


def test_check_passes_then_names_each_flow_that_would_not_replay(shop, tmp_path):
    r = flowhost("check", "--store", str(shop), "--flows", str(FLOWS))
    assert (r.returncode, r.stdout) == (
        0,
        "all 2 suspended flows replay against the current sources\n",
    )
    edited = tmp_path / "flows"
    edited.mkdir()
    (edited / "order.scm").write_text(
        (FLOWS / "order.scm").read_text().replace("(quote payment)", "(quote charge)")
    )
    r = flowhost("check", "--store", str(shop), "--flows", str(edited))
    assert r.returncode == 1
    assert (
        "flow 2 (order-lifecycle) no longer replays: at step 2 the log recorded a "
        'pending (payment "o2") but the flow now asks (charge "o2") at '
    ) in r.stdout
    assert "(request (quote charge) oid)" in r.stdout
    assert r.stdout.splitlines()[-1] == "1 of 2 suspended flows would not replay"
    host = FlowHost.open(shop)  # nothing changed
    assert [s.kind for s in host.requests()] == ["payment", "reserve"]
    host.close()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["list", "--store", "missing.db"], 1, "flowhost: missing.db: no such flow store"),
        (["show", "9", "--store", "{db}"], 1, "flowhost: no flow with id 9"),
        (["resume", "2", "(", "--store", "{db}"], 1, "is not a Scheme datum"),
        (
            ["resume", "2", "x", "--store", "{db}", "--flows", "nowhere"],
            1,
            "nowhere: no such file or directory",
        ),
        (["import", "{db}", "--store", "{db}"], 1, "not a JSON text file"),
        (["import", "{json}", "--store", "{db}"], 1, "not valid JSON (line 1, column 2)"),
        (["show", "two", "--store", "{db}"], 2, "is not a valid integer"),
        (["list"], 2, "Missing option '--store'"),
        (["frobnicate"], 2, "No such command"),
    ],
)
def test_errors_are_one_readable_line(shop, tmp_path, args, code, message):
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{oops")
    r = flowhost(*[a.replace("{db}", str(shop)).replace("{json}", str(bad_json)) for a in args])
    assert r.returncode == code
    assert message in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    "command", ["run", "list", "show", "resume", "cancel", "export", "import", "check", "repl"]
)
def test_every_command_has_help_with_an_example(command):
    r = flowhost(command, "--help")
    assert r.returncode == 0 and "Example:" in r.stdout and f"flowhost {command}" in r.stdout


def test_list_pages_and_filters(shop):
    r = flowhost("list", "--store", str(shop), "--json", "--limit", "2")
    first = [f["id"] for f in json.loads(r.stdout)]
    assert len(first) == 2
    r = flowhost("list", "--store", str(shop), "--json", "--after", str(first[-1]))
    rest = [f["id"] for f in json.loads(r.stdout)]
    assert rest and min(rest) > first[-1]
    r = flowhost("list", "--store", str(shop), "--json", "--flow", "no-such-flow")
    assert json.loads(r.stdout) == []
    r = flowhost("list", "--store", str(shop), "--json", "--since", "2999-01-01T00:00:00Z")
    assert json.loads(r.stdout) == []
    r = flowhost("list", "--store", str(shop), "--since", "yesterday")
    assert r.returncode == 2 and "is not a time" in r.stderr
