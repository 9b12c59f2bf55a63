"""The reconciliation's relation over summary rows (recon.Books) and the fact relations under
it (relation.FactRelation, ANY, answers), checked against kanren's own `Relation` and `run`:
the facts split by recon status and built on first use must answer every goal exactly as
one plain relation of all the facts does, whichever arguments are ground, unbound, shared
or ANY, alone or in a conjunction."""

from __future__ import annotations

import random

import pytest
from kanren import Relation, conde, eq, lall, run, var

from commerce.errors import DuplicateOrderError
from commerce.ledger.projections import RECON_STATUSES
from commerce.ledger.recon import (
    Books,
    mismatch_report,
    mismatched_orders,
    mismatcho,
    orders_with_status,
    paid_unfulfilled_orders,
    recon_statuso,
    reconcile_rows,
    status_counts,
)
from commerce.relation import ANY, FactRelation, answers

FIGURES = (0, 100, 250, 2510)
MISMATCHED = ("underpaid", "overpaid")
books_goal = recon_statuso


def random_rows(rng: random.Random, n: int) -> list[tuple]:
    rows = []
    for i in range(n):
        status = rng.choice(RECON_STATUSES[:5])  # one status no order has: needs-refund
        total, paid, refunded = (rng.choice(FIGURES) for _ in range(3))
        lifecycle = rng.choice(("created", "paid", "fulfilled"))
        rows.append((f"o{i:02d}", status, total, paid, refunded, "{not decoded}", lifecycle))
    return rows


def seven(row: tuple) -> tuple:
    order, status, total, paid, refunded, *_ = row
    return order, status, total, paid, refunded, paid - refunded, paid - refunded - total


def reference(rows: list[tuple]) -> Relation:
    """kanren's plain Relation of the 7-column facts (what recon built before)."""
    rel = Relation("reference")
    for row in rows:
        rel.add_fact(*seven(row))
    return rel


def random_args(rng: random.Random, rows: list[tuple], shared) -> tuple[list, list]:
    """The same goal's arguments for Books (may hold ANY) and for the reference."""
    ours, theirs = [], []
    for column in range(7):
        pick = rng.randrange(5)
        if pick == 0:  # a value some fact holds in this column
            value = seven(rng.choice(rows))[column]
            ours.append(value)
            theirs.append(value)
        elif pick == 1 and column == 1:  # a status: one no order has, or not a string
            value = rng.choice(["needs-refund", "overpayed", 5])
            ours.append(value)
            theirs.append(value)
        elif pick == 2:
            ours.append(ANY)
            theirs.append(var())
        elif pick == 3:  # a variable shared with another column
            ours.append(shared)
            theirs.append(shared)
        else:
            v = var()
            ours.append(v)
            theirs.append(v)
    return ours, theirs


def test_books_answer_every_goal_as_one_plain_relation_does():
    rng = random.Random(7)
    rows = random_rows(rng, 40)
    plain = reference(rows)
    for trial in range(400):
        books = Books({r[0]: r for r in rows}) if trial % 3 else Books(dict(_by(rows)))
        shared = var()
        ours, theirs = random_args(rng, rows, shared)
        goal_vars = [a for a in ours if isinstance(a, type(shared))]  # (not ANY's)
        term = tuple(dict.fromkeys(goal_vars))  # every variable of the goal, once
        want = sorted(map(repr, set(run(0, term, plain(*theirs)))))
        got = sorted(map(repr, set(run(0, term, books(*ours)))))
        assert got == want, (trial, ours)


def _by(rows):
    return reversed([(r[0], r) for r in rows])  # another insertion order, same rows


def test_books_compose_with_other_goals_and_see_bound_variables():
    rng = random.Random(3)
    rows = random_rows(rng, 30)
    plain, books = reference(rows), Books({r[0]: r for r in rows})
    o, st, total, paid = var(), var(), var(), var()
    # the status is bound by an earlier goal, the order by the first relation
    for status in RECON_STATUSES:
        ours = run(0, (o, paid), eq(st, status), books(o, st, ANY, paid, ANY, ANY, ANY))
        want = run(0, (o, paid), eq(st, status), plain(o, st, var(), paid, var(), var(), var()))
        assert sorted(ours) == sorted(want)
    # order ground by an earlier goal, status unbound: one row read
    pairs = run(0, (o, st), eq(o, "o03"), books(o, st, ANY, ANY, ANY, ANY, ANY))
    assert pairs == ((("o03", rows[3][1])),)
    # a join of two goals on the same relation: orders with the same total as o00
    ours = run(0, o, books("o00", ANY, total, ANY, ANY, ANY, ANY), books(o, ANY, total, *[ANY] * 4))
    want = [r[0] for r in rows if r[2] == rows[0][2]]
    assert sorted(ours) == sorted(want)
    # a disjunction over two statuses, as mismatcho is
    either = conde(
        [books(o, "underpaid", *[ANY] * 5)],
        [books(o, "overpaid", *[ANY] * 5)],
    )
    assert sorted(run(0, o, either)) == sorted(
        r[0] for r in rows if r[1] in ("underpaid", "overpaid")
    )


