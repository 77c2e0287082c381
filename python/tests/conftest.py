"""Shared fixtures: the command line built beside the package, a small corpus from the
project's data, and vectors trained on it once per session."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"


def cli_path():
    """The `vectrain` binary the test command built (or VECTRAIN_BIN)."""
    return pathlib.Path(os.environ.get("VECTRAIN_BIN", ROOT / "target" / "release" / "vectrain"))


def run_cli(*args):
    """Runs `vectrain ARGS`, failing the test with its stderr if it fails."""
    done = subprocess.run([str(cli_path()), *map(str, args)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="session")
def data():
    assert DATA.is_dir(), f"the project's data is missing: {DATA}"
    return DATA


@pytest.fixture(scope="session")
def corpus(tmp_path_factory, data):
    """The first 6,000 verses of the King James Bible (about 180,000 tokens)."""
    path = tmp_path_factory.mktemp("corpus") / "kjv6k.txt"
    with open(data / "kjv.txt", encoding="utf-8") as source:
        lines = [next(source) for _ in range(6000)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


# Settings of the vectors most tests query: small and quick, deterministic (one thread), so
# the command line and the package give the same bits.
SMALL = dict(dim=24, epochs=2, min_count=3, deterministic=True, backend="cpu", seed=3)


def small_flags():
    flags = []
    for name, value in SMALL.items():
        flag = "--" + name.replace("_", "-")
        flags += [flag] if value is True else [flag, str(value)]
    return flags


@pytest.fixture(scope="session")
def trained(corpus):
    import vectrain

    return vectrain.train(corpus, progress=False, **SMALL)


@pytest.fixture(scope="session")
def cli_vectors(tmp_path_factory, corpus):
    """The same vectors trained by the command line, as word2vec binary (exact floats)."""
    path = tmp_path_factory.mktemp("cli") / "vectors.bin"
    run_cli("train", "--input", corpus, "--output", path, *small_flags())
    return path


@pytest.fixture(scope="session")
def text_file(tmp_path_factory, trained):
    """The trained vectors saved as word2vec text."""
    path = tmp_path_factory.mktemp("files") / "vectors.txt"
    trained.save(path)
    return path


@pytest.fixture(scope="session")
def gensim_vectors(text_file):
    """gensim's `KeyedVectors` of that file."""
    from gensim.models import KeyedVectors

    return KeyedVectors.load_word2vec_format(str(text_file))


@pytest.fixture(scope="session")
def loaded(text_file):
    """vectrain's `Vectors` of that file."""
    import vectrain

    return vectrain.load(text_file)
