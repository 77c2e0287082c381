"""vectrain: word vectors (word2vec skip-gram and CBOW, fastText subwords) trained on any GPU
through wgpu or on the CPU, loaded from word2vec, GloVe and fastText files, and queried as
numpy arrays with gensim's ``KeyedVectors`` calls.

>>> import vectrain
>>> v = vectrain.train("corpus.txt", dim=100, epochs=5)     # doctest: +SKIP
>>> v.most_similar("king", topn=3)                          # doctest: +SKIP
>>> weights = v.matrix({"<pad>": 0, "king": 1, "queen": 2}) # doctest: +SKIP
"""

from __future__ import annotations

import copyreg
import inspect
import os
import re
import sys
import tempfile
import textwrap
import time

from ._vectrain import Phrases as _Phrases
from ._vectrain import english_connector_words as _english_connector_words
from ._vectrain import Vectors
from ._vectrain import train as _train
from ._vectrain import train_options as _train_options

__all__ = ["ENGLISH_CONNECTOR_WORDS", "Phrases", "Vectors", "load", "train"]

# gensim's ENGLISH_CONNECTOR_WORDS, for Phrases(connector_words=...).
ENGLISH_CONNECTOR_WORDS = frozenset(_english_connector_words())


def _quiet_mesa_runtime_dir():
    """Mesa's Vulkan and GL drivers print "error: XDG_RUNTIME_DIR is invalid or not set"
    whenever wgpu looks for adapters without that variable. As the command line does, point
    it at a private directory of this user when it is unset or unusable; nothing is written
    there (a compute program needs no display socket)."""
    current = os.environ.get("XDG_RUNTIME_DIR", "")
    if sys.platform != "linux" or (os.path.isabs(current) and os.path.isdir(current)):
        return
    import stat
    import tempfile

    uid = os.getuid()
    path = os.path.join(tempfile.gettempdir(), f"vectrain-runtime-{uid}")
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return
    info = os.lstat(path)
    if stat.S_ISDIR(info.st_mode) and info.st_uid == uid and stat.S_IMODE(info.st_mode) == 0o700:
        os.environ["XDG_RUNTIME_DIR"] = path


_quiet_mesa_runtime_dir()

# Every option of `vectrain train`, read from the command line's own definitions:
# (name, flag, switch, default, choices, help).
_OPTIONS = [option for option in _train_options() if option[0] != "input"]
_BY_NAME = {option[0]: option for option in _OPTIONS}
# Options whose command-line default does not apply here: the vectors come back, and are
# written to a file only when `output` names one.
_NO_DEFAULT = {"output"}


def _restore_vectors(keys, vectors, counts, model):
    """Vectors from what ``_reduce_vectors`` kept."""
    return Vectors._restore(keys, vectors, counts, model)


def _reduce_vectors(vectors):
    """What pickle (and ``copy.deepcopy``) keeps of ``Vectors``: the words, the table, the
    counts and a subword model's fastText ``.bin`` bytes, so that vectors go to the
    processes of ``multiprocessing``, joblib or a data loader's workers."""
    return _restore_vectors, (
        vectors.index_to_key,
        vectors.vectors,
        vectors._counts(),
        vectors._model_bytes(),
    )


copyreg.pickle(Vectors, _reduce_vectors)


def load(path, format=None):
    """Reads vectors from ``path`` (``Vectors.load``): word2vec text or binary, GloVe text, or
    a fastText ``.bin``, detected unless ``format`` names it."""
    return Vectors.load(os.fspath(path), format)


def train(corpus_file=None, **options):
    # The signature and the documentation are set below from the command line's options.
    sentences = options.pop("sentences", None)
    if sentences is None:
        return _train_file(corpus_file, options)
    if corpus_file is not None:
        raise TypeError("train() takes corpus_file or sentences, not both")
    with tempfile.TemporaryDirectory(prefix="vectrain-sentences-") as folder:
        path = os.path.join(folder, "sentences.txt")
        _write_sentences(sentences, path)
        # The text lives only for this call: a corpus cache of it would never be read again.
        if options.get("cache_dir") is None and options.get("no_cache") is None:
            options["no_cache"] = True
        return _train_file(path, options)


# The bytes that separate words in a corpus file (`src/corpus/tokenize.rs`); a newline also
# ends the sentence.
_SEPARATORS = re.compile("[ \t\n\r\x0b\x0c]")
_SEPARATORS_BUT_SPACE = re.compile("[\t\n\r\x0b\x0c]")


