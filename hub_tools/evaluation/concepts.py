"""A medical concept lexicon (a gazetteer): the names one concept goes by, so an answer that names an option by a
synonym, a brand name, an abbreviation or a translation ("PTU" for "پروپیل‌تیواوراسیل", "Tegretol" for
"Carbamazepine", "High potassium" for "Hyperkalemia") reads as that option.

The lexicon is ``concepts.tsv`` beside this module (written from standard medical knowledge for this project; its
header names source and licence): one concept a line, a canonical id, a TAB and its surface forms separated by ``|``.
Forms are compared in the folding module's match form (:func:`hub_tools.folding.match_key`: letters, hamza and teh
marbuta folded, ZWNJ and punctuation read as spaces, case-insensitive), word by word; an all-capital form (an
abbreviation: "ALL", "MI") matches only in capitals, so "all" the word is never acute lymphoblastic leukaemia. A form
two concepts share names neither. The lexicon is read once, on first use.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from hub_tools.folding import match_key

__all__ = ["ConceptSpan", "broader", "concept_forms", "concept_spans", "concept_words", "lexicon_size"]

_LEXICON = "concepts.tsv"
_CLASSES = "concept_classes.tsv"


@dataclass(frozen=True)
class ConceptSpan:
    """A run of words (``start``, ``end`` word indexes) that names a concept, and the words as said."""

    concept: str
    start: int
    end: int
    said: str


def fold_words(text: str, casefold: bool = True) -> list[str]:
    """The words of a text in the lexicon's match form."""
    return match_key(text, hamza=True, teh_marbuta=True, casefold=casefold, loanwords=True).split()


def _is_abbreviation(form: str) -> bool:
    letters = [ch for ch in form if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isascii() and ch.isupper() for ch in letters)


@dataclass(frozen=True)
class _Lexicon:
    forms: dict[tuple[str, ...], str]  # folded words -> concept id (any case)
    abbreviations: dict[tuple[str, ...], str]  # words as written (capitals) -> concept id
    longest: int
    concepts: int
    named_by: dict[str, tuple[str, ...]]  # concept id -> its forms as written, those that name it alone


def _entries(text: str) -> list[tuple[str, list[str]]]:
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        concept, _, forms = line.partition("\t")
        out.append((concept.strip(), [form.strip() for form in forms.split("|") if form.strip()]))
    return out


def _index(entries: list[tuple[str, list[str]]]) -> _Lexicon:
    seen: dict[tuple[bool, tuple[str, ...]], set[str]] = {}
    for concept, forms in entries:
        for form in forms:
            abbreviation, key = _key(form)
            if key:
                seen.setdefault((abbreviation, key), set()).add(concept)
    forms_: dict[tuple[str, ...], str] = {}
    abbreviations: dict[tuple[str, ...], str] = {}
    for (abbreviation, key), concepts in seen.items():
        if len(concepts) == 1:  # a form two concepts share ("GBS", "AS") names neither
            (abbreviations if abbreviation else forms_)[key] = next(iter(concepts))
    longest = max((len(key) for _, key in seen), default=1)
    named_by = {concept: tuple(form for form in forms if len(seen.get(_key(form), ())) == 1)
                for concept, forms in entries}  # fmt: skip
    return _Lexicon(forms_, abbreviations, longest, len(entries), named_by)


def _key(form: str) -> tuple[bool, tuple[str, ...]]:
    abbreviation = _is_abbreviation(form)
    return abbreviation, tuple(fold_words(form, casefold=not abbreviation))


@cache
def _lexicon() -> _Lexicon:
    return _index(_entries(files(__package__).joinpath(_LEXICON).read_text(encoding="utf-8")))


@cache
def _broader_index() -> dict[str, frozenset[str]]:
    """Each concept -> every concept it is a kind of, directly or through others (``concept_classes.tsv``)."""
    direct: dict[str, set[str]] = {}
    for line in files(__package__).joinpath(_CLASSES).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            member, _, kind = line.partition("\t")
            direct.setdefault(member.strip(), set()).add(kind.strip())
    return {concept: frozenset(_ancestors(concept, direct)) for concept in direct}


