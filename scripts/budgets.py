#!/usr/bin/env python3
"""Size budgets for non-test code (ARCHITECTURE.md, "Budgets"): no function over MAX_FN lines,
no file over MAX_FILE lines. Test code (tests/ trees, tests.rs files, `#[cfg(test)]` items,
*.test.ts) is not counted; the few exemptions are listed below with their reason.

    python3 scripts/budgets.py            # check; exit 1 on a breach
    python3 scripts/budgets.py --top 15   # also list the longest functions and largest files

A function's length runs from its `fn`/`function` line to its closing brace; a file's length is
its lines outside test code. Braces inside strings, chars and comments are ignored.
"""

import argparse
import os
import re
import sys

MAX_FN = 80
MAX_FILE = 600
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCES = ["crates", "web/src"]

# (path, function or None for the whole file): why it is exempt.
EXEMPT = {
    ("crates/model/src/sample.rs", None): "the scripted sample analysis: a script, not logic",
    ("crates/model/src/sample.rs", "scripted_analysis"): "the scripted sample analysis: a script, not logic",
    ("crates/relay/src/metrics.rs", "new"): "registration boilerplate: one line per metric family",
}

RUST_FN = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?(?:extern\s+\"[^\"]*\"\s+)?fn\s+([A-Za-z_][A-Za-z0-9_]*)")
TS_FN = re.compile(
    r"^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)"
    r"|^\s*(?:export\s+)?(?:const|let)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)\s*(?::\s*[^=]+)?=>\s*\{"
    r"|^\s*(?:(?:public|private|protected|static|async|readonly|override)\s+)*(?:get\s+|set\s+)?([A-Za-z_$][\w$]*)\s*\([^;]*\)\s*(?::\s*[^{;]+)?\{\s*$"
)
TS_NOT_METHODS = {"if", "for", "while", "switch", "catch", "function", "return", "else"}


def strip_code(line, state):
    """The line with strings, chars and comments blanked; `state` carries block comments and
    multi-line strings across lines (Rust raw strings are treated as plain strings)."""
    out = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if state["block"]:
            if line.startswith("*/", i):
                state["block"] = False
                i += 2
            else:
                i += 1
            continue
        if state["str"]:
            if c == "\\":
                i += 2
                continue
            if c == state["str"]:
                state["str"] = None
            i += 1
            continue
        if line.startswith("//", i):
            break
        if line.startswith("/*", i):
            state["block"] = True
            i += 2
            continue
        if c == '"' or (state["ts"] and c in "'`"):
            state["str"] = c
            i += 1
            continue
        if c == "'" and not state["ts"]:
            # A char literal ('x', '\n', '\u{..}') or a lifetime ('a): skip only literals.
            m = re.match(r"'(\\.|\\u\{[0-9a-fA-F]+\}|[^\\'])'", line[i:])
            if m:
                i += len(m.group(0))
                continue
        out.append(c)
        i += 1
    return "".join(out)


def analyse(path, ts):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    state = {"block": False, "str": None, "ts": ts}
    code = [strip_code(l, state) for l in lines]
    test_lines = set()
    functions = []
    if not ts and any(re.match(r"^\s*#!\[cfg\(test\)\]", l) for l in code[:30]):
        return 0, []  # a test-only module (`#![cfg(test)]`)
    # Test items in Rust: `#[cfg(test)]` followed by an item; skip to its end.
    i = 0
    while i < len(code):
        if not ts and re.match(r"^\s*#\[cfg\(test\)\]", code[i]):
            end = block_end(code, i)
            if end is None:  # `#[cfg(test)] mod tests;` or a `use`: up to its `;`
                end = next(j for j in range(i, len(code)) if ";" in code[j])
            test_lines.update(range(i, end + 1))
            i = end + 1
            continue
        i += 1
    for i, line in enumerate(lines):
        if i in test_lines:
            continue
        m = (TS_FN if ts else RUST_FN).match(code[i])
        if not m:
            continue
        name = next(g for g in m.groups() if g)
        if ts and name in TS_NOT_METHODS:
            continue
        end = block_end(code, i)
        if end is None:
            continue
        functions.append((end - i + 1, name, i + 1))
    counted = sum(1 for i in range(len(lines)) if i not in test_lines)
    if lines and lines[-1] == "":
        counted -= 1
    return counted, functions


def block_end(code, start):
    """Index of the line closing the first `{` block at or after `start` (None: a declaration
    ending in `;` before any block, like a trait method)."""
    depth = 0
    opened = False
    for j in range(start, len(code)):
        for c in code[j]:
            if c == "{":
                depth += 1
                opened = True
            elif c == "}":
                depth -= 1
                if opened and depth == 0:
                    return j
            elif c == ";" and not opened and depth == 0:
                return None
    return None


def is_test_path(rel):
    parts = rel.split("/")
    return (
        "tests" in parts
        or parts[-1] in ("tests.rs",)
        or rel.endswith(".test.ts")
        or "e2e" in parts
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--top", type=int, default=0)
    args = parser.parse_args()
    files, fns = [], []
    for source in SOURCES:
        for dirpath, _, names in os.walk(os.path.join(ROOT, source)):
            if "node_modules" in dirpath or "/target" in dirpath:
                continue
            for name in names:
                if not (name.endswith(".rs") or name.endswith(".ts")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, ROOT)
                if is_test_path(rel):
                    continue
                counted, functions = analyse(path, name.endswith(".ts"))
                files.append((counted, rel))
                fns.extend((length, rel, fn, line) for length, fn, line in functions)
    breaches = []
    for counted, rel in files:
        if counted > MAX_FILE and (rel, None) not in EXEMPT:
            breaches.append(f"{rel}: {counted} lines (budget {MAX_FILE})")
    for length, rel, fn, line in fns:
        if length > MAX_FN and (rel, fn) not in EXEMPT:
            breaches.append(f"{rel}:{line} fn {fn}: {length} lines (budget {MAX_FN})")
    if args.top:
        print(f"longest functions (non-test):")
        for length, rel, fn, line in sorted(fns, reverse=True)[: args.top]:
            print(f"  {length:5}  {rel}:{line} {fn}")
        print(f"largest files (non-test lines):")
        for counted, rel in sorted(files, reverse=True)[: args.top]:
            print(f"  {counted:5}  {rel}")
    if breaches:
        print("size budgets exceeded:", file=sys.stderr)
        for b in breaches:
            print("  " + b, file=sys.stderr)
        return 1
    print(f"budgets ok: {len(fns)} functions <= {MAX_FN} lines, {len(files)} files <= {MAX_FILE} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
