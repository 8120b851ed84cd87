"""A small learned detector of people's names, OR-ed with the rules of :mod:`hub_tools.data.redact_names`.

Token-level logistic regression (trained by ``python -m hub_tools.data.train_name_model`` on the labelled pool
only; shipped as plain float arrays in ``name_model.npz``, read with numpy, no pickle). Each word (Persian or Latin)
is scored from features of the word itself (in the given-, family-, Latin- or ambiguous-name lists of the
gazetteer, a common word, its script and shape, a family-name ending, hashed character 2-4-grams) and of its
context (the previous and next word when they are frequent context words of the pool (titles, kinship words,
verbs, prepositions), whether they are names of the gazetteer, the punctuation around it, first or last word).
The model is linear, so the word's own part of the score is cached per word; the context part is a few lookups.
Words scoring over the threshold (chosen by leave-one-writer-out cross-validation) are merged into spans when
adjacent. A word whose own score stays under a gate (chosen by leave-one-writer-out, see ``train_name_model``) is
not scored in context, and a text none of whose words reaches it is not tokenised (set operations on cached words):
the model adds about 10% to the redaction's time. The cross-validation measures the model with its gate.
"""

from __future__ import annotations

import functools
import math
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources

import numpy as np

from hub_tools.data.gazetteer import gazetteer, name_key

__all__ = ["NameModel", "shipped_model", "tokens", "token_features", "context_features", "feature_index",
           "MODEL_FILE", "BITS", "EDGE_PUNCTUATION", "plain_words", "SHIPPED", "resolve"]

MODEL_FILE = "name_model.npz"
BITS = 18

_FA = "\u0621-\u063a\u0641-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u0622\u0626\u06c0\u0654"
_TOKEN = re.compile(f"[{_FA}](?:[{_FA}]|\u200c(?=[{_FA}]))*|[A-Za-zÀ-ÿ]+(?:['’][A-Za-z]+)?")
_SUFFIXES = ("یان", "زاده", "نژاد", "پور", "فر", "راد", "منش", "نیا", "کیا", "وند", "لو", "ی", "آبادی",
             "ian", "yan", "zadeh", "pour", "poor", "nia", "far", "rad", "nejad", "i", "y", "lou", "vand")


EDGE_PUNCTUATION = "«»()[]\"،,.:;؛!؟?…"


@functools.lru_cache(maxsize=4)
def plain_words(text: str) -> tuple[str, frozenset[str]]:
    """``text`` with the punctuation at words' edges made spaces ("«مرتضی" is "مرتضی"), and its words; cached for the
    few texts in flight, as the rules (:func:`hub_tools.data.redact_names._given_words`) split the same text."""
    for mark in EDGE_PUNCTUATION:
        if mark in text:
            text = text.replace(mark, " ")
    return text, frozenset(text.split())


def tokens(text: str) -> list[tuple[int, int]]:
    """(start, end) of each Persian or Latin word of ``text``."""
    return [m.span() for m in _TOKEN.finditer(text)]


@functools.lru_cache(maxsize=1 << 16)
def token_features(word: str) -> tuple[str, ...]:
    """The features of the word itself (no context)."""
    g = gazetteer()
    key = name_key(word)
    latin = word[:1].isascii()
    feats = ["bias", "script:" + ("lat" if latin else "fa")]
    if latin:
        lower = word.lower()
        feats.append("shape:" + ("cap" if word[:1].isupper() and word[1:].islower() else
                                 "upper" if word.isupper() else "lower" if word.islower() else "mixed"))
        if g.is_latin_given(word):
            feats.append("gaz:latin")
        feats += [f"end:{s}" for s in _SUFFIXES if lower.endswith(s) and len(lower) > len(s) + 2][:2]
    else:
        if g.is_given(word):
            feats.append("gaz:given")
        elif g.is_given(word, ambiguous_ok=True):
            feats.append("gaz:ambiguous")
        if key in g.name_words:
            feats.append("gaz:name_word")
        if g.is_family(word):
            feats.append("gaz:family")
        if key in g.common:
            feats.append("gaz:common")
        if "\u200c" in word:
            feats.append("shape:zwnj")
        feats += [f"end:{s}" for s in _SUFFIXES if key.endswith(s) and len(key) > len(s) + 1][:2]
    if key in g.public:
        feats.append("gaz:public")
    feats.append(f"len:{min(len(word), 10)}")
    padded = f"<{key}>"
    for n in (2, 3, 4):
        feats += [f"c{n}:{padded[i:i + n]}" for i in range(len(padded) - n + 1)]
    return tuple(feats)


@functools.lru_cache(maxsize=1 << 16)
def _gaz_class(word: str | None) -> str:
    if word is None:
        return "none"
    feats = token_features(word)
    for name in ("gaz:given", "gaz:family", "gaz:latin", "gaz:ambiguous"):
        if name in feats:
            return name[4:]
    return "cap" if "shape:cap" in feats else "other"


_GAP_MARKS = "،,.:;؛!؟?()«»-\n"


def _gap(text: str) -> str:
    gap = text.strip()
    if not gap:
        return "space" if text else "none"
    return "p" + gap[-1] if gap[-1] in _GAP_MARKS else "sym"


