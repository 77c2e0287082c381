"""`vectrain.train`: the command line's `train`, its options, messages, progress and Ctrl-C."""

import inspect
import pydoc
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time

import numpy as np
import pytest
import vectrain
from conftest import SMALL, run_cli


def test_trains_the_same_vectors_as_the_command_line(trained, cli_vectors):
    from_cli = vectrain.load(cli_vectors)
    assert trained.index_to_key == from_cli.index_to_key
    # Deterministic runs of the same settings: bit for bit.
    assert np.array_equal(trained.vectors, from_cli.vectors)


def test_takes_every_option_of_the_command_line():
    help_text = run_cli("train", "--help").stdout
    flags = set(re.findall(r"^\s+(?:-\w, )?--([a-z][a-z-]*)", help_text, re.MULTILINE))
    # A distributed run starts under mpirun; --help and --input (corpus_file) aside.
    expected = {f.replace("-", "_") for f in flags} - {
        "distributed", "sync_every", "sync_mode", "sync_rows", "help", "input",
    }
    parameters = inspect.signature(vectrain.train).parameters
    assert expected <= set(parameters), expected - set(parameters)
    assert set(parameters) - expected == {"corpus_file", "sentences", "progress"}
    assert parameters["dim"].default == 100 and parameters["model"].default == "skipgram"
    assert parameters["sample"].default == 1e-3 and parameters["subwords"].default is False


def test_help_documents_every_argument():
    text = pydoc.render_doc(vectrain.train, renderer=pydoc.plaintext)
    for name in inspect.signature(vectrain.train).parameters:
        assert re.search(rf"^\s*{name} : ", text, re.MULTILINE), name
    assert "Subword (fastText) vectors" in text


def test_bad_options_raise_with_the_command_lines_messages(corpus, tmp_path):
    with pytest.raises(ValueError, match=r"invalid value 'many' for '--dim <DIM>'"):
        vectrain.train(corpus, dim="many", progress=False)
    with pytest.raises(ValueError, match=r"--dim"):
        vectrain.train(corpus, dim=0, progress=False)
    with pytest.raises(ValueError, match=r"--subwords"):
        vectrain.train(corpus, minn=2, progress=False)
    with pytest.raises(ValueError, match=r"possible values: skipgram, cbow"):
        vectrain.train(corpus, model="bag", progress=False)
    with pytest.raises(TypeError, match="unexpected keyword argument 'dims'"):
        vectrain.train(corpus, dims=10)
    with pytest.raises(TypeError, match="True or False"):
        vectrain.train(corpus, subwords="yes")
    missing = tmp_path / "nowhere.txt"
    with pytest.raises(FileNotFoundError, match="nowhere.txt"):
        vectrain.train(missing, progress=False)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(ValueError, match="holds no words"):
        vectrain.train(empty, progress=False)


def test_hierarchical_softmax_as_gensim_writes_it(corpus, trained):
    """hs=1, negative=0 (gensim's spelling) trains the same bits as the command line's
    --hs --negative 0, and the vectors learn."""
    settings = dict(SMALL, negative=0)
    hs = vectrain.train(corpus, hs=1, progress=False, **settings)
    with tempfile.TemporaryDirectory() as tmp:
        out = f"{tmp}/hs.txt"
        flags = [f"--{k.replace('_', '-')}={v}" for k, v in settings.items() if v is not True]
        run_cli("train", "--input", corpus, "--hs", "--deterministic", *flags, "--output", out)
        assert np.array_equal(hs.vectors, vectrain.load(out).vectors)
    assert hs.index_to_key == trained.index_to_key
    assert not np.array_equal(hs.vectors, trained.vectors)
    # KJV's first 6,000 verses: a name's nearest words are other names, under either
    # objective; here the two share some of their ten nearest.
    ours = {w for w, _ in hs.most_similar("aaron", topn=10)}
    theirs = {w for w, _ in trained.most_similar("aaron", topn=10)}
    assert len(ours & theirs) >= 2, (ours, theirs)
    assert vectrain.train(corpus, hs=0, progress=False, **SMALL).vectors.tobytes() == (
        trained.vectors.tobytes()
    )
    with pytest.raises(TypeError, match=r"True or False \(or 1 or 0\), not 2"):
        vectrain.train(corpus, hs=2, progress=False)
    with pytest.raises(ValueError, match="--hs"):
        vectrain.train(corpus, hs=True, model="batch-skipgram", progress=False)


