"""The REPLs' line editor on a terminal (prompt_toolkit).

One entry is one buffer: Enter inserts a newline while the parentheses are open and submits
once they balance (a line starting with a comma is a REPL command and submits at once). So
the history holds whole multi-line entries, Ctrl-C throws away the entry being typed (the
next one starts clean), and Ctrl-D on an empty line ends the session. Tab completes the
names bound at the moment (and the ,commands); the bracket matching the one at the cursor is
highlighted.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import Completer, Completion, ThreadedCompleter
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.layout.processors import HighlightMatchingBracketProcessor

from .read.scanner import needs_more

# What a Scheme identifier (or a ,command) can be made of, for the word before the cursor.
_WORD = re.compile(r"[^\s()\[\]'`\",;]+")


def is_complete(text: str) -> bool:
    """True when Enter should submit text: blank, a ,command, or balanced Scheme."""
    stripped = text.strip()
    return not stripped or stripped.startswith(",") or not needs_more(text)


class SchemeCompleter(Completer):
    """Completes the word before the cursor from the names bound now, or a ,command."""

    def __init__(self, names: Callable[[], Iterable[str]], commands: Iterable[str]) -> None:
        self.names = names
        self.commands = sorted(commands)

    def get_completions(self, document: Document, complete_event: object) -> Iterator[Completion]:
        line = document.current_line_before_cursor
        if line.lstrip().startswith(",") and " " not in line.strip():
            typed = line.strip()[1:]
            for c in self.commands:
                if c.startswith(typed):
                    yield Completion(c, start_position=-len(typed))
            return
        word = document.get_word_before_cursor(pattern=_WORD)
        if not word or not _WORD.fullmatch(word):
            return
        for name in sorted(set(self.names())):
            if name.startswith(word) and name != word:
                yield Completion(name, start_position=-len(word))


def _bindings() -> KeyBindings:
    kb = KeyBindings()

    @kb.add("enter")
    def _enter(event: object) -> None:
        buf = event.current_buffer  # type: ignore[attr-defined]
        if is_complete(buf.text):
            buf.validate_and_handle()
        else:
            buf.insert_text("\n")

    return kb


class _History(FileHistory):
    """File history that carries on in memory when the file cannot be written."""

    def store_string(self, string: str) -> None:
        try:
            super().store_string(string)
        except OSError:
            pass

    def load_history_strings(self):  # type: ignore[no-untyped-def]
        try:
            yield from super().load_history_strings()
        except OSError:
            return


def history_path(name: str) -> Path | None:
    """~/NAME, or None when there is no home directory to keep it in."""
    home = os.environ.get("HOME")
    return Path(home) / name if home else None


def terminal_entries(
    names: Callable[[], Iterable[str]],
    commands: Iterable[str],
    history: str,
    prompt: str = "> ",
    more: str = ". ",
) -> Iterator[str]:
    """Entries typed at a terminal, one whole (possibly multi-line) entry at a time."""
    path = history_path(history)
    try:
        hist = _History(str(path)) if path is not None else InMemoryHistory()
    except OSError:
        hist = InMemoryHistory()
    session: PromptSession[str] = PromptSession(
        history=hist,
        multiline=True,
        key_bindings=_bindings(),
        completer=ThreadedCompleter(SchemeCompleter(names, commands)),
        complete_while_typing=False,
        input_processors=[HighlightMatchingBracketProcessor(chars="()[]")],
        prompt_continuation=lambda width, line_number, wrap_count: more.rjust(width),
    )
    while True:
        try:
            text = session.prompt(prompt)
        except KeyboardInterrupt:
            continue  # the half-typed entry is dropped; a fresh prompt
        except EOFError:
            return
        if text.strip():
            yield text + "\n"