def context_features(text: str, spans: Sequence[tuple[int, int]], i: int, vocab: frozenset[str]) -> list[str]:
    """The features of the ``i``-th word's context in ``text`` (``vocab``: the context words kept by identity)."""
    start, end = spans[i]
    prev_word = text[spans[i - 1][0] : spans[i - 1][1]] if i > 0 else None
    next_word = text[spans[i + 1][0] : spans[i + 1][1]] if i + 1 < len(spans) else None
    before = text[spans[i - 1][1] : start] if i > 0 else text[:start]
    after = text[end : spans[i + 1][0]] if i + 1 < len(spans) else text[end:]
    feats = [f"pg:{_gaz_class(prev_word)}", f"ng:{_gaz_class(next_word)}",
             f"gb:{_gap(before)}", f"ga:{_gap(after)}"]
    if i == 0:
        feats.append("first")
    if i + 1 == len(spans):
        feats.append("last")
    if prev_word is not None:
        prev_key = name_key(prev_word)
        if prev_key in vocab:
            feats.append("p:" + prev_key)
        if i > 1:
            prev2 = name_key(text[spans[i - 2][0] : spans[i - 2][1]])
            if prev2 in vocab:
                feats.append("pp:" + prev2)
    if next_word is not None:
        next_key = name_key(next_word)
        if next_key in vocab:
            feats.append("n:" + next_key)
    return feats


@functools.lru_cache(maxsize=1 << 17)
def feature_index(feature: str, bits: int = BITS) -> int:
    """The column of a feature (CRC-32 hashing: stable across runs, unlike ``hash``)."""
    return zlib.crc32(feature.encode("utf-8")) & ((1 << bits) - 1)


def _word_first(run: str) -> bool:
    """A lone word that is a common word before a name (``امید``, ``ستاره``, ``محمدی``): left to the rules."""
    if " " in run:
        return False
    feats = token_features(run)
    return "gaz:common" in feats or "gaz:ambiguous" in feats or "gaz:name_word" in feats


_MAX_CACHED_WORDS = 200_000


@dataclass
class NameModel:
    """The exported model: one weight per hashed feature, an intercept, a threshold and the context vocabulary."""

    coef: np.ndarray
    intercept: float
    threshold: float
    vocab: frozenset[str]
    gate: float = -math.inf  # the own score (intercept + the word's features) under which a word is no name
    bits: int = BITS
    _own: dict[str, float] = field(default_factory=dict, repr=False)
    _weights: dict[str, float] = field(default_factory=dict, repr=False)
    _seen: set[str] = field(default_factory=set, repr=False)
    _passing: set[str] = field(default_factory=set, repr=False)

    @classmethod
    def load(cls, path=None) -> NameModel:
        source = path if path is not None else resources.files("hub_tools.data").joinpath(MODEL_FILE)
        with (open(source, "rb") if path is not None else source.open("rb")) as handle:
            with np.load(handle, allow_pickle=False) as arrays:
                return cls(coef=arrays["coef"].astype(np.float64), intercept=float(arrays["intercept"]),
                           threshold=float(arrays["threshold"]), gate=float(arrays["gate"]),
                           vocab=frozenset(arrays["vocab"].tolist()), bits=int(arrays["bits"]))

    def _weight(self, features: Sequence[str]) -> float:
        total = 0.0
        for feature in features:
            weight = self._weights.get(feature)
            if weight is None:
                weight = self._weights[feature] = float(self.coef[feature_index(feature, self.bits)])
            total += weight
        return total

    def own_score(self, word: str) -> float:
        """The intercept and the word's own features (cached per word)."""
        score = self._own.get(word)
        if score is None:
            score = self._own[word] = self.intercept + self._weight(token_features(word))
        return score

    def logit(self, text: str, spans: Sequence[tuple[int, int]], i: int) -> float:
        """The score (log-odds) that the ``i``-th word of ``spans`` is part of a person's name."""
        start, end = spans[i]
        return self.own_score(text[start:end]) + self._weight(context_features(text, spans, i, self.vocab))

    def _candidates(self, text: str) -> set[str]:
        """The words of ``text`` whose own score reaches the gate (set operations on cached words: most texts have
        none worth a look in context)."""
        words = plain_words(text)[1]
        if len(self._seen) > _MAX_CACHED_WORDS:  # a bounded memory over a whole corpus
            self._seen.clear(), self._passing.clear(), self._own.clear()
        for word in words - self._seen:
            self._seen.add(word)
            if self.own_score(word) >= self.gate:
                self._passing.add(word)
        return words & self._passing

    def find(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each run of adjacent words scored as a name."""
        candidates = self._candidates(text)
        if not candidates:
            return
        spans = tokens(text)
        cut = math.log(self.threshold / (1.0 - self.threshold))
        runs: list[list[int]] = []
        previous = False
        for i, (start, end) in enumerate(spans):
            hit = text[start:end] in candidates and self.logit(text, spans, i) >= cut
            if hit and previous and text[runs[-1][1] : start].strip(" \u200c") == "":
                runs[-1][1] = end
            elif hit:
                runs.append([start, end])
            previous = hit
        for start, end in runs:
            if not _word_first(text[start:end]):
                yield start, end


@functools.cache
def shipped_model() -> NameModel:
    """The packaged model (read once, on first use)."""
    return NameModel.load()


SHIPPED = "shipped"  # the ``model`` argument that means the packaged model (``None``: the rules alone)


def resolve(model: NameModel | str | None) -> NameModel | None:
    return shipped_model() if model == SHIPPED else model
