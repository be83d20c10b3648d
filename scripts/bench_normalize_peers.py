#!/usr/bin/env python3
"""Times CAMeL Tools and PyArabic on the normalize-benchmark corpus (dev only).

Usage: bench_normalize_peers.py CORPUS [--repeat N]
Documents are separated by form feeds, as for `khabar normalize-benchmark`. Prints one JSON
object: MB/s (10^6 input bytes per second, fastest of N runs) per peer pipeline, per second of
this thread's CPU time (`time.thread_time`, as khabar's figures) and of wall-clock time.
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
    """The fastest run: (CPU seconds, wall seconds)."""
    best_cpu = best_wall = float("inf")
    for _ in range(repeat):
        cpu, wall = time.thread_time(), time.perf_counter()
        for document in documents:
            pipeline(document)
        best_cpu = min(best_cpu, time.thread_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
    return best_cpu, best_wall


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
        cpu, wall = fastest(pipeline, documents, args.repeat)
        result[name + "_mb_s"] = round(size / 1e6 / cpu, 1)
        result[name + "_wall_mb_s"] = round(size / 1e6 / wall, 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
