#!/usr/bin/env python3
"""Times CAMeL Tools and PyArabic on the normalize-benchmark corpus (dev only).

Usage: bench_normalize_peers.py CORPUS [--repeat N]
Documents are separated by form feeds, as for `khabar normalize-benchmark`. Prints one JSON
object: MB/s (10^6 input bytes per second, fastest of N runs) per peer pipeline.
"""
import argparse
import json
import time

from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
    normalize_unicode,
)
import pyarabic.araby as araby


def camel(text):
    text = normalize_unicode(text)
    text = dediac_ar(text)
    text = normalize_alef_ar(text)
    text = normalize_alef_maksura_ar(text)
    return normalize_teh_marbuta_ar(text)


def pyarabic(text):
    text = araby.strip_tashkeel(text)
    text = araby.strip_tatweel(text)
    text = araby.normalize_hamza(text)
    return araby.normalize_ligature(text)


def fastest(pipeline, documents, repeat):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for document in documents:
            pipeline(document)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with open(args.corpus, encoding="utf-8") as handle:
        documents = handle.read().split("\f")
    size = sum(len(document.encode("utf-8")) for document in documents)
    result = {"bytes": size, "documents": len(documents)}
    for name, pipeline in (("camel_tools", camel), ("pyarabic", pyarabic)):
        result[name + "_mb_s"] = round(size / 1e6 / fastest(pipeline, documents, args.repeat), 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
