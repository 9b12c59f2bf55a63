"""Writing a file the user named: all of it or nothing, errors naming the path they gave."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from .errors import FlowStateError


@contextmanager
def open_atomically(target: Path, given: str) -> Iterator[TextIO]:
    """A file to write to a piece at a time, through a temporary file beside target that
    replaces it only when the block ends without an error (removed otherwise);
    FlowStateError naming the path as the user gave it when it cannot be written."""
    parent = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise FlowStateError(f"{given}: is a directory (give a file name)")
    if not parent.is_dir():
        raise FlowStateError(f"{given}: no such directory: {parent}")
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise FlowStateError(f"{given}: cannot write here: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(e, OSError):
            raise FlowStateError(f"{given}: cannot write: {e.strerror or e}") from None
        raise


def write_atomically(target: Path, text: str, given: str) -> None:
    """Write text to target through a temporary file beside it, removed on any failure;
    FlowStateError naming the path as the user gave it when it cannot be written."""
    with open_atomically(target, given) as fh:
        fh.write(text)
