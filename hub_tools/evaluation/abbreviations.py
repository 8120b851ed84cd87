"""Abbreviations and the option words they stand for: "ASD" for "Atrial septal defect", "SNc" for "Substantia nigra
pars compacta", "Angiotensin-converting enzyme" for "ACE".

An abbreviation **spells** a run of words when each word of the run gives its initial, in order, and may give more
of its own letters after it ("ADA" = **A**denosine **D**e**a**minase, "AFP" = **A**lpha-**f**eto**p**rotein); a short
word inside the run (at most :data:`SKIPPED_WORD_CHARS` letters: "pars", "of") may give none. Where two options'
words are spelled, the one whose spelling uses more word initials is read, and a tie reads neither. This is stricter
than the Schwartz-Hearst rule, which lets any letter after the first come from inside any word: by it "EM" would
spell "Erythema nodosum" as well as "Erythema multiforme", and a wrong letter costs more than a miss.

- :func:`spell_out` rewrites what was said so that the option scorer (:mod:`.option_match`) can read it: an
  abbreviation said (two to six letters, two of them capitals) that spells a run of exactly one option's words is
  replaced by those words; a run of at least two words said that an option's own abbreviation (three letters or
  more) spells, for exactly one option, is replaced by that abbreviation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

__all__ = ["SKIPPED_WORD_CHARS", "abbreviations", "spell_out", "spells"]

#: A word inside a run with at most this many letters may give no letter ("pars" in "Substantia nigra pars compacta").
SKIPPED_WORD_CHARS = 4
#: An option's abbreviation needs this many letters before a run of said words is read as it: two letters spell too
#: many things ("RA": right atrium, rheumatoid arthritis).
MIN_OPTION_ABBREVIATION = 3
_MAX_EXTRA_WORDS = 2  # a run has at most as many words as the abbreviation has letters, plus this many

# a token of two to six letters with at least two capitals, not inside a longer word or a hyphenated one
# (a roman numeral is a number: "type IV")
_ABBREVIATION = re.compile(r"(?<![\w\-])(?![IVX]+(?![\w\-]))(?=(?:[a-z]*[A-Z]){2})[A-Za-z]{2,6}(?![\w\-])")
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_LATIN_COMPOUND = re.compile(r"[A-Za-z]+(?:[\-–][A-Za-z]+)*")


def abbreviations(text: str) -> list[re.Match]:
    """The abbreviations written in ``text`` ("ASD", "SNc", "mRNA")."""
    return list(_ABBREVIATION.finditer(text))


def spells(abbreviation: str, words: Sequence[str]) -> bool:
    """Whether ``abbreviation`` spells the run ``words`` (see the module docstring); case-insensitive."""
    return _initials(abbreviation, words) is not None


def _initials(abbreviation: str, words: Sequence[str]) -> int | None:
    """How many of the abbreviation's letters can be word initials in the best spelling of ``words``; None where it
    does not spell them."""
    run = [word.lower() for word in words]
    if len(run) < 2:
        return None
    best = _spell(abbreviation.lower(), run, 0, 0)
    return None if best < 0 else best


def _spell(letters: str, words: list[str], i: int, j: int) -> int:
    """The most initials in a spelling of ``letters[i:]`` by ``words[j:]``, or -1 where there is none."""
    if j == len(words):
        return 0 if i == len(letters) else -1
    word, best = words[j], -1
    if i < len(letters) and word[0] == letters[i]:
        for end in range(i + 1, len(letters) + 1):  # the initial, then letters[i + 1 : end] from inside the word
            if not _in_order(letters[i + 1 : end], word[1:]):
                break
            rest = _spell(letters, words, end, j + 1)
            if rest >= 0:
                best = max(best, rest + 1)
    if 0 < j < len(words) - 1 and len(word) <= SKIPPED_WORD_CHARS:  # a short word inside the run gives none
        best = max(best, _spell(letters, words, i, j + 1))
    return best


def _in_order(letters: str, word: str) -> bool:
    rest = iter(word)
    return all(letter in rest for letter in letters)


def _runs(abbreviation: str, words: list[str]) -> list[tuple[int, int, int]]:
    """The runs of ``words`` (as [start, end) indexes, with the initials used) that ``abbreviation`` spells."""
    longest = len(abbreviation) + _MAX_EXTRA_WORDS
    runs = []
    for start in range(len(words)):
        for end in range(start + 2, min(len(words), start + longest) + 1):
            initials = _initials(abbreviation, words[start:end])
            if initials is not None:
                runs.append((start, end, initials))
    return runs


def spell_out(
    said: str, choices: Sequence[str], known: Callable[[str], bool] = lambda abbreviation: False
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """``said`` with its abbreviations written as the option words they spell and the said runs an option's
    abbreviation spells written as it; also each (abbreviation, words) pair used. Unchanged where nothing is
    read or a reading fits more than one option. An abbreviation ``known`` to mean something already ("IM":
    intramuscular, in the concept lexicon) is left as it is."""
    option_words = [_word_lists(str(choice)) for choice in choices]
    pairs: list[tuple[str, str]] = []
    for match in reversed(abbreviations(said)):
        words = None if known(match.group()) else _only_option_run(match.group(), option_words)
        if words is not None:
            said = said[: match.start()] + words + said[match.end() :]
            pairs.append((match.group(), words))
    said_words = list(_LATIN_WORD.finditer(said))
    for abbreviation, start, end in _option_abbreviations_said(said_words, choices):
        long_form = said[said_words[start].start() : said_words[end - 1].end()]
        said = said[: said_words[start].start()] + abbreviation + said[said_words[end - 1].end() :]
        pairs.append((abbreviation, long_form))
    return said, tuple(reversed(pairs))


def _word_lists(choice: str) -> list[list[str]]:
    """An option's words, and where it has compounds ("Artemisinin-based", "receptor–stimulating"), its words with
    each compound as one word: "ACT" spells "Artemisinin-based Combination Therapy" with the compound giving one
    initial."""
    words = _LATIN_WORD.findall(choice)
    compounds = _LATIN_COMPOUND.findall(choice)
    return [words, compounds] if compounds != words else [words]


def _only_option_run(abbreviation: str, option_words: list[list[list[str]]]) -> str | None:
    if any(word.lower() == abbreviation.lower() for lists in option_words for word in lists[0]):
        return None  # an option has it as a word: the option scorer reads it as said
    found = []
    for lists in option_words:  # each option by the better of its word lists
        spelled = [(max(runs, key=lambda run: run[2]), words)
                   for words in lists if (runs := _runs(abbreviation, words))]  # fmt: skip
        if spelled:
            found.append(max(spelled, key=lambda item: item[0][2]))
    found.sort(key=lambda item: -item[0][2])
    if not found or (len(found) > 1 and found[1][0][2] >= found[0][0][2]):
        return None  # two options spell it equally well (for "SNc", "Subthalamic nuCleus" uses fewer initials
        # than "Substantia Nigra pars Compacta", so the latter is read)
    (start, end, _), words = found[0]
    return " ".join(words[start:end])


def _option_abbreviations_said(said_words: list[re.Match], choices: Sequence[str]) -> list[tuple[str, int, int]]:
    """(abbreviation, start, end) for each option abbreviation that spells a run of the said words, where exactly
    one option's does; the last run first, so that rewriting keeps the earlier indexes."""
    words = [match.group() for match in said_words]
    readings: dict[tuple[int, int], dict[int, str]] = {}  # run -> {option index: its abbreviation}
    for index, choice in enumerate(choices):
        for match in abbreviations(str(choice)):
            if len(match.group()) >= MIN_OPTION_ABBREVIATION:
                for start, end, _ in _runs(match.group(), words):
                    readings.setdefault((start, end), {})[index] = match.group()
    chosen = [(next(iter(named.values())), *run) for run, named in readings.items() if len(named) == 1]
    chosen = _disjoint(sorted(chosen, key=lambda item: (item[1], -item[2])))
    return sorted(chosen, key=lambda item: -item[1])


def _disjoint(runs: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []
    for run in runs:
        if not out or run[1] >= out[-1][2]:
            out.append(run)
    return out