def _ancestors(concept: str, direct: dict[str, set[str]]) -> set[str]:
    found: set[str] = set()
    todo = list(direct.get(concept, ()))
    while todo:
        kind = todo.pop()
        if kind not in found and kind != concept:
            found.add(kind)
            todo.extend(direct.get(kind, ()))
    return found


def broader(concept: str) -> frozenset[str]:
    """The concepts ``concept`` is a kind of: "sertraline" -> {"ssri", …}; empty for none."""
    return _broader_index().get(concept, frozenset())


@cache
def concept_words() -> frozenset[str]:
    """The one-word forms of the lexicon (drugs, diseases, tests; not the capital abbreviations), in the match form
    of :func:`fold_words`: a word the redaction does not take for a person's name on its shape alone."""
    return frozenset(key[0] for key in _lexicon().forms if len(key) == 1)


def concept_forms(concept: str) -> tuple[str, ...]:
    """The forms of a concept as the lexicon writes them, less those another concept shares ("AS")."""
    return _lexicon().named_by.get(concept, ())


def lexicon_size() -> int:
    """How many concepts the lexicon names."""
    return _lexicon().concepts


def _lookup(lexicon: _Lexicon, folded: tuple[str, ...], written: tuple[str, ...]) -> str | None:
    return (lexicon.abbreviations.get(written) or lexicon.forms.get(folded) or lexicon.forms.get(_singular(folded))
            or lexicon.abbreviations.get(_without_plural(written)) or lexicon.forms.get(_without_plural(folded)))


_PERSIAN_PLURAL = re.compile(r"(?<=\w{2})(?:های|ها)$")


def _without_plural(words: tuple[str, ...]) -> tuple[str, ...]:
    """The last word without a Persian plural ending glued to it ("SSRIها", "بتابلاکرها")."""
    return (*words[:-1], _PERSIAN_PLURAL.sub("", words[-1]))


def _singular(words: tuple[str, ...]) -> tuple[str, ...]:
    """The last word without an English plural "s" ("statins", "beta blockers")."""
    last = words[-1]
    if len(last) > 4 and last.isascii() and last.endswith("s") and not last.endswith("ss"):
        return (*words[:-1], last[:-1])
    return words


def concept_spans(text: str, prefer: Collection[str] = ()) -> list[ConceptSpan]:
    """The concepts a text names, left to right, each at its longest form; but where the longest names none of the
    concepts in ``prefer`` and a shorter form starting in it does, at that form ("کاهش گلوکونئوژنز کبدی" names one
    concept, but read against an option "Decreasing hepatic gluconeogenesis" it is decreasing, liver and
    gluconeogenesis)."""
    lexicon = _lexicon()
    folded, written = fold_words(text), fold_words(text, casefold=False)
    if len(folded) != len(written):  # casefolding changed the word count (it never should): no concepts
        return []
    spans, index = [], 0
    while index < len(folded):
        found = _concepts_at(lexicon, folded, written, index)
        if not found:
            index += 1
            continue
        concept, stop = next(((c, end) for c, end in found if c in prefer), found[0])
        if prefer and concept not in prefer and any(
            c in prefer for inner in range(index + 1, stop) for c, _ in _concepts_at(lexicon, folded, written, inner)
        ):
            index += 1  # its first word as a word: a preferred concept starts further in
            continue
        spans.append(ConceptSpan(concept, index, stop, " ".join(written[index:stop])))
        index = stop
    return spans


def _concepts_at(lexicon: _Lexicon, folded: list[str], written: list[str], index: int) -> list[tuple[str, int]]:
    """(concept, end) of each form that starts at ``index``, longest first."""
    sizes = range(min(lexicon.longest, len(folded) - index), 0, -1)
    found = ((_lookup(lexicon, tuple(folded[index : index + size]), tuple(written[index : index + size])), size)
             for size in sizes)  # fmt: skip
    return [(concept, index + size) for concept, size in found if concept is not None]
