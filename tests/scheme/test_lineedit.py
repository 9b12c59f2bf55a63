"""The line editor's pieces: when Enter submits, what Tab offers."""

from __future__ import annotations

import pytest
from prompt_toolkit.document import Document

from scheme.lineedit import SchemeCompleter, is_complete


@pytest.mark.parametrize(
    "text, complete",
    [
        ("", True),
        ("(define (f x)", False),
        ("(define (f x)\n  x)", True),
        ('"an open string', False),
        (",replay 1", True),
        (",resume 2 (unclosed", True),  # a command submits at once; its argument is refused
        ("#| open comment", False),
        ("42", True),
    ],
)
def test_enter_submits_only_a_whole_entry(text, complete):
    assert is_complete(text) is complete


def completions(text: str, names=("define", "define-syntax", "display", "zebra")):
    c = SchemeCompleter(lambda: names, ["help", "quit", "replay", "resume"])
    return sorted(x.text for x in c.get_completions(Document(text), None))


def test_completes_bound_names_and_commands():
    assert completions("(def") == ["define", "define-syntax"]
    assert completions("(list (zeb") == ["zebra"]
    assert completions(",re") == ["replay", "resume"]
    assert completions(",replay 1 (zeb") == ["zebra"]
    assert completions("(define") == ["define-syntax"]  # not the word itself
    assert completions("(") == []
