"""flowhost repl on a real pseudo-terminal (pexpect): Ctrl-C, Ctrl-D, completion of
,commands and the replay commands, against an SQLite store."""

from __future__ import annotations

import os
import sys
import time

import pexpect

from flowhost import FlowHost

from ..scheme.test_repl_pty import entered, quit_with_ctrl_d
from .conftest import FLOWS, ROOT


def spawn(tmp_path, db) -> pexpect.spawn:
    env = dict(os.environ, HOME=str(tmp_path), PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "flowhost", "repl", "--store", str(db), "--flows", str(FLOWS)],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(24, 160),
    )
    child.expect(">")
    return child


def store(tmp_path):
    db = tmp_path / "s.db"
    host = FlowHost.open(db)
    host.load_file(FLOWS / "order.scm")
    host.start("order-lifecycle", "o5")
    host.close()
    return db


def test_ctrl_c_interrupts_running_code_and_ctrl_d_leaves(tmp_path) -> None:
    child = spawn(tmp_path, store(tmp_path))
    entered(child, "(define kept 7)")
    entered(child, '(begin (display "spinning") (newline) (let loop () (loop)))')
    child.expect("spinning\r\n")  # the output, not the echo: the code runs now
    time.sleep(0.3)
    child.sendintr()
    child.expect("interrupted")
    entered(child, "(* kept 6)")
    child.expect("42")
    quit_with_ctrl_d(child)
    assert child.exitstatus == 0


def test_replay_commands_and_completion_on_a_terminal(tmp_path) -> None:
    db = store(tmp_path)
    child = spawn(tmp_path, db)
    child.send(",repl\t")  # completes to ,replay
    time.sleep(0.5)
    child.send(" 1\r")
    child.expect("replaying flow 1")
    child.expect(r'stopped at request 1 .*\(reserve "o5"\)')
    entered(child, ",locals")
    child.expect('oid = "o5"')
    entered(child, '(string-append oid "!")')
    child.expect('"o5!"')
    entered(child, ",resume 1 (unclosed")
    child.expect("is not a Scheme datum")
    entered(child, ",quit")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    host = FlowHost.open(db)
    assert host.steps(1) == []  # the bad ,resume wrote nothing
    host.close()


def test_progress_bar_on_a_terminal_only(tmp_path) -> None:
    db = tmp_path / "many.db"
    host = FlowHost.open(db)
    host.load_file(FLOWS / "order.scm")
    for i in range(150):
        host.start("order-lifecycle", f"o{i}")
    host.close()
    args = ["-m", "flowhost", "check", "--store", str(db), "--flows", str(FLOWS)]
    env = dict(os.environ, TERM="xterm")
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(sys.executable, args, cwd=str(ROOT), env=env, encoding="utf-8")
    child.expect("checking")
    child.expect("all 150 suspended flows replay")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    import subprocess

    piped = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT)
    assert piped.stderr == ""
    assert piped.stdout == "all 150 suspended flows replay against the current sources\n"
