"""Turn a pytest JUnit XML report into the conformance scoreboard.

One suite is one test module (tests/scheme/test_reader.py -> scheme/reader). Prints a
row per suite, the TOTAL row, writes the same figures as JSON, and ends with the line
"N passed, M failed". Exit status 1 when any test failed or errored (or none ran).
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import OrderedDict


def suite_name(classname: str, file: str | None) -> str:
    """tests.scheme.test_reader.TestX -> scheme/reader."""
    path = file or classname.replace(".", "/")
    parts = [p for p in path.removesuffix(".py").split("/") if p]
    if parts and parts[0] == "tests":
        parts = parts[1:]
    kept = []
    for part in parts:
        kept.append(part)
        if part.startswith("test_"):
            break
    if kept:
        kept[-1] = kept[-1].removeprefix("test_")
    return "/".join(kept) or classname


def collect(junit_path: str) -> OrderedDict[str, dict[str, int]]:
    """Per-suite passed/failed/skipped counts from a JUnit XML file."""
    suites: OrderedDict[str, dict[str, int]] = OrderedDict()
    root = ET.parse(junit_path).getroot()
    for case in root.iter("testcase"):
        name = suite_name(case.get("classname", ""), case.get("file"))
        row = suites.setdefault(name, {"passed": 0, "failed": 0, "skipped": 0})
        if case.find("failure") is not None or case.find("error") is not None:
            row["failed"] += 1
        elif case.find("skipped") is not None:
            row["skipped"] += 1
        else:
            row["passed"] += 1
    return OrderedDict(sorted(suites.items()))


def main(argv: list[str]) -> int:
    junit_path, out_path = argv[1], argv[2]
    suites = collect(junit_path)
    passed = sum(r["passed"] for r in suites.values())
    failed = sum(r["failed"] for r in suites.values())
    width = max([len(n) for n in suites] + [10])
    print()
    print(f"{'suite':<{width}}  passed/total")
    for name, row in suites.items():
        total = row["passed"] + row["failed"]
        mark = "" if row["failed"] == 0 else "   FAIL"
        print(f"{name:<{width}}  {row['passed']:>6}/{total:<6}{mark}")
    total = passed + failed
    print(f"TOTAL {passed}/{total} across {len(suites)} suites")
    with open(out_path, "w") as fh:
        json.dump(
            {"suites": suites, "passed": passed, "failed": failed, "total": total},
            fh,
            indent=2,
        )
        fh.write("\n")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and total > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
