"""Word classes (k-means): the package's labels are the command line's, and bad counts are
refused."""

import numpy as np
import pytest

from conftest import run_cli


def test_word_classes_are_the_command_lines(loaded, text_file):
    labels = loaded.word_classes(20, seed=4)
    assert labels.dtype == np.uint32 and labels.shape == (len(loaded),)
    assert set(labels.tolist()) <= set(range(20))
    lines = run_cli("classes", text_file, "-k", 20, "--seed", 4).stdout.splitlines()
    assert [line.split(" ")[0] for line in lines] == loaded.index_to_key
    assert [int(line.split(" ")[1]) for line in lines] == labels.tolist()
    # The same classes on any number of threads.
    np.testing.assert_array_equal(loaded.word_classes(20, seed=4, threads=1), labels)
    np.testing.assert_array_equal(loaded.word_classes(20, seed=4, threads=3), labels)


def test_word_classes_refuse_bad_counts(loaded):
    for bad in (0, -3):
        with pytest.raises(ValueError, match="classes must be at least 1"):
            loaded.word_classes(bad)
    with pytest.raises(ValueError, match="iterations must be at least 1"):
        loaded.word_classes(2, iterations=0)
    with pytest.raises(ValueError, match="need as many words with a non-zero vector"):
        loaded.word_classes(len(loaded) + 1)
