"""flowhost command-line items of issue 13: --version, --json everywhere, start, flow
sources found like commerce finds them, $FLOWHOST_STORE, colour, export -o, deep JSON,
run is not transactional, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowhost import FlowHost
from flowhost.cli import main
from scheme import Symbol

from .conftest import FLOWS, ROOT


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    db = tmp_path / "shop.db"
    host = FlowHost.open(db)
    host.load_file(FLOWS / "order.scm")
    host.start("order-lifecycle", "o1")
    host.start("order-lifecycle", "o2")
    host.resume(1, Symbol("reserved"))
    host.close()
    return db


def cli(*args: str, env: dict | None = None, color: bool = False):
    return CliRunner().invoke(main, list(args), env=env, color=color)


def test_version() -> None:
    r = cli("--version")
    assert r.exit_code == 0
    assert r.output.startswith("flowhost ") and r.output.split()[1][0].isdigit()


def test_json_on_resume_cancel_check_start_import_export(shop, tmp_path) -> None:
    r = cli("resume", "1", "paid", "--force", "--store", str(shop), "--flows", str(FLOWS), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {
        "id": 1,
        "status": "suspended",
        "kind": "fulfil",
        "payload": "o1",
    }
    r = cli("cancel", "2", "--store", str(shop), "--json")
    assert json.loads(r.stdout) == {"id": 2, "status": "cancelled"}
    r = cli("check", "--store", str(shop), "--flows", str(FLOWS), "--json")
    assert json.loads(r.stdout) == {"checked": 1, "problems": [], "patches": []}
    r = cli("start", "order-lifecycle", '"o9"', "--store", str(shop), "--json")
    assert json.loads(r.stdout) == {
        "id": 3,
        "status": "suspended",
        "kind": "reserve",
        "payload": "o9",
    }
    out = tmp_path / "x.json"
    r = cli("export", "--store", str(shop), "-o", str(out), "--json")
    assert json.loads(r.stdout) == {"exported": 3, "file": str(out)}
    r = cli("import", str(out), "--store", str(tmp_path / "new.db"), "--json")
    assert json.loads(r.stdout) == {"imported": 3, "file": str(out)}
    prog = tmp_path / "p.scm"
    prog.write_text('(flow/start \'order-lifecycle "o7")\n')
    r = cli("run", str(prog), "--store", str(shop), "--json")
    started = json.loads(r.stdout)["started"]
    assert [(f["id"], f["waiting_on"]["payload"]) for f in started] == [(4, "o7")]


def test_check_json_names_a_flow_that_no_longer_replays(shop, tmp_path) -> None:
    changed = tmp_path / "changed.scm"
    changed.write_text((FLOWS / "order.scm").read_text().replace("(quote reserve)", "(quote hold)"))
    r = cli("check", "--store", str(shop), "--flows", str(changed), "--json")
    assert r.exit_code == 1
    problems = json.loads(r.stdout)["problems"]
    assert [p["id"] for p in problems] == [1, 2]  # both were asked to reserve


def test_start_with_arguments_and_bad_values(shop) -> None:
    r = cli("start", "order-lifecycle", '"o3"', "--store", str(shop))
    assert (r.exit_code, r.stdout) == (0, 'flow 3 suspended on (reserve "o3")\n')
    r = cli("start", "order-lifecycle", "(unclosed", "--store", str(shop))
    assert r.exit_code == 1
    assert r.stderr.startswith("flowhost: argument 1 '(unclosed' is not a Scheme datum")
    assert FlowHost.open(shop).store.ids() == [1, 2, 3]  # nothing started


def test_flow_sources_are_found_like_commerce_finds_them(shop, tmp_path) -> None:
    # no --flows and no ./flows here: the project's flows/ are used
    r = subprocess.run(
        [sys.executable, "-m", "flowhost", "resume", "1", "paid", "--force", "--store", str(shop)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout == 'flow 1 suspended on (fulfil "o1")\n'


def test_no_flow_sources_found_says_so(shop, tmp_path, monkeypatch) -> None:
    import flowhost.cliutil as cliutil

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cliutil, "project_flows", lambda: tmp_path / "none")
    r = cli("start", "order-lifecycle", '"o3"', "--store", str(shop))
    assert r.exit_code == 1
    assert "no flow sources found" in r.stderr
    r = cli(
        "start", "order-lifecycle", '"o3"', "--store", str(shop), env={"FLOWHOST_FLOWS": str(FLOWS)}
    )
    assert r.exit_code == 0, r.output


def test_store_from_the_environment(shop) -> None:
    r = cli("list", env={"FLOWHOST_STORE": str(shop)})
    assert r.exit_code == 0
    assert r.stdout.splitlines()[1].startswith("1   order-lifecycle  suspended")
    assert "FLOWHOST_STORE" in cli("list", "--help").stdout


def test_colour_only_on_a_terminal_and_never_with_no_color(shop, monkeypatch) -> None:
    import flowhost.cliutil as cliutil

    monkeypatch.delenv("NO_COLOR", raising=False)
    plain = cli("list", "--store", str(shop))
    assert "\x1b[" not in plain.stdout  # CliRunner's stdout is not a terminal
    monkeypatch.setattr(cliutil, "colour_on", lambda stream=None: True)
    coloured = cli("list", "--store", str(shop), color=True)
    assert "\x1b[33msuspended" in coloured.stdout
    shown = cli("show", "1", "--store", str(shop), color=True)
    assert "state:     \x1b[33msuspended\x1b[0m, waiting on (payment" in shown.stdout


def test_colour_switches(shop, monkeypatch) -> None:
    import io

    import flowhost.cliutil as cliutil

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert cliutil.colour_on(Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cliutil.colour_on(Tty())
    monkeypatch.delenv("NO_COLOR")
    import click

    with click.Context(main, obj={"no_color": True}):
        assert not cliutil.colour_on(Tty())


def test_export_to_a_bad_path_names_it_and_leaves_nothing(shop, tmp_path) -> None:
    given = str(tmp_path / "missing" / "x.json")
    r = cli("export", "--store", str(shop), "-o", given)
    assert r.exit_code == 1
    assert r.stderr == f"flowhost: {given}: no such directory: {tmp_path / 'missing'}\n"
    r = cli("export", "--store", str(shop), "-o", str(tmp_path))
    assert r.stderr == f"flowhost: {tmp_path}: is a directory (give a file name)\n"
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith("shop.db")] == []
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if not os.access(ro, os.W_OK):  # root can write anyway
            r = cli("export", "--store", str(shop), "-o", str(ro / "x.json"))
            assert r.exit_code == 1 and str(ro / "x.json") in r.stderr
        assert list(ro.iterdir()) in ([], [ro / "x.json"])
    finally:
        ro.chmod(0o700)


def test_deeply_nested_json_to_import_is_one_line(tmp_path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100000 + "]" * 100000)
    r = cli("import", str(deep), "--store", str(tmp_path / "s.db"))
    assert r.exit_code == 1
    assert r.stderr.count("\n") == 1 and "nested too deeply" in r.stderr


def test_run_is_not_transactional_and_says_which_flows_stay(tmp_path) -> None:
    prog = tmp_path / "two.scm"
    prog.write_text("(flow/start 'order-lifecycle \"o1\")\n(car '())\n")
    db = tmp_path / "s.db"
    r = cli("run", str(prog), "--store", str(db), "--flows", str(FLOWS))
    assert r.exit_code == 1
    assert "car: expected a pair" in r.stderr
    assert f"(not undone: {prog} had started flows 1 before this)" in r.stderr
    assert FlowHost.open(db).store.ids() == [1]
    assert "Not transactional" in cli("run", "--help").stdout


def test_ctrl_c_early_is_a_quiet_exit_130(shop) -> None:
    exe = Path(sys.executable).with_name("flowhost")
    for delay in (0.15, 0.3, 0.6):
        p = subprocess.Popen(
            [str(exe), "list", "--store", str(shop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        time.sleep(delay)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        assert "Traceback" not in err
        # 0: it had finished already; -SIGINT: the signal came before Python could install
        # any handler (a loaded machine), which a shell reports as 130 too
        assert p.returncode in (0, 130, -signal.SIGINT), err
