"""Processes opening one new SQLite file at the same instant all get it, in WAL mode.

SQLite does not call the busy handler for a journal-mode change, so without the retry
in SQLiteDatabase a process opening a fresh file beside others met `database is locked`
(about 1 open in 20 here, with four processes released by a barrier)."""

from __future__ import annotations

import sqlite3

from flowhost.db import SQLiteDatabase

from ..processes import race_processes

PROCS = 4
TRIALS = 40


def _open(path: str, barrier, out) -> None:
    try:
        barrier.wait(30)
        SQLiteDatabase(path).close()
        out.put("ok")
    except BaseException as e:  # the parent asserts on what each process met
        out.put(f"{type(e).__name__}: {e}")


def test_processes_opening_a_new_file_at_once_all_open_it_in_wal_mode(tmp_path):
    met = []
    for trial in range(TRIALS):
        path = str(tmp_path / f"new-{trial}.db")
        met += race_processes([(_open, (path,))] * PROCS)
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert [m for m in met if m != "ok"] == []
