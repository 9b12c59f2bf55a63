"""The Scheme REPL on a real pseudo-terminal (pexpect): Ctrl-C, Ctrl-D, completion,
whole multi-line entries in history; and the machine's state after an interrupt."""

from __future__ import annotations

import _thread
import gc
import os
import sys
import threading
import time
from pathlib import Path

import pexpect
import pytest

from scheme import Interpreter

ROOT = Path(__file__).resolve().parents[2]
ANSI = __import__("re").compile(r"\x1b\[[0-9;?]*[a-zA-Z]|[\x08\r]")


def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    env = dict(os.environ, HOME=str(tmp_path), PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
    env.pop("NO_COLOR", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "scheme", *args],
        cwd=str(ROOT),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(24, 120),
    )
    child.expect("Ctrl-D to leave")
    child.expect(">")
    return child


def quit_with_ctrl_d(child: pexpect.spawn) -> None:
    """Ctrl-D at the prompt. Typed ahead before the line editor has the terminal again,
    the terminal driver may take it, so it is sent again until the REPL ends."""
    for _ in range(20):
        child.sendcontrol("d")
        if child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=1) == 0:
            break
    child.close()


def entered(child: pexpect.spawn, text: str) -> None:
    """Type text (a line) and Enter."""
    child.send(text + "\r")


def test_ctrl_c_interrupts_running_code_and_keeps_definitions(tmp_path) -> None:
    child = spawn(tmp_path)
    entered(child, "(define keep 41)")
    entered(child, "(define (spin n) (spin (+ n 1)))")
    entered(child, '(begin (display "spinning") (newline) (spin 0))')
    child.expect("spinning\r\n")  # the output, not the echo: the code runs now
    time.sleep(0.3)
    child.sendintr()
    child.expect("interrupted")
    entered(child, "(+ keep 1)")
    child.expect("42")
    quit_with_ctrl_d(child)
    assert child.exitstatus == 0


def test_ctrl_c_drops_a_half_typed_entry(tmp_path) -> None:
    child = spawn(tmp_path)
    entered(child, "(list 1")
    entered(child, "2")
    time.sleep(0.3)
    child.sendintr()
    time.sleep(0.3)
    entered(child, "(+ 100 1)")  # would be glued onto (list 1 2 ... if kept
    child.expect("101")
    entered(child, "(exit)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_completion_of_bound_names(tmp_path) -> None:
    child = spawn(tmp_path)
    entered(child, "(define zebra-stripes 7)")
    child.send("zebra-st\t")
    time.sleep(0.5)
    child.send("\r")
    child.expect("7\r\n")
    entered(child, ",qu")  # a prefix is not a command: refused, session goes on
    child.expect("unknown command ,qu")
    child.send(",qu\t")
    time.sleep(0.5)
    child.send("\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_history_recalls_a_whole_multi_line_entry(tmp_path) -> None:
    child = spawn(tmp_path)
    entered(child, "(+ 1")
    entered(child, "2)")
    child.expect("3\r\n")
    entered(child, "(* 5 5)")
    child.expect("25")
    child.send("\x1b[A\x1b[A")  # up twice: the two-line entry, whole
    time.sleep(0.5)
    child.send("\r")
    child.expect("3\r\n")
    quit_with_ctrl_d(child)
    history = (tmp_path / ".scheme_history").read_text()
    assert "+(+ 1\n+2)\n" in history  # stored as one entry of two lines


def test_an_interrupt_leaves_the_machine_consistent() -> None:
    interp = Interpreter()
    interp.eval_string("(define count 0) (define (spin) (set! count (+ count 1)) (spin))")
    gc_was = gc.isenabled()
    timer = threading.Timer(0.3, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        interp.eval_string("(dynamic-wind (lambda () #f) spin (lambda () #f))")
    timer.join()
    m = interp.machine
    assert gc.isenabled() == gc_was
    assert (m.winds, m.handlers, m.depth, m.globals_locked) == (None, None, 0, None)
    assert interp.lookup("count") > 0
    # and it runs again, with dynamic-wind and handlers working from a clean state
    assert (
        interp.eval_string(
            "(call/cc (lambda (k) (dynamic-wind (lambda () 1) (lambda () (k 5)) (lambda () 2))))"
        )
        == 5
    )
    assert interp.eval_string("(guard (e (#t 'caught)) (raise 'x))").name == "caught"