def _write_sentences(sentences, path, purpose="train on"):
    """Writes ``sentences`` (lists of str) to ``path`` as a corpus file, one sentence a line,
    refusing what that file could not hold as it stands: a word with a separator in it (it
    would become two words) or an empty word (it would vanish)."""
    if isinstance(sentences, (str, bytes)) or not hasattr(sentences, "__iter__"):
        raise TypeError(
            f"sentences is a list (or any iterable) of sentences, each a list of str, "
            f"not {type(sentences).__name__}"
        )
    words = 0
    with open(path, "wb") as out:
        for index, sentence in enumerate(sentences):
            if isinstance(sentence, (str, bytes)):
                raise TypeError(
                    f"sentences[{index}] is a {type(sentence).__name__}, not a list of words "
                    "(split it into words first)"
                )
            try:
                sentence = list(sentence)
                line = " ".join(sentence)
            except TypeError:
                raise TypeError(_word_type_error(index, sentence)) from None
            if not sentence:
                continue
            if (
                not all(sentence)
                or line.count(" ") != len(sentence) - 1
                or _SEPARATORS_BUT_SPACE.search(line)
            ):
                raise ValueError(_bad_word_error(index, sentence))
            try:
                out.write(line.encode("utf-8"))
            except UnicodeEncodeError:
                raise ValueError(
                    f"sentences[{index}] holds a str that is not valid Unicode "
                    "(a lone surrogate)"
                ) from None
            out.write(b"\n")
            words += len(sentence)
    if words == 0:
        raise ValueError(f"sentences holds no words: there is nothing to {purpose}")


class Phrases(_Phrases):
    """The phrases of a corpus, as gensim's ``Phrases`` and word2vec.c's word2phrase find
    them: adjacent words ``a b`` seen together far more often than their own counts predict,
    joined into one token ``a_b``.

    ``Phrases(sentences=None, corpus_file=None, min_count=5, threshold=None,
    scoring="default", delimiter="_", threads=None)`` counts the words and pairs of
    ``sentences`` (lists of str) or of ``corpus_file`` (UTF-8 text or gzip, a sentence a
    line). ``scoring="default"`` is word2phrase's ``(count(a b) - min_count) / (count(a) *
    count(b)) * corpus_word_count`` (threshold 100 unless given); ``"npmi"`` is gensim's
    normalized pointwise mutual information (threshold 0.5 unless given). A pair scoring
    above the threshold is joined, left to right, by ``delimiter``. ``connector_words``
    (gensim's, e.g. ``vectrain.ENGLISH_CONNECTOR_WORDS``) may stand inside a phrase
    (``bank_of_america``) but never begin or end one.

    ``phrases[sentence]`` joins one sentence; ``phrases[sentences]`` joins each sentence of
    an iterable, lazily. ``rewrite(corpus_file, output)`` writes a whole corpus file joined;
    ``export_phrases()`` gives every phrase with its score; ``score(a, b)`` one pair's.
    ``save(path)`` writes the phrases to a phrase file, which ``Phrases.load(path)`` and
    ``vectrain phrases --phrases-from`` read back; they pickle too.
    """

    def __new__(cls, sentences=None, corpus_file=None, min_count=5, threshold=None,
                scoring="default", delimiter="_", threads=None, connector_words=frozenset()):
        if isinstance(connector_words, str):
            raise TypeError("connector_words is a set of words, not a str")
        options = dict(min_count=min_count, threshold=threshold, scoring=scoring,
                       delimiter=delimiter, threads=threads,
                       connector_words=sorted(connector_words))
        if (sentences is None) == (corpus_file is None):
            raise TypeError("Phrases() takes sentences or corpus_file (one of them)")
        if corpus_file is not None:
            if not isinstance(corpus_file, (str, bytes, os.PathLike)):
                raise TypeError(
                    f"corpus_file is a path, not {type(corpus_file).__name__}; "
                    "lists of words go to sentences="
                )
            return super().__new__(cls, os.fsdecode(corpus_file), **options)
        with tempfile.TemporaryDirectory(prefix="vectrain-phrases-") as folder:
            path = os.path.join(folder, "sentences.txt")
            _write_sentences(sentences, path, purpose="find phrases in")
            return super().__new__(cls, path, **options)

    @classmethod
    def load(cls, path, delimiter="_"):
        """The phrases of a phrase file (``save``, ``vectrain phrases --save-phrases``), to
        be joined by ``delimiter``."""
        return _Phrases.__new__(cls, delimiter=delimiter, phrase_file=os.fsdecode(path))

    def save(self, path):
        """Writes the phrases to ``path``: ``first second score count`` lines, highest score
        first, atomically."""
        self._save(os.fsdecode(path))

    def __getitem__(self, sentence):
        if isinstance(sentence, (str, bytes)):
            raise TypeError("a sentence is a list of words (str), not a str: split it first")
        if isinstance(sentence, (list, tuple)) and all(isinstance(w, str) for w in sentence):
            return self._join(list(sentence))
        if not hasattr(sentence, "__iter__"):
            raise TypeError(
                f"phrases[...] takes a sentence (a list of str) or an iterable of them, "
                f"not {type(sentence).__name__}"
            )
        return (self[one] for one in sentence)

    def freeze(self):
        """gensim's ``freeze``: the phrases without the counts that found them (as after
        ``load`` or unpickling: ``score`` gives the saved scores, the settings are None)."""
        return _restore_phrases(self.delimiter, self._phrase_list(), self.connector_words)

    def rewrite(self, corpus_file, output, threads=None):
        """Writes ``corpus_file`` to ``output`` with its phrases joined, a line per line,
        atomically; returns ``{"lines", "tokens", "joined"}``."""
        return super().rewrite(os.fsdecode(corpus_file), os.fsdecode(output), threads)


