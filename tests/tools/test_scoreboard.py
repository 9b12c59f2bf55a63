"""The scoreboard that conformance.sh prints is computed from pytest's JUnit report."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))
import scoreboard  # noqa: E402

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest">
<testcase classname="tests.scheme.test_reader" name="a"/>
<testcase classname="tests.scheme.test_reader" name="b"><failure message="x"/></testcase>
<testcase classname="tests.scheme.test_reader.TestDeep" name="c"/>
<testcase classname="tests.commerce.test_cart" name="d"/>
<testcase classname="tests.commerce.test_cart" name="e"><error message="boom"/></testcase>
<testcase classname="tests.commerce.test_cart" name="f"><skipped/></testcase>
</testsuite></testsuites>
"""


@pytest.mark.parametrize(
    ("classname", "expected"),
    [
        ("tests.scheme.test_reader", "scheme/reader"),
        ("tests.scheme.test_reader.TestDeep", "scheme/reader"),
        ("tests.test_top", "top"),
    ],
)
def test_suite_name(classname, expected):
    assert scoreboard.suite_name(classname, None) == expected


def test_scoreboard_counts_failures_and_errors(tmp_path, capsys):
    junit = tmp_path / "junit.xml"
    junit.write_text(JUNIT)
    out = tmp_path / "scoreboard.json"
    rc = scoreboard.main(["scoreboard", str(junit), str(out)])
    printed = capsys.readouterr().out.splitlines()
    assert rc == 1
    assert printed[-1] == "3 passed, 2 failed"
    assert "TOTAL 3/5 across 2 suites" in printed
    data = json.loads(out.read_text())
    assert data["suites"]["scheme/reader"] == {"passed": 2, "failed": 1, "skipped": 0}
    assert data["suites"]["commerce/cart"] == {"passed": 1, "failed": 1, "skipped": 1}


def test_scoreboard_all_green_exits_zero(tmp_path, capsys):
    junit = tmp_path / "junit.xml"
    junit.write_text(
        '<testsuites><testsuite><testcase classname="tests.x.test_y" name="a"/>'
        "</testsuite></testsuites>"
    )
    rc = scoreboard.main(["scoreboard", str(junit), str(tmp_path / "s.json")])
    assert rc == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 passed, 0 failed"
