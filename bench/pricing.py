"""Pricing benchmarks: prints figures, asserts nothing.

    .venv/bin/python bench/pricing.py            # the figures the issue asks for
    .venv/bin/python bench/pricing.py --quick    # smaller catalog, no brute-force reference

Each figure is the median of several runs, with a reference measured in the same run:
quotes against pricing the same lines with plain dict lookups (what the relations cost),
the best stacking against brute-force enumeration of every subset.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commerce import Cart, best_stacking, brute_force_best, load_shop, quote  # noqa: E402
from commerce.pricing.quote import evaluation  # noqa: E402
from commerce.pricing.stack import best  # noqa: E402

CLASSES = [f"class{i}" for i in range(10)]
AT = 1_767_225_600


def shop_data(n: int, rnd: random.Random) -> dict:
    """A shop of n products in 10 classes, a variant on every 20th, stock on every 3rd."""
    products = [
        {
            "sku": f"SKU{i:06d}",
            "name": f"Product {i}",
            "price": rnd.randint(50, 50_000),
            "class": CLASSES[i % 10],
        }
        for i in range(n)
    ]
    variants = [{"sku": f"SKU{i:06d}", "variant": "large", "delta": 250} for i in range(0, n, 20)]
    stock = [{"sku": f"SKU{i:06d}", "on_hand": rnd.randint(0, 500)} for i in range(0, n, 3)]
    tax = [
        {"jurisdiction": "UK", "product_class": c, "customer_class": cc, "bps": 500 * (i % 5)}
        for i, c in enumerate(CLASSES)
        for cc in ("guest", "member")
    ]
    promos = [
        {"type": "percent", "code": f"PC{i}", "class": c, "bps": 300 + 100 * i}
        for i, c in enumerate(CLASSES)
    ]
    promos += [
        {"type": "fixed", "code": f"F{i}", "threshold": 1000 * i, "amount": 400 + 50 * i}
        for i in range(5)
    ]
    promos += [{"type": "bundle", "code": f"B{i}", "sku": f"SKU{i:06d}", "n": 2} for i in range(5)]
    codes = [p["code"] for p in promos]
    pairs = set()
    while len(pairs) < 10:
        a, b = rnd.sample(codes, 2)
        pairs.add(tuple(sorted((a, b))))
    return {
        "currency": "GBP",
        "products": products,
        "variants": variants,
        "stock": stock,
        "tax": tax,
        "promos": promos,
        "exclusions": [list(p) for p in sorted(pairs)],
    }


def cart_data(lines: int, n: int, rnd: random.Random) -> dict:
    """`lines` distinct items; the first five are the bundle skus, twice each."""
    picks = list(range(5)) + rnd.sample(range(5, n), lines - 5)
    out = []
    for i in picks:
        line = {"sku": f"SKU{i:06d}", "qty": 2 if i < 5 else rnd.randint(1, 4)}
        if i % 20 == 0 and i >= 5:
            line["variant"] = "large"
        out.append(line)
    return {"lines": out}


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median wall time in ms over `repeat` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


class DictPricing:
    """The reference: the subtotal plus gross tax of the same lines, from plain dicts."""

    def __init__(self, data: dict) -> None:
        self.price = {p["sku"]: (p["price"], p["class"]) for p in data["products"]}
        self.delta = {(v["sku"], v["variant"]): v["delta"] for v in data["variants"]}
        self.rate = {(t["product_class"], t["customer_class"]): t["bps"] for t in data["tax"]}

    def total(self, cart: dict) -> int:
        total = 0
        for line in cart["lines"]:
            base, cls = self.price[line["sku"]]
            ext = (base + self.delta.get((line["sku"], line.get("variant")), 0)) * line["qty"]
            total += ext + (ext * self.rate[(cls, "guest")] + 5000) // 10000
        return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="20,000 products, no brute force")
    args = parser.parse_args()
    n = 20_000 if args.quick else args.products
    rnd = random.Random(4)
    rows: list[tuple[str, str, str]] = []

    with tempfile.TemporaryDirectory() as tmp:
        data = shop_data(n, rnd)
        path = Path(tmp) / "shop.json"
        path.write_text(json.dumps(data))
        size_mb = path.stat().st_size / 1e6
        load_ms, shop = timed(lambda: load_shop(path), 1)
        rows.append(
            (f"load a {n:,}-product shop file ({size_mb:.1f} MB)", f"{load_ms:,.0f} ms", "report")
        )

        reference = DictPricing(data)
        for lines, target in ((20, 20), (1000, 500)):
            cart_json = cart_data(lines, n, rnd)
            items = [(x["sku"], x.get("variant"), x["qty"]) for x in cart_json["lines"]]
            cart = Cart.of(shop.catalog, items)
            ms, q = timed(lambda cart=cart: quote(shop, cart, at=AT, jurisdiction="UK"), 15)
            ref_ms, _ = timed(lambda c=cart_json: reference.total(c), 15)
            rows.append(
                (
                    f"quote a {lines}-line cart ({len(q.codes)} codes chosen)",
                    f"{ms:.1f} ms",
                    f"target < {target} ms",
                )
            )
            rows.append(
                (
                    "  reference: same lines priced from plain dicts",
                    f"{ref_ms:.2f} ms",
                    f"quote is {ms / ref_ms:,.0f}x the dict lookups",
                )
            )

        ev = evaluation(shop, cart, member=False, at=AT)
        amounts, exclusions = ev.amounts(), ev.rules.exclusions
        ms, chosen = timed(lambda: best(ev), 25)
        rows.append(
            (
                f"best stacking: {len(amounts)} applying promos, {len(exclusions)} exclusions",
                f"{ms:.2f} ms",
                "target < 100 ms",
            )
        )
        if not args.quick:
            ref_ms, ref = timed(
                lambda: brute_force_best(amounts, exclusions, ev.priced.subtotal), 1
            )
            same = (
                "same answer"
                if ref == best_stacking(amounts, exclusions, ev.priced.subtotal)
                else "DIFFERENT ANSWER"
            )
            rows.append(
                (
                    "  reference: brute force over every subset",
                    f"{ref_ms:,.0f} ms",
                    f"{ref_ms / ms:,.0f}x slower, {same}",
                )
            )
        del chosen

    width = max(len(r[0]) for r in rows)
    print(f"pricing benchmark (Python {sys.version.split()[0]})")
    for name, figure, note in rows:
        print(f"  {name:<{width}}  {figure:>10}  {note}")


if __name__ == "__main__":
    main()
