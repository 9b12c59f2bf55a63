"""Plain-text renderings of a quote and of the legal stackings, for the command line."""

from __future__ import annotations

from collections.abc import Sequence

from ..pricing.catalog import item_name
from ..pricing.promo import Evaluation
from ..pricing.quote import Quote
from ..pricing.stack import Stacking


def table(rows: Sequence[Sequence[object]], indent: str = "  ") -> list[str]:
    """Rows as aligned columns: numbers to the right, text to the left."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [
            str(c).rjust(w) if isinstance(c, int) else str(c).ljust(w)
            for c, w in zip(row, widths, strict=True)
        ]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def _header(q: Quote | Evaluation, currency: str, policy: str | None) -> str:
    customer = "member" if q.member else "guest"
    parts = [f"at {q.at}"]
    if isinstance(q, Quote):
        parts.append(f"jurisdiction {q.jurisdiction}")
    parts.append(customer)
    if policy:
        parts.append(f"{policy} tax")
    parts.append(f"amounts in {currency} minor units")
    return ", ".join(parts)


def render_quote(q: Quote) -> str:
    """The quote as a table: lines, each chosen discount and the lines it touched, tax, total."""
    out = [f"Quote {_header(q, q.currency, q.policy)}", ""]
    net = q.policy == "net"
    head: list[object] = (
        ["#", "item", "qty", "unit", "extended"] + (["share"] if net else []) + ["tax"]
    )
    rows: list[list[object]] = [head]
    for i, line in enumerate(q.lines, 1):
        cells: list[object] = [
            i,
            item_name(line.sku, line.variant),
            line.qty,
            line.unit,
            line.extended,
        ]
        rows.append(cells + ([line.share] if net else []) + [line.tax])
    out += table(rows) if q.lines else ["  (empty cart)"]
    out.append("")
    summary: list[list[object]] = [["subtotal", "", q.subtotal, ""]]
    for a in q.applied:
        summary.append([f"discount {a.code}", a.kind, -a.amount, f"lines: {a.line_names()}"])
    claimed = sum(a.amount for a in q.applied)
    if claimed != q.discount:
        summary.append(["discount cap", "", q.discount - claimed, "discount capped at subtotal"])
    summary += [
        ["discount", "", -q.discount, ""],
        ["tax", "", q.tax, ""],
        ["total", "", q.total, ""],
    ]
    out += table(summary)
    out.append("")
    out.append("codes: " + (", ".join(q.codes) if q.codes else "none"))
    return "\n".join(out)


def render_stackings(
    ev: Evaluation, stackings: list[Stacking], best: Stacking, currency: str
) -> str:
    """Every legal stacking with its discount, best first and marked with *."""
    out = [f"Promotions {_header(ev, currency, None)}, subtotal {ev.priced.subtotal}", ""]
    amounts = ev.amounts()
    if amounts:
        out.append("applying:")
        rows: list[list[object]] = [
            [code, ev.rules.promo(code).kind, amount] for code, amount in amounts.items()
        ]
        out += table(rows)
    else:
        out.append("applying: none")
    pairs = sorted(" + ".join(sorted(p)) for p in ev.rules.exclusions if p <= amounts.keys())
    out.append("excluded pairs: " + (", ".join(pairs) if pairs else "none"))
    out.append("")
    out.append(f"legal stackings ({len(stackings)}), best first:")
    rows = [["", "discount", "codes"]]
    for st in stackings:
        mark = "*" if st == best else ""
        rows.append([mark, st.discount, " ".join(st.codes) or "(none)"])
    out += table(rows)
    out.append("")
    out.append("* best: " + (" ".join(best.codes) or "(none)") + f", discount {best.discount}")
    return "\n".join(out)
