#!/usr/bin/env python3
"""Checks that the DuckDB peer does the same work as attribute: an independent implementation of
SPEC.md sections 1-3 (validate, merge by (request_id, function), classify) counts verdicts by function,
and the counts are compared with bench/peers/duckdb.mjs (default and --strict) and with the counts the
generator says it built.

    python3 bench/check-duckdb.py                    # generates a 10k-line file with 5% bad lines
    python3 bench/check-duckdb.py --lines 50000 --bad 0.02 --seed 7
    python3 bench/check-duckdb.py FILE               # an existing file (no generator counts then)

Exit status 0 when the generator's counts agree with this reference, and DuckDB --strict agrees with
it once the reference is given DuckDB's three blind spots (a missing nullable key reads as null; the
timestamp is not checked; a broken line that ends where a value is expected takes the next line with
it). The differences from the exact SPEC reference, and those of the default
(coercing) DuckDB mode, are printed for information: see bench/peers/duckdb.mjs.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile

VERDICTS = ["OK", "UNKNOWN", "VENDOR", "APPLICATION", "APP_BOTTLENECK", "UNATTRIBUTED"]
REQUIRED = ["request_id", "function", "stage", "status", "latency_ms", "error_code", "upstream_status",
            "upstream_latency_ms"]
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
MAX_LINE = 1 << 20
HERE = os.path.dirname(os.path.abspath(__file__))


def reject_constant(name):
    raise ValueError(f"not JSON: {name}")  # JSON.parse rejects NaN / Infinity


def is_int(v):
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    return isinstance(v, float) and math.isfinite(v) and v.is_integer()


def is_num(v):
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


def is_str(v, lo, hi):
    return isinstance(v, str) and lo <= len(v) <= hi  # (UTF-16 length in JS; the same for ASCII)


NULLABLE = ("error_code", "upstream_status", "upstream_latency_ms")


def valid_record(rec, duckdb_semantics=False):
    """SPEC.md section 1: returns True when the record is valid (unknown fields allowed, not strict).

    With duckdb_semantics, the things SQL over read_ndjson cannot see are let through as DuckDB lets
    them: a missing nullable key reads as null, and the timestamp is not checked."""
    if not isinstance(rec, dict):
        return False
    if duckdb_semantics:
        for k in NULLABLE:
            rec.setdefault(k, None)
    if any(k not in rec for k in REQUIRED):
        return False
    if not (is_str(rec["request_id"], 1, 256) and is_str(rec["function"], 1, 256)
            and is_str(rec["stage"], 1, 128)):
        return False
    if not (is_int(rec["status"]) and 100 <= rec["status"] <= 599):
        return False
    if not (is_num(rec["latency_ms"]) and rec["latency_ms"] >= 0):
        return False
    ec = rec["error_code"]
    if not (ec is None or is_str(ec, 1, 128)):
        return False
    us = rec["upstream_status"]
    if not (us is None or us == "timeout" or (is_int(us) and 100 <= us <= 599)):
        return False
    ul = rec["upstream_latency_ms"]
    if not (ul is None or (is_num(ul) and ul >= 0)):
        return False
    for key in () if duckdb_semantics else ("ts", "timestamp", "time"):
        if key in rec:
            t = rec[key]
            if not ((isinstance(t, str) and ISO.match(t)) or is_num(t)):
                return False
            break
    return True


def expects_value(text):
    """True when a broken JSON line ends where a value must come next: after ':' or '[', or after ','
    inside an array (a rough scan that skips strings)."""
    t = text.rstrip()
    if not t or t[-1] not in ":[,":
        return False
    if t[-1] in ":[":
        return True
    stack, in_str, esc = [], False, False
    for ch in t:
        if in_str:
            esc = not esc and ch == "\\"
            if not esc and ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            stack.append(ch)
        elif ch in "]}" and stack:
            stack.pop()
    return bool(stack) and stack[-1] == "["


def severity(us):
    return 600 if us == "timeout" else us  # "timeout" > 5xx > ... > 1xx; within a class the larger code


def reference(path, slow_ms=1000.0, upstream_share=0.2, duckdb_semantics=False):
    units = {}  # (request_id, function) -> [S, L, U, UL]
    counts = {"lines": 0, "valid": 0, "invalid": 0, "blank": 0}
    opener = open
    if path.endswith(".gz"):
        import gzip
        opener = gzip.open
    with opener(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # a final newline ends the last line; it does not start another
    swallow = False
    for raw in lines:
        counts["lines"] += 1
        if swallow and raw.strip():
            # DuckDB (newline_delimited, ignore_errors) reads on past the newline of a broken line that
            # ends where a value is expected, blank lines included, and loses the next line with it.
            counts["invalid"] += 1
            swallow = expects_value(raw.decode("utf-8", "replace"))
            continue
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if len(raw) > MAX_LINE:
            counts["invalid"] += 1
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            counts["invalid"] += 1
            continue
        if text.strip(" \t\r\n\f\v\u00a0\ufeff") == "":
            counts["blank"] += 1
            continue  # (a pending swallow stays pending: DuckDB skips whitespace)
        swallow = False
        try:
            rec = json.loads(text, parse_constant=reject_constant)
        except ValueError:
            counts["invalid"] += 1
            swallow = duckdb_semantics and expects_value(text)
            continue
        if not valid_record(rec, duckdb_semantics):
            counts["invalid"] += 1
            continue
        counts["valid"] += 1
        key = (rec["request_id"], rec["function"])
        s, l, us, ul = rec["status"], float(rec["latency_ms"]), rec["upstream_status"], rec["upstream_latency_ms"]
        m = units.get(key)
        if m is None:
            units[key] = [s, l, us, None if ul is None else float(ul)]
            continue
        m[0] = max(m[0], s)
        m[1] = max(m[1], l)
        if us is not None and (m[2] is None or severity(us) > severity(m[2])):
            m[2] = us
        if ul is not None and (m[3] is None or ul > m[3]):
            m[3] = float(ul)

    by_function = {}
    for (_, fn), (s, l, u, ul) in units.items():
        slow = l >= slow_ms
        if not (s >= 400 or slow):
            v = "OK"
        elif u is None:
            v = "UNKNOWN"
        elif (u == "timeout" or 500 <= u <= 599) and 500 <= s <= 599:
            v = "VENDOR"
        elif u != "timeout" and 200 <= u <= 299 and s >= 400:
            v = "APPLICATION"
        elif slow and ul is not None and ul <= upstream_share * l:
            v = "APP_BOTTLENECK"
        else:
            v = "UNATTRIBUTED"
        row = by_function.setdefault(fn, {k: 0 for k in VERDICTS})
        row[v] += 1
    return counts, {k: by_function[k] for k in sorted(by_function)}


def normalize(functions):
    return {fn: {v: int(row.get(v, 0)) for v in VERDICTS} for fn, row in sorted(functions.items())}


def diff(ref, other):
    out = []
    for fn in sorted(set(ref) | set(other)):
        for v in VERDICTS:
            a = ref.get(fn, {}).get(v, 0)
            b = other.get(fn, {}).get(v, 0)
            if a != b:
                out.append(f"  {fn} {v}: reference {a}, compared {b}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?")
    ap.add_argument("--lines", type=int, default=10000)
    ap.add_argument("--units", type=int)
    ap.add_argument("--bad", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    expected = None
    tmp = None
    path = args.file
    if path is None:
        tmp = tempfile.NamedTemporaryFile(suffix=".ndjson", delete=False)
        tmp.close()
        path = tmp.name
        cmd = ["node", os.path.join(HERE, "generate.mjs"), "--lines", str(args.lines), "--bad", str(args.bad),
               "--seed", str(args.seed), "--out", path]
        if args.units:
            cmd += ["--units", str(args.units)]
        gen = subprocess.run(cmd, check=True, capture_output=True, text=True)
        summary = json.loads(gen.stderr.strip().splitlines()[-1])
        expected = normalize(summary["expected"])
        print(f"generated {path}: {summary['lines']} lines, {summary['bad']} bad {summary['badKinds']}")

    try:
        counts, ref = reference(path)
        _, ref_duck = reference(path, duckdb_semantics=True)
        print(f"reference (SPEC.md 1-3): {counts}, units {sum(sum(r.values()) for r in ref.values())}")
        print(f"reference verdicts: { {v: sum(r[v] for r in ref.values()) for v in VERDICTS} }")
        results = {}
        for mode in ([], ["--strict"]):
            out = subprocess.run(["node", os.path.join(HERE, "peers", "duckdb.mjs"), *mode, path],
                                 check=True, capture_output=True, text=True)
            results["duckdb" + (" --strict" if mode else "")] = normalize(json.loads(out.stdout)["functions"])
        checks = [
            # (what, reference used, counts, must agree)
            ("generator's expected counts vs SPEC reference", ref, expected, True),
            ("duckdb --strict vs reference with DuckDB's blind spots", ref_duck, results["duckdb --strict"], True),
            ("duckdb --strict vs SPEC reference", ref, results["duckdb --strict"], False),
            ("duckdb (default, coercing) vs SPEC reference", ref, results["duckdb"], False),
        ]
        failed = False
        for what, reference_counts, other, must in checks:
            if other is None:
                continue
            d = diff(reference_counts, other)
            verdict = "agrees" if not d else f"{len(d)} differences" + ("" if must else " (informational)")
            print(f"{what}: {verdict}")
            for line in d[:10]:
                print(line)
            failed = failed or (must and bool(d))
        return 1 if failed else 0
    finally:
        if tmp is not None:
            os.unlink(path)


if __name__ == "__main__":
    sys.exit(main())
