"""Writes a corpus's lines in another order that keeps every line: the file's two byte halves
(cut at the first line that starts past the middle) alternated line by line, first half first.

usage: interleave_halves.py INPUT OUTPUT

A check on results that may belong to one line order rather than to a trainer: gensim's
corpus_file workers each read a contiguous part of the file, so the halves they get change
with this order while the lines trained stay the same (README, "Quality: gensim's two-worker
CBOW gain belongs to mix8m's line order").
"""
import os
import sys

source, target = sys.argv[1], sys.argv[2]
with open(source, "rb") as f:
    lines = f.read().split(b"\n")
if lines and lines[-1] == b"":
    lines.pop()
middle = sum(len(line) + 1 for line in lines) / 2
cut, read = len(lines), 0
for index, line in enumerate(lines):
    if read >= middle:
        cut = index
        break
    read += len(line) + 1
first, second = lines[:cut], lines[cut:]
alternated = []
for index in range(max(len(first), len(second))):
    alternated.extend(half[index] for half in (first, second) if index < len(half))
with open(target + ".tmp", "wb") as f:
    f.write(b"\n".join(alternated) + b"\n")
# Renamed once complete, so an interrupted run never leaves a partial corpus behind.
os.replace(target + ".tmp", target)
