"""The `commerce` command line, and the worked example in docs/pricing.md."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from commerce import load_cart, load_shop, quote
from commerce.cli.main import main

from .shops import EXAMPLES, ROOT

SHOP, CART = str(EXAMPLES / "shop.json"), str(EXAMPLES / "cart.json")


def invoke(*args: str):
    # Run from the project root so the paths in the docs and help texts resolve.
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(cwd)


def docs_commands() -> list[tuple[str, str]]:
    """(command line, expected output) for every console block in docs/pricing.md."""
    text = (ROOT / "docs" / "pricing.md").read_text()
    blocks = re.findall(r"```console\n\$ (commerce .*?)\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 4
    return blocks


@pytest.mark.parametrize("command, expected", docs_commands())
def test_the_worked_example_in_the_docs_is_what_the_command_prints(command, expected):
    result = invoke(*shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    assert result.stdout == expected


def test_the_python_example_in_the_docs_runs():
    text = (ROOT / "docs" / "pricing.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for block in blocks:
            exec(compile(block, "docs/pricing.md", "exec"), {})  # its asserts are the checks
    finally:
        os.chdir(cwd)


def test_quote_json_is_the_library_quote():
    result = invoke("quote", SHOP, CART, "--at", "1767225600", "-j", "IE", "--json")
    assert result.exit_code == 0
    shop = load_shop(SHOP)
    expected = quote(shop, load_cart(CART, shop.catalog), at=1767225600, jurisdiction="IE")
    assert json.loads(result.stdout) == expected.to_json()


def test_the_christmas_promotion_shows_in_its_window():
    result = invoke("quote", SHOP, CART, "-j", "UK", "--at", "1766620800")  # 2025-12-25
    assert "discount XMAS" in result.stdout
    assert "XMAS" not in invoke("quote", SHOP, CART, "-j", "UK", "--at", "1766707200").stdout


def test_at_defaults_to_now():
    before = int(time.time())
    result = invoke("quote", SHOP, CART, "-j", "UK")
    stamp = int(re.search(r"Quote at (\d+)", result.stdout).group(1))
    assert before <= stamp <= int(time.time())


def test_promos_marks_the_best_stacking():
    result = invoke("promos", SHOP, CART, "--member", "--at", "1767225600")
    marked = [line for line in result.stdout.splitlines() if line.strip().startswith("*")]
    assert marked[0].split() == ["*", "1250", "B3", "F5", "M15"]


@pytest.mark.parametrize(
    "shop_edit, words",
    [
        (lambda d: d["products"][0].update(price=4.5), "products[0] (sku 'TEA')"),
        (lambda d: d["promos"][2].update(sku="KITE"), "promos[2] (code 'B3')"),
        (lambda d: d["exclusions"].append(["P10", "NOPE"]), "exclusions[2]"),
    ],
)
def test_bad_input_is_one_readable_line_and_exit_1(tmp_path, shop_edit, words):
    data = json.loads((EXAMPLES / "shop.json").read_text())
    shop_edit(data)
    bad = tmp_path / "shop.json"
    bad.write_text(json.dumps(data))
    result = invoke("quote", str(bad), CART, "-j", "UK")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and words in lines[0] and str(bad) in lines[0]
    assert "Traceback" not in result.stderr


def test_a_missing_tax_rate_and_an_ambiguous_jurisdiction_exit_1():
    missing = invoke("quote", SHOP, CART, "-j", "FR", "--at", "0")
    assert missing.exit_code == 1 and "no tax rate" in missing.stderr
    ambiguous = invoke("quote", SHOP, CART, "--at", "0")
    assert ambiguous.exit_code == 1 and "IE, UK" in ambiguous.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["quote", SHOP],
        ["quote", SHOP, CART, "--policy", "sideways"],
        ["quote", SHOP, CART, "--at", "soon"],
        ["quote", SHOP, "no-such-cart.json"],
        ["refund"],
    ],
)
def test_usage_errors_exit_2(args):
    assert invoke(*args).exit_code == 2


@pytest.mark.parametrize("command", ["quote", "promos"])
def test_help_shows_examples_that_work(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0
    examples = re.findall(r"^\s+(commerce .+)$", result.stdout, flags=re.M)
    assert examples
    for example in examples:
        ran = invoke(*shlex.split(example)[1:])
        assert ran.exit_code == 0, (example, ran.output)


def test_the_same_quote_whatever_order_python_hashes_in():
    # Sets of facts iterate in hash order, which changes with PYTHONHASHSEED; the quote must not.
    args = ["-m", "commerce", "quote", SHOP, CART, "-j", "UK", "--at", "1767225600", "--member"]
    outputs = set()
    for seed in ("0", "1", "4242"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        ran = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env)
        assert ran.returncode == 0, ran.stderr
        outputs.add(ran.stdout)
    assert len(outputs) == 1
