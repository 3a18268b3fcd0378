#!/usr/bin/env python3
"""Splits the JFR execution samples of a `pefa bench` run into where PEFA-XL's time goes.

Input: the text of `jfr print --events jdk.ExecutionSample --stack-depth 40 FILE.jfr`.
Only samples of the bench's timing thread ("main") are counted, outside its warm-up, so the
two-thread QPS phase and the index builds are left out. Stock is every such sample under Lucene's
KnnFloatVectorQuery that is not PEFA's nor the bench's visited-count pass; PEFA-XL is every sample under the bench's PEFA-XL method
(BenchRunner.xlMethod's query lambda). PEFA-XL's samples are grouped by the part of
XlCandidates / TrainingQueryMemory / LeafVectorSearch they are in. The counts are reproducible
only up to JFR's sampling.

Usage: jfr_split.py samples.txt
"""
import collections
import re
import sys


def category(names):
    def has(s):
        return any(s in x for x in names)

    if has("TrainingQueryMemory.nearest"):
        if has("searchNearestVectors"):
            return "memory side: graph walk"
        if has("TrainingQueryMemory.labelled"):
            return "memory side: reading and decoding the neighbours' labels"
        return "memory side: rest (exact rescoring, top k)"
    if has("XlCandidates.resolve"):
        if has("seekExact"):
            return "memory side: label keys -> docs, terms dictionary seekExact"
        if has("SegmentTermsEnum.postings") or has("nextDoc"):
            return "memory side: label keys -> docs, postings"
        return "memory side: label keys -> docs, rest (sort, maps)"
    if has("LeafVectorSearch.searchAll"):
        if has("searchNearestVectors"):
            return "ERM side: graph walk"
        return "ERM side: rest (exact rescoring of the top K)"
    if has("XlCandidates.score"):
        if has("vectorValue") or has("dotProduct"):
            return "candidates: ERM vectors of labelled docs outside the top K"
        return "candidates: rest (kNN sums, collector, sort)"
    return "rest"


def main(path):
    text = open(path).read()
    xl = collections.Counter()
    stock = 0
    for event in text.split("jdk.ExecutionSample")[1:]:
        if 'sampledThread = "main"' not in event:
            continue
        names = re.findall(r"^\s+([\w.$<>/]+)\(", event, re.M)
        if any("warmUp" in x for x in names):
            continue
        if any("lambda$xlMethod$0" in x for x in names):
            xl[category(names)] += 1
        elif any("KnnFloatVectorQuery" in x for x in names) and not any(
            "lucenepefa.search" in x or "stockVisited" in x for x in names
        ):
            stock += 1
    total = sum(xl.values())
    print("| part of PEFA-XL | samples | per stock search |")
    print("|---|---:|---:|")
    print(f"| stock kNN search (lucene-knn), for scale | {stock} | 1.00 |")
    for name, n in sorted(xl.items(), key=lambda kv: -kv[1]):
        print(f"| {name} | {n} | {n / stock:.2f} |")
    print(f"| **PEFA-XL, all** | {total} | {total / stock:.2f} |")


if __name__ == "__main__":
    main(sys.argv[1])
