"""The adversarial pass, as figures: every hostile probe in tests/security/, tried / safe / unsafe per area.

Each probe is one test in tests/security/ (a catalog that reads the machine, a symlink out of the docs folder,
a card number the scrubber misses, a double-clicked approval, a bad input that prints a traceback, ...); a
probe that passes is safe, one that fails or errors is unsafe. Beside them it times the catalog loader on
generated specs of about 1 MB (the size that once took minutes; OpenAPI 3.0 with a shared schema, 3.1 with a
schema per operation) against parsing the same file with PyYAML in the same run, so the ratio says what the
loader adds to reading the file.

Run:  python bench/adversarial.py [--size-mb 1.0] [-k EXPRESSION]
Target: 0 unsafe.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tools.catalog import load_catalog
from tools.openapi_file import MAX_OPERATIONS

SECURITY_TESTS = REPO / "tests" / "security"
#: tests/security/test_<area>_security.py -> the area it probes.
AREAS = {"catalog": "catalogs", "ingest": "documents", "pii": "retrain privacy", "web": "web app",
         "errors": "errors"}


def run_probes(keyword: str | None) -> list[tuple[str, str, bool]]:
    """Every probe in tests/security/ run by pytest in a child process: (area, test name, safe)."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "probes.xml"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(SECURITY_TESTS),
                   f"--junitxml={report}"]
        if keyword:
            command += ["-k", keyword]
        subprocess.run(command, cwd=REPO, check=False)
        if not report.exists():
            raise SystemExit("error: pytest wrote no report; see its output above")
        cases = ElementTree.parse(report).getroot().iter("testcase")
        return [(_area(case.get("classname", "")), case.get("name", ""),
                 not any(child.tag in ("failure", "error") for child in case))
                for case in cases if case.find("skipped") is None]


def _area(classname: str) -> str:
    module = classname.split(".")[-1] if "." in classname else classname
    for part in classname.split("."):
        if part.startswith("test_") and part.endswith("_security"):
            module = part
    key = module.removeprefix("test_").removesuffix("_security")
    return AREAS.get(key, key)


def generated_spec(size_mb: float, version: str) -> dict:
    """An OpenAPI document of about `size_mb` megabytes with as many operations as a catalog may have
    (`MAX_OPERATIONS`, less a margin), each description padded to reach the size. 3.0: every operation returns
    one shared component schema; 3.1: each has a schema of its own, reached by `$ref` (the validator's slow case)."""
    operations = MAX_OPERATIONS - 100
    padding = "Returns the item with every field the service keeps. " * max(1, int(
        size_mb * 1_000_000 / operations / 60) - 6)
    paths: dict = {}
    schemas: dict = {"Item": {"type": "object", "properties": {"id": {"type": "string"}}}}
    for index in range(operations):
        schema = "Item" if version.startswith("3.0") else f"Item{index}"
        if schema != "Item":
            schemas[schema] = {"type": "object",
                               "properties": {"id": {"type": "string"}, f"field{index}": {"type": "integer"}}}
        paths[f"/items{index}/{{item_id}}"] = {"get": {
            "operationId": f"getItem{index}", "summary": f"Get item {index} by its id.", "description": padding,
            "parameters": [{"name": "item_id", "in": "path", "required": True, "description": "The item's id.",
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The item.", "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{schema}"}}}}}}}
    return {"openapi": version, "info": {"title": "Generated", "version": "1"},
            "servers": [{"url": "http://127.0.0.1:9"}], "paths": paths, "components": {"schemas": schemas}}


def time_catalog_load(size_mb: float, version: str) -> tuple[int, int, float, float]:
    """(bytes, operations, seconds to parse with PyYAML, seconds for the catalog loader) on a generated spec."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "big.yaml"
        path.write_text(yaml.safe_dump(generated_spec(size_mb, version), sort_keys=False), encoding="utf-8")
        started = time.perf_counter()
        yaml.safe_load(path.read_text(encoding="utf-8"))
        parse_s = time.perf_counter() - started
        started = time.perf_counter()
        catalog = load_catalog(path)
        load_s = time.perf_counter() - started
        return path.stat().st_size, len(catalog.operations), parse_s, load_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=1.0, help="size of the generated catalog to time")
    parser.add_argument("-k", dest="keyword", help="only the probes pytest -k selects")
    args = parser.parse_args()

    probes = run_probes(args.keyword)
    tried, safe = Counter(area for area, _, _ in probes), Counter(area for area, _, ok in probes if ok)
    print(f"\n{'area':<18}{'tried':>7}{'safe':>7}{'unsafe':>8}")
    for area in sorted(tried):
        print(f"{area:<18}{tried[area]:>7}{safe[area]:>7}{tried[area] - safe[area]:>8}")
    total, total_safe = sum(tried.values()), sum(safe.values())
    print(f"{'all':<18}{total:>7}{total_safe:>7}{total - total_safe:>8}")
    for area, name, ok in probes:
        if not ok:
            print(f"unsafe: {area}: {name}")

    print()
    for version in ("3.0.3", "3.1.0"):
        size, operations, parse_s, load_s = time_catalog_load(args.size_mb, version)
        print(f"OpenAPI {version} catalog of {size / 1e6:.2f} MB, {operations} operations: PyYAML parse "
              f"{parse_s:.2f} s, load_catalog {load_s:.2f} s ({load_s / parse_s:.1f}x the parse)")
    sys.exit(1 if total_safe < total else 0)


if __name__ == "__main__":
    main()
