"""The streamed export on SQLite: each flow's export line built by SQLite itself.

The stored cells already are the export's JSON encoding (data.dumps), so the one query per
page of 1,000 flows concatenates them -- `json_quote` for the strings, a correlated
`group_concat` of the flow's steps in order -- and checks every cell in the same pass
(`typeof`, `json_valid`, `json_type`, as rows.flow_texts does; the steps' checks in the
subquery that concatenates them, which gives NULL for a log with a bad step). Python
only appends the two times (SQLite prints a REAL with 15 digits; the export keeps
Python's exact repr) and writes the line. A page with any cell that fails the check, or
whose text is not UTF-8, is read again by rows.flow_texts, which names the damaged table,
row and column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from . import rows as _rows
from .db import StoreError
from .records import FlowRecord

_STEP_OK = (
    "typeof(s.kind) = 'text' AND typeof(s.payload) = 'text' AND typeof(s.value) = 'text' "
    "AND json_valid(s.payload) AND json_valid(s.value) "
    "AND (s.event IS NULL OR typeof(s.event) = 'text')"
)
_FLOW_OK = (
    "CASE WHEN typeof(f.args) = 'text' AND typeof(f.flow) = 'text' "
    "AND typeof(f.source_hash) = 'text' AND typeof(f.created) IN ('real', 'integer') "
    "AND typeof(f.updated) IN ('real', 'integer') "
    "AND f.status IN ('suspended', 'done', 'failed', 'cancelled') "
    "AND (f.pending IS NULL OR typeof(f.pending) = 'text') "
    "AND (f.result IS NULL OR typeof(f.result) = 'text') "
    "AND (f.key IS NULL OR typeof(f.key) = 'text') "
    "AND (f.due IS NULL OR typeof(f.due) IN ('real', 'integer')) "
    "AND (f.error IS NULL OR typeof(f.error) = 'text') "
    'AND (f."where" IS NULL OR typeof(f."where") = \'text\') '
    "AND json_valid(f.args) AND (f.pending IS NULL OR json_valid(f.pending)) "
    "AND (f.result IS NULL OR json_valid(f.result)) THEN json_type(f.args) = 'array' "
    "AND (f.pending IS NULL OR (json_type(f.pending, '$.kind') = 'text' "
    "AND json_type(f.pending, '$.payload') IS NOT NULL)) ELSE 0 END"
)
# The steps, in order, as one text; NULL when any step fails _STEP_OK (so is the head then).
_STEPS = (
    "(SELECT CASE WHEN count(*) = 0 THEN '' WHEN min(ok) THEN group_concat(j, ',') END "
    "FROM (SELECT '{\"kind\":' || json_quote(s.kind) || ',\"payload\":' || s.payload "
    "|| ',\"value\":' || s.value "
    "|| CASE WHEN s.event IS NULL THEN '' ELSE ',\"event\":' || json_quote(s.event) END "
    f"|| '}}' AS j, {_STEP_OK} AS ok "
    "FROM flow_steps s WHERE s.flow_id = f.id ORDER BY s.step))"
)
_HEAD = (
    "'{\"id\":' || f.id || ',\"flow\":' || json_quote(f.flow) || ',\"status\":' "
    f"|| json_quote(f.status) || ',\"args\":' || f.args || ',\"steps\":[' || {_STEPS} "
    "|| '],\"pending\":' || COALESCE(f.pending, 'null') || ',\"source_hash\":' "
    "|| json_quote(f.source_hash) "
    "|| CASE WHEN f.key IS NULL THEN '' ELSE ',\"key\":' || json_quote(f.key) END"
)
_TAIL = (
    "CASE f.status WHEN 'done' THEN ',\"result\":' || COALESCE(f.result, 'null') "
    "WHEN 'failed' THEN ',\"error\":' || json_quote(COALESCE(f.error, '')) "
    "|| ',\"where\":' || COALESCE(json_quote(f.\"where\"), 'null') ELSE '' END"
)
_PAGE = (
    f"SELECT f.id, {_FLOW_OK}, {_HEAD}, f.created, f.updated, f.due, {_TAIL} "
    "FROM flows f WHERE f.id > ? ORDER BY f.id LIMIT ?"
)


def flow_texts(
    query: Callable[[str, tuple], list],
    columns: str,
    name: str,
    decode: Callable[[tuple], FlowRecord],
    page: int = 1000,
) -> Iterator[str]:
    """Each flow's export line, ascending id, `page` flows per query (see the module)."""
    after = 0
    while True:
        try:
            rows = query(_PAGE, (after, page))
        except StoreError:
            rows = None  # text that is not UTF-8: the careful reader names it
        if rows is not None and all(r[1] and r[2] is not None for r in rows):
            if not rows:
                return
            for _, _, head, created, updated, due, tail in rows:
                if created and updated and due is None:  # the usual flow: one string built
                    created, updated = float(created), float(updated)
                    yield f'{head},"created":{created!r},"updated":{updated!r}{tail}}}'
                else:
                    yield f"{head}{_times(created, updated, due)}{tail}}}"
            after = rows[-1][0]
            continue
        got = list(_rows.flow_texts(query, columns, "?", name, decode, page, True, after, 1))
        if not got:
            return
        yield from got  # (the careful reader found nothing wrong after all)
        after = _last_id(got[-1])


def _times(created: float, updated: float, due: float | None) -> str:
    times = f',"created":{float(created)!r}' if created else ""
    if updated:
        times += f',"updated":{float(updated)!r}'
    if due is not None:
        times += f',"due":{float(due)!r}'
    return times


def _last_id(line: str) -> int:
    return int(line[len('{"id":') : line.index(",")])
