#!/usr/bin/env python3
"""Dev-only scorer for `khabar clean --format text` against seeds with a gold.json.

Token P/R/F1 as /work/shared/score/check_extract.py computes it (whitespace tokens after NFKC,
tatweel and Arabic diacritics removed), plus title/site/date/author agreement where the gold
states them. Reads the cleaner's JSONL on stdin (lines matched by the basename of "input").
Exit status 1 when any document's F1 is below --min-f1 or a stated field disagrees.
"""
import argparse
import json
import os
import re
import sys
import unicodedata
from collections import Counter

DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]")


def norm(s):
    return DIACRITICS.sub("", unicodedata.normalize("NFKC", s or "").replace("\u0640", ""))


def collapse(s):
    return " ".join(norm(s).split())


def f1(pred, gold):
    p, g = Counter(norm(pred).split()), Counter(norm(gold).split())
    overlap = sum((p & g).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    prec, rec = overlap / sum(p.values()), overlap / sum(g.values())
    return prec, rec, 2 * prec * rec / (prec + rec)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gold")
    ap.add_argument("--min-f1", type=float, default=0.98)
    ap.add_argument("-v", action="store_true", help="print missing and extra tokens")
    args = ap.parse_args()
    gold = {g["file"]: g for g in json.load(open(args.gold, encoding="utf-8"))}
    out = {}
    for line in sys.stdin:
        if line.strip():
            rec = json.loads(line)
            out[os.path.basename(rec.get("input", ""))] = rec
    failed = False
    for name, g in sorted(gold.items()):
        rec = out.get(name)
        if rec is None:
            print(f"{name}: no output")
            failed = True
            continue
        p, r, f = f1(rec.get("text", ""), g["text"])
        problems = []
        if f < args.min_f1:
            problems.append(f"F1 {f:.4f} < {args.min_f1}")
        for key in ("title", "author", "site_name"):
            if g[key] is not None and collapse(rec.get(key)) != collapse(g[key]):
                problems.append(f"{key} {rec.get(key)!r} != {g[key]!r}")
        if g["published_at"] is not None and (rec.get("published_at") or "")[:10] != g["published_at"][:10]:
            problems.append(f"published_at {rec.get('published_at')!r} != {g['published_at']!r}")
        print(f"{name}: P {p:.4f} R {r:.4f} F1 {f:.4f}" + ("" if not problems else "  FAIL: " + "; ".join(problems)))
        if args.v:
            pc, gc = Counter(norm(rec.get("text", "")).split()), Counter(norm(g["text"]).split())
            print("   extra:", " ".join(list((pc - gc).elements())[:60]))
            print("   missing:", " ".join(list((gc - pc).elements())[:60]))
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
