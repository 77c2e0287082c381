"""Times gensim 4.4's KeyedVectors.load_word2vec_format on a word2vec text file.

usage: gensim_load.py VECTORS; prints the seconds taken (interpreter start-up excluded).
"""
import sys
import time

from gensim.models import KeyedVectors

start = time.perf_counter()
kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=False)
elapsed = time.perf_counter() - start
print(f"{elapsed:.3f} {len(kv)} {kv.vector_size}")