def test_writes_the_output_only_when_asked(corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    vectrain.train(corpus, dim=8, epochs=1, backend="cpu", progress=False)
    assert list(tmp_path.iterdir()) == []
    output = tmp_path / "out.txt"
    v = vectrain.train(corpus, dim=8, epochs=1, backend="cpu", output=output, progress=False)
    assert vectrain.load(output).index_to_key == v.index_to_key


def test_progress_shows_on_stderr_before_the_summary(corpus, capfd):
    vectrain.train(corpus, dim=8, epochs=1, backend="cpu")
    # capfd: the progress line is Python's, the summary the run's own (file descriptor 2).
    err = capfd.readouterr().err
    assert "100%" in err and "epoch 1" in err and "alpha" in err
    assert err.count("100%") == 1
    assert err.index("100%") < err.index("trained "), err


def test_a_failing_progress_callback_stops_the_run(corpus):
    from vectrain._vectrain import train as native_train

    def fail(*_):
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        native_train(["--input", str(corpus), "--dim", "8", "--backend", "cpu"], fail)


def test_the_gil_is_released_while_training(corpus):
    ticks = 0
    run = threading.Thread(
        target=vectrain.train,
        args=(corpus,),
        kwargs=dict(dim=32, epochs=3, backend="cpu", progress=False),
    )
    run.start()
    while run.is_alive():
        ticks += 1
        time.sleep(0.001)
    run.join()
    # Holding the GIL for the whole run would have kept this thread from counting.
    assert ticks > 50, ticks


def test_ctrl_c_stops_cleanly_and_resume_continues(corpus, tmp_path):
    checkpoint = tmp_path / "run.checkpoint"
    script = textwrap.dedent(
        f"""
        import sys, vectrain
        def started(*_):
            print("started", flush=True)
        try:
            vectrain._vectrain.train(
                ["--input", {str(corpus)!r}, "--dim", "64", "--epochs", "10", "--backend", "cpu",
                 "--threads", "1", "--checkpoint", {str(checkpoint)!r}], started)
        except KeyboardInterrupt as stop:
            print("interrupted:", stop, flush=True)
            sys.exit(3)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "started"
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 3, err
    assert "its state is saved in" in out and str(checkpoint) in out
    assert checkpoint.exists()
    # The checkpoint holds every setting: resume alone continues the run to its end.
    resumed = vectrain.train(resume=checkpoint, progress=False)
    assert resumed.vector_size == 64
    assert not checkpoint.exists()


def test_keyboard_interrupt_without_a_checkpoint_leaves_no_file(corpus, tmp_path):
    script = textwrap.dedent(
        f"""
        import os, vectrain
        os.chdir({str(tmp_path)!r})
        def started(*_):
            print("started", flush=True)
        try:
            vectrain._vectrain.train(["--input", {str(corpus)!r}, "--epochs", "200",
                                      "--backend", "cpu"], started)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "started"
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=60)
    assert out.strip() == "interrupted", err
    assert list(tmp_path.iterdir()) == []


def kjv_sentences(corpus):
    with open(corpus, encoding="utf-8") as lines:
        return [line.split() for line in lines]


def test_sentences_train_the_same_vectors_as_their_file(corpus, trained, tmp_path, monkeypatch):
    # The temporary corpus goes under tmp_path, to see that nothing is left behind.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    sentences = kjv_sentences(corpus)
    from_list = vectrain.train(sentences=sentences, progress=False, **SMALL)
    from_generator = vectrain.train(sentences=(s for s in sentences), progress=False, **SMALL)
    for v in (from_list, from_generator):
        assert v.index_to_key == trained.index_to_key
        assert np.array_equal(v.vectors, trained.vectors)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "sentences, error, message",
    [
        ("in the beginning", TypeError, "not str"),
        (7, TypeError, "not int"),
        ([["in", "the"], "beginning"], TypeError, r"sentences\[1\] is a str"),
        ([["in", "the"], ["beginning", 3]], TypeError, r"sentences\[1\]\[1\] is int 3"),
        ([["in", "the"], [None]], TypeError, r"sentences\[1\]\[0\] is NoneType"),
        ([["in", "the beginning"]], ValueError, r"sentences\[0\]\[1\] = 'the beginning' holds white"),
        ([["in", "the\tbeginning"]], ValueError, r"sentences\[0\]\[1\] = 'the\\tbeginning'"),
        ([["in", ""]], ValueError, r"sentences\[0\]\[1\] is an empty word"),
        ([["in", "the\ud800"]], ValueError, "lone surrogate"),
        ([[], []], ValueError, "no words"),
        ([], ValueError, "no words"),
    ],
)
def test_sentences_that_a_corpus_cannot_hold_are_refused(
    sentences, error, message, tmp_path, monkeypatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(error, match=message):
        vectrain.train(sentences=sentences, dim=8, progress=False)
    assert list(tmp_path.iterdir()) == []


def test_a_corpus_is_a_file_or_sentences_not_both(corpus):
    with pytest.raises(TypeError, match="not both"):
        vectrain.train(corpus, sentences=[["in", "the", "beginning"]], progress=False)
    with pytest.raises(TypeError, match="lists of words go to sentences="):
        vectrain.train([["in", "the", "beginning"]], progress=False)


def test_a_run_on_sentences_resumes_with_the_same_sentences(corpus, trained, tmp_path, monkeypatch):
    checkpoint = tmp_path / "run.checkpoint"
    sentences = kjv_sentences(corpus)

    class StopAtFirstReport:
        def __call__(self, *_):
            raise RuntimeError("stopped")

        def close(self):
            pass

    monkeypatch.setattr(vectrain, "_ProgressLine", StopAtFirstReport)
    with pytest.raises(RuntimeError, match="stopped"):
        vectrain.train(sentences=sentences, checkpoint=checkpoint, **SMALL)
    assert checkpoint.exists()
    resumed = vectrain.train(sentences=sentences, resume=checkpoint, progress=False)
    # Deterministic: stopped and resumed gives the bits of a run never stopped.
    assert np.array_equal(resumed.vectors, trained.vectors)
    assert not checkpoint.exists()
