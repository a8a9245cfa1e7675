#!/usr/bin/env python3
"""Lists every test that Maven Surefire reported as skipped, with its reason, then a count.

Usage: skipped.py [--since EPOCH_SECONDS] REPORT_DIR...

Reads REPORT_DIR/TEST-*.xml. With --since, reports older than that moment are passed over, so that
a module Maven never reached this time does not show the skips of an earlier build.
"""
import argparse
import glob
import os
import sys
import xml.etree.ElementTree as ET


def reason(skipped):
    """The assumption's message: JUnit 5 aborts put it in the element's text, after the type."""
    message = skipped.get("message")
    if message:
        return message.strip()
    text = (skipped.text or "").strip()
    if not text:
        return "no reason given"
    first = text.splitlines()[0]
    kind = skipped.get("type")
    if kind and first.startswith(kind + ": "):
        first = first[len(kind) + 2 :]
    return first.strip().removeprefix("Assumption failed: ")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--since", type=float, default=0)
    parser.add_argument("dirs", nargs="+")
    args = parser.parse_args()
    skips = []
    unreadable = []
    for d in args.dirs:
        for path in sorted(glob.glob(os.path.join(d, "TEST-*.xml"))):
            if os.path.getmtime(path) < args.since:
                continue
            try:
                root = ET.parse(path).getroot()
            except ET.ParseError as e:
                unreadable.append(f"{path}: {e}")
                continue
            if root.get("tests") == "0":
                # A class whose @BeforeAll aborted: Surefire keeps neither its tests nor the reason.
                skips.append(f"skipped: {root.get('name')} — no test ran (a skip before its tests?)")
            for case in root.iter("testcase"):
                s = case.find("skipped")
                if s is None:
                    continue
                name = case.get("classname") or root.get("name") or "?"
                method = case.get("name")
                # A class skipped in @BeforeAll is reported under its own name, or none.
                if method and method != name:
                    name = f"{name}.{method}"
                skips.append(f"skipped: {name} — {reason(s)}")
    for line in unreadable:
        print(f"skipped: could not read the report {line}")
    for line in skips:
        print(line)
    print(f"{len(skips)} test{'' if len(skips) == 1 else 's'} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