def _restore_phrases(delimiter, phrases, connector_words=()):
    """Phrases from what ``_reduce_phrases`` kept."""
    return _Phrases.__new__(Phrases, delimiter=delimiter, phrases=phrases,
                            connector_words=sorted(connector_words))


def _reduce_phrases(phrases):
    """What pickle keeps of ``Phrases``: the phrases with their scores and counts, the
    delimiter and the connector words (the counts that found them stay behind, as in
    gensim's frozen phrases)."""
    return _restore_phrases, (phrases.delimiter, phrases._phrase_list(),
                              sorted(phrases.connector_words))


copyreg.pickle(Phrases, _reduce_phrases)


def _word_type_error(index, sentence):
    if not hasattr(sentence, "__iter__"):
        return f"sentences[{index}] is {type(sentence).__name__}, not a list of words"
    for position, word in enumerate(sentence):
        if not isinstance(word, str):
            return f"sentences[{index}][{position}] is {type(word).__name__} {word!r}, not a str"
    return f"sentences[{index}] is not a list of str"


def _bad_word_error(index, sentence):
    for position, word in enumerate(sentence):
        if not word:
            return f"sentences[{index}][{position}] is an empty word"
        if _SEPARATORS.search(word):
            return (
                f"sentences[{index}][{position}] = {word!r} holds white space, which separates "
                "words in vectrain's corpus (it would train as several words)"
            )
    return f"sentences[{index}] cannot be written as one line of words"


def _train_file(corpus_file, options):
    progress = options.pop("progress", True)
    if corpus_file is not None and not isinstance(corpus_file, (str, bytes, os.PathLike)):
        raise TypeError(
            f"corpus_file is a path, not {type(corpus_file).__name__}; "
            "lists of words go to sentences="
        )
    # Every value joined to its flag (`--input=-c.txt`), so that one starting with a dash is
    # never taken for an option.
    args = [] if corpus_file is None else ["--input=" + os.fsdecode(corpus_file)]
    for name, value in options.items():
        if name not in _BY_NAME:
            raise TypeError(f"train() got an unexpected keyword argument {name!r}")
        if value is None:
            continue
        _, flag, switch, _, _, _ = _BY_NAME[name]
        if switch:
            # gensim writes its switches as 0 and 1 (hs=1): those are taken too.
            if not (isinstance(value, bool) or (type(value) is int and value in (0, 1))):
                raise TypeError(
                    f"train() argument {name!r} is True or False (or 1 or 0), not {value!r}"
                )
            if value:
                args.append(flag)
        else:
            args.append(f"{flag}={_option_text(value)}")
    reporter = _ProgressLine() if progress else None
    try:
        return _train(args, reporter)
    finally:
        if reporter is not None:
            reporter.close()


def _option_text(value):
    """A value as the command line takes it; floats keep every digit."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


def _python_default(option):
    """The command line's default of an option as a Python value."""
    name, _, switch, default, _, _ = option
    if switch:
        return False
    if default is None or name in _NO_DEFAULT:
        return None
    for kind in (int, float):
        try:
            return kind(default)
        except ValueError:
            pass
    return default


def _signature():
    parameters = [
        inspect.Parameter(
            "corpus_file", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None
        ),
        inspect.Parameter("sentences", inspect.Parameter.KEYWORD_ONLY, default=None),
    ]
    parameters += [
        inspect.Parameter(
            option[0], inspect.Parameter.KEYWORD_ONLY, default=_python_default(option)
        )
        for option in _OPTIONS
    ]
    parameters.append(
        inspect.Parameter("progress", inspect.Parameter.KEYWORD_ONLY, default=True)
    )
    return inspect.Signature(parameters)