def test_the_mismatch_report_builds_only_the_mismatched_facts_and_decodes_no_summary():
    rows = random_rows(random.Random(5), 60)  # every summary text is invalid JSON
    book = reconcile_rows(rows)
    assert book.facts.built() == []
    o, st = var(), var()
    assert run(0, st, books_goal(book, "o03", st)) == (rows[3][1],)
    assert len(run(0, o, mismatcho(book, "o03"))) == (rows[3][1] in MISMATCHED)
    assert book.facts.built() == []  # a question about one order reads its row only
    report = mismatch_report(book)
    assert book.facts.built() == ["overpaid", "underpaid"]
    want = [seven(r) for r in sorted(rows) if r[1] in ("underpaid", "overpaid")]
    got = [(m.order, m.recon, m.total, m.paid, m.refunded, m.net, m.discrepancy) for m in report]
    assert got == want
    assert mismatched_orders(book) == [w[0] for w in want]
    assert orders_with_status(book, "unpaid") == sorted(r[0] for r in rows if r[1] == "unpaid")
    assert book.facts.built() == ["overpaid", "underpaid", "unpaid"]
    assert len(book) == len(book.facts) == 60


def test_counts_and_paid_unfulfilled_read_the_rows_columns_only():
    rows = random_rows(random.Random(7), 80)  # every summary text is invalid JSON
    book = reconcile_rows(rows)
    counts = status_counts(book)
    assert book.facts.built() == []  # counted from the rows, no facts built
    assert list(counts) == list(RECON_STATUSES)
    assert counts == {st: len(orders_with_status(book, st)) for st in RECON_STATUSES}
    assert sum(counts.values()) == 80 and counts["needs-refund"] == 0
    want = sorted(r[0] for r in rows if r[6] == "paid" and r[3] > 0 and r[3] - r[4] >= r[2])
    assert want and paid_unfulfilled_orders(book) == want  # no summary decoded


def test_rows_given_twice_are_refused():
    rows = random_rows(random.Random(1), 5)
    with pytest.raises(DuplicateOrderError, match="'o02' is given twice"):
        reconcile_rows([*rows, rows[2]])


def test_fact_relation_indexes_a_column_on_first_use_and_keeps_it_current():
    rel = FactRelation("r", [("a", 1), ("b", 2)])
    x, y = var(), var()
    assert run(0, x, rel(x, 2)) == ("b",)  # builds the index of column 1
    rel.add_fact("c", 2)
    assert sorted(run(0, x, rel(x, 2))) == ["b", "c"]
    assert run(0, x, rel(x, 3)) == ()
    assert sorted(run(0, x, rel(x, ANY))) == ["a", "b", "c"]
    found = run(0, (x, y), rel(x, y), rel(ANY, y))  # y = 2 is in two facts: twice each
    assert sorted(found) == [("a", 1), ("b", 2), ("b", 2), ("c", 2), ("c", 2)]
    assert run(0, x, rel(x, x)) == ()  # a repeated variable must meet equal values
    same = FactRelation("s", [(1, 1), (1, 2)])
    assert run(0, x, same(x, x)) == (1,)
    assert sorted(run(0, x, same(ANY, x))) == [1, 2]


def test_answers_are_runs_answers_sorted():
    rel = FactRelation("r", [("b", (1, 2)), ("a", (3, 4)), ("c", (0, 9))])
    x, y, z = var(), var(), var()
    cases = [
        (x, [rel(x, ANY)]),
        (y, [rel(ANY, y)]),
        ((x, y), [rel(x, y)]),
        (z, [rel(x, ANY), eq(z, (x, "k"))]),  # a variable bound to a compound term
        (z, [rel(x, ANY)]),  # never bound: the variable itself
    ]
    for term, goals in cases:
        got = answers(term, *goals)
        assert sorted(map(repr, got)) == sorted(map(repr, set(run(0, term, lall(*goals)))))
    assert answers(x, rel(x, ANY)) == ["a", "b", "c"]
    assert answers(y, rel(ANY, y)) == [(0, 9), (1, 2), (3, 4)]
    assert answers(z, rel(x, ANY)) == [z]