def _doc():
    lines = [
        "Trains word vectors on ``corpus_file`` or ``sentences`` and returns them as",
        "``Vectors``.",
        "",
        "It runs the command line's ``vectrain train``: every option of the command is a",
        "keyword argument here (``--min-count 5`` is ``min_count=5``, a switch such as",
        "``--subwords`` is ``subwords=True``), with the same defaults and the same",
        "checks; a bad value raises ``ValueError`` with the command line's message. The",
        "GIL is released while it trains. Ctrl-C stops the run cleanly after the chunks",
        "under way and raises ``KeyboardInterrupt`` (with ``checkpoint`` or ``output``",
        "given, the state is saved first, and ``resume=`` that checkpoint continues it).",
        "",
        "Parameters",
        "----------",
        "corpus_file : str or os.PathLike, optional",
        "    UTF-8 text (or .gz), one sentence per line, tokens separated by white space.",
        "    Without it or ``sentences``, a small embedded corpus (the King James Bible) is",
        "    used.",
        "sentences : iterable of lists of str, optional",
        "    The corpus as gensim's ``Word2Vec(sentences=...)`` takes it, instead of",
        "    ``corpus_file``: any iterable (a generator too, read once) of sentences, each a",
        "    list of words. It is written to a temporary file for the run and removed after.",
        "    A word holding white space, or an empty word, raises ``ValueError`` (the file",
        "    could not keep it one word); resuming such a run takes the same sentences again.",
    ]
    for option in _OPTIONS:
        name, flag, switch, _, choices, help_text = option
        default = _python_default(option)
        kind = "bool" if switch else ("str" if choices else type(default).__name__)
        if default is None and not switch:
            kind = "optional"
        heading = f"{name} : {kind}, default {default!r}  (command line: {flag})"
        if choices:
            heading += f"; one of {', '.join(repr(c) for c in choices)}"
        lines.append(heading)
        text = help_text
        if name in _NO_DEFAULT:
            text += " Here: none, the vectors are only returned unless a path is given."
        lines += textwrap.wrap(text, 88, initial_indent="    ", subsequent_indent="    ")
    lines += [
        "progress : bool, default True",
        "    Show a progress line on stderr (in a terminal and in a notebook's output).",
        "",
        "Returns",
        "-------",
        "Vectors",
        "    The trained vectors; with ``subwords=True`` the whole subword model, which gives",
        "    vectors to unseen words and saves as fastText's ``.bin``.",
    ]
    return "\n".join(lines)


train.__signature__ = _signature()
train.__doc__ = _doc()


class _ProgressLine:
    """Training progress as one line rewritten in place: percent done, words/s, epoch, loss
    and learning rate. Written to ``sys.stderr``, which a terminal and a notebook show."""

    #: Seconds between redraws.
    INTERVAL = 0.25
    #: Width of the bar, in characters.
    WIDTH = 30

    def __init__(self):
        self.started = time.monotonic()
        self.last = float("-inf")
        self.shown = False
        self.finished = False

    def __call__(self, done, total, epoch, loss, alpha):
        if self.finished:
            # The line is complete; the run's summary (final loss included) follows it.
            return
        now = time.monotonic()
        if now - self.last < self.INTERVAL and done < total:
            return
        self.last = now
        elapsed = now - self.started
        fraction = done / total if total else 0.0
        filled = int(self.WIDTH * fraction)
        rate = f", {done / elapsed:,.0f} words/s" if elapsed > 0 and done else ""
        shown_loss = f", loss {loss:.4f}" if loss == loss and loss != 0 else ""
        self.shown = self._write(
            f"\r[{'=' * filled}{' ' * (self.WIDTH - filled)}] {100 * fraction:3.0f}%"
            f"{rate}, epoch {epoch + 1}{shown_loss}, alpha {alpha:.5f}"
        )
        if done >= total:
            # The run's own summary follows on the next line.
            self.finished = True
            self.close()

    def close(self):
        if self.shown:
            self._write("\n")
            self.shown = False

    def _write(self, text):
        """Writes ``text`` to ``sys.stderr``; False, and no more lines, where there is no
        stderr to write to (``pythonw``, a closed stream): the run goes on without them."""
        try:
            sys.stderr.write(text)
            sys.stderr.flush()
        except (AttributeError, ValueError, OSError):
            self.finished = True
            return False
        return True
