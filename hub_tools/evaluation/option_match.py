"""Which option a short answer names by a loose form of its text: a paraphrase, a partial or reordered form, another
script or a number written another way ("Rifampin" for "ریفامپین", "نوع چهار" for "نوع IV", "E. coli" for "اشریشیا
کلی", "کم‌خونی فقر آهن" for "کمبود آهن").

Every option is scored against what was said; the answer is the best option only with a clear lead:

- **Terms**: the words of the folding module's match form (:func:`hub_tools.folding.match_key`, hamza and teh marbuta
  loose, case-insensitive), function words dropped. A number is one term however it is written: digits in any
  script with or without thousands separators ("۱۰۰٬۰۰۰" = "100000"), number words with a scale word ("صد هزار",
  "one hundred thousand"), and a roman numeral or a Persian/English number word after a naming word ("type IV" =
  "نوع چهار" = "نوع 4"). Two adjacent terms also read as one ("آدنو کارسینوم" = "آدنوکارسینوم", "N-استیل سیستئین" =
  "acetylcysteine").
- **Term match** (0-1): the same term or the same word with a short ending ("steroid"/"steroids") 1; a near spelling
  in the same script, between words longer than 8 letters ("rubeola" is not "rubella"), its similarity (difflib
  ratio, at least 0.8: "hypocalcemia" against "hypercalcemia" is 0.88, so
  a near spelling never beats the exact one by much); a word in the other script by its consonant skeleton
  (:func:`skeleton`: "rifampin" and "ریفامپین" are both ``rfmpn``, "oxalate" and "اگزالات" ``kslt``) 0.9 when equal,
  less when close (from six consonants on: "sandfly" is not "پشه آنوفل").
- **Directions and absences**: a direction of change is one term ("پایین" = "کاهش" = "low" = "decreased"), and an
  absence binds to what is absent ("بدون صفرا" = "غیرصفراوی", never "صفراوی"); a number glued to its unit is the
  number and the unit ("4g" = "۴ گرم"), and a decimal is one number ("0.4" is not "4"; "۶/۵" is 6.5); a lone
  capital before an English word is a term ("U waves" is not "T waves"); an ABO group and its Rh sign is one term
  ("O-" = "O neg" = "O منفی"); a word of degree no option has names nothing ("Heavy proteinuria").
- **Weights**: a term names an option as far as the other options lack it: weight log(4/df)/log(4) where df is the
  number of options that have it (1 -> 1, 2 -> 0.5, 3 -> 0.21, all four -> 0: "نوع" in "نوع I … نوع IV" carries
  nothing); a term the question already uses names the topic, not the option, and counts half.
- **Score** of an option: the weighted share of its terms that were said (recall), or, where higher, the harmonic
  mean of that and the share of the said terms that are the option's (precision): a short answer that is the
  option's head word ("Ampulla." for "Ampulla of fallopian tube") scores by both.
- **Decision**: the best option when its score is at least :data:`MIN_SCORE` and leads the second by at least
  :data:`MIN_MARGIN` (both chosen by leave-one-writer-out on the labelled pool: bench/extract_lowo.py), and no
  runner-up scoring at least :data:`EARLIER_RUNNER_UP` was said before it ("Fluids first! IV normal saline, then
  insulin"); otherwise no option. A wrong letter costs more than a miss, so a near tie is never read.
- **Concepts**: where the words give no option, they are read again with the medical concept lexicon
  (:mod:`.concepts`): in the answer, the options and the question, each run of words that names a concept (longest
  first) becomes one term, the concept, equal only to itself ("Tegretol" = "Carbamazepine" = "کاربامازپین", "High
  potassium" = "Hyperkalemia"). The same scores, weights and decision follow, so a concept two options share weighs
  half and names neither, and the option read must have a concept among what was said.
- **Abbreviations**: where neither decides, they are read once more with each abbreviation said written as the
  option words it spells, and each run of said words an option's abbreviation spells written as that abbreviation
  (:mod:`.abbreviations`: "SNc" = "Substantia nigra pars compacta", "Angiotensin-converting enzyme" = "ACE").
- **Quantities**: where none of these decide, a short answer's quantities are written as the one option quantity of
  the same amount (:mod:`.quantities`: "2 years" as "۲۴ ماه", "0.4 mg" as "۴۰۰ میکروگرم", "Forty" as "40").
- **Kinds**: then a concept said that no option names is written as the one option concept it is a kind of
  ("sertraline" as "SSRIs"), or that is a kind of it, unless the question names it ("The ACE inhibitor" as
  "Enalapril"; :func:`.concepts.broader`).
- **Forms**: where none of these decide, a terse answer (at most :data:`FORMS_MAX_TERMS` terms) is read once more
  with a concept it names written as each of that concept's other forms (an option said in full or by its head
  alone: "Lipoid nephrosis" as "بیماری تغییرات حداقل" for "بیماری با تغییرات حداقل"), and an option whose concept,
  written as another of its forms, is word for word what was said; every such reading must name the same option
  (:func:`form_variants`).
- **Alternatives**: an option that offers two ("پنی‌سیلین یا آموکسی‌سیلین", "X or Y") scores as the better of each
  alternative in its place.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import partial

from hub_tools.folding import fold_digits, match_key

from .abbreviations import spell_out
from .concepts import broader, concept_forms, concept_spans, fold_words
from .quantities import NUMBER_WORDS, decimal_slashes, number_at, quantities, same_amount

__all__ = ["MIN_MARGIN", "MIN_SCORE", "OptionMatch", "match_option", "score_options", "skeleton", "terms"]

#: The best option's score must be at least this …
MIN_SCORE = 0.5
#: … and lead the second best by at least this.
MIN_MARGIN = 0.3
#: A near spelling in the same script matches from this similarity on.
NEAR_SPELLING = 0.8
#: A near spelling counts only between words longer than this: one letter apart, short words are as often two
#: different words ("rubeola"/"rubella", "miosis"/"mitosis") as one misspelt, and a wrong letter costs more than a miss.
NEAR_SPELLING_MIN_CHARS = 8
#: A runner-up said this well, and said before the best option, leaves the answer open.
EARLIER_RUNNER_UP = 0.4
#: A near skeleton in the other script counts only between skeletons of at least this many consonants: five or
#: fewer, one apart, are as often two words ("sndfl"/"psnfl": "sandfly" and "پشه آنوفل").
NEAR_SKELETON_MIN_CHARS = 6
#: A terse answer of at most this many terms that is one option's head term, and that term no other option's, names
#: that option whatever follows the head ("INH" for "ایزونیازید به مدت ۶ تا ۹ ماه").
HEAD_ALONE_MAX_TERMS = 2
#: A term the question uses counts this much.
QUESTION_TERM_WEIGHT = 0.5

_WORD = re.compile(r"\w+")
# function words name no option (Persian plural and ezafe pieces split off by the ZWNJ folding included)
_FUNCTION_WORDS = frozenset(
    "the and with for from that this are was use used into over under its their than then only all any both none "
    "of in on at to by or an a is be as it no not which who most common usually part portion".split()
    + "و با در از به که را یا برای این آن است هر بر تا ها های ای ی می شود شده هستند باشد همراه".split()
)
# a number word or roman numeral is a number after one of these (type IV, نوع چهار, grade 2)
_NUMBER_NAMING = frozenset(
    "نوع تیپ گروه کلاس درجه مرحله فاز type class grade stage group phase".split()
)
_NUMBER_WORDS = {
    "یک": "1", "دو": "2", "سه": "3", "چهار": "4", "پنج": "5", "شش": "6",
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6",
}  # fmt: skip
_FULL = 1.0
_SAID = 0.9  # a term matched at least this well is said (the same word, or the same word in the other script)
_PARTIAL = 0.9  # an option said to less than this share is said only in part
_MOST = 0.5  # an option said in part without its head: at least this share of it
_OTHER_SCRIPT_EQUAL = 0.9
_ENDING_CHARS = 3  # "steroid"/"steroids", "آنتی بادی"/"آنتی بادیها"


@dataclass(frozen=True)
class Term:
    text: str  # the folded word, or a number as ASCII digits
    latin: bool  # written in Latin letters (a word in the other script is compared by its skeleton)
    skeleton: str
    initial: bool = False  # a genus initial ("E." of "E. coli"): it matches only before the species it abbreviates
    concept: bool = False  # a concept of the lexicon (its id): it matches only the same concept


@dataclass(frozen=True)
class OptionMatch:
    """The option read, its score, the runner-up's score and the option's terms that were said."""

    letter: str
    score: float
    second: float
    matched: tuple[str, ...]
    concepts: tuple[tuple[str, str], ...] = ()  # (concept id, the words said) where a concept named the option
    spelled: tuple[tuple[str, str], ...] = ()  # (abbreviation, the words it spells) where one was read

    def describe(self) -> str:
        words = ", ".join(self.matched)
        by_concept = "; ".join(f"by concept '{concept}' ({said})" for concept, said in self.concepts)
        spelled = "; ".join(f"'{short}' = '{long_}'" for short, long_ in self.spelled)
        parts = (words, by_concept, spelled)
        return f"score {self.score:.2f}, next {self.second:.2f}: " + "; ".join(p for p in parts if p)


# a number word is a number before one of these ("شش ماه" = "۶ ماهگی", "one and five minutes" = "1 and 5 minutes")
_COUNTED = frozenset(
    "ماه ماهگی سال سالگی روز روزگی هفته هفتگی ساعت دقیقه ثانیه بار نوبت دوز گرم لیتر "
    "month months year years day days week weeks hour hours minute minutes times doses "
    "mah maah sal saal rooz ruz hafte hafteh saat daghighe".split()
)
# an ordinal is a number next to a naming word ("the third phase" = "Phase III", "مرحله دوم" = "مرحله 2")
_ORDINALS = {
    "اول": "1", "دوم": "2", "سوم": "3", "چهارم": "4", "پنجم": "5", "ششم": "6",
    "first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "sixth": "6",
}  # fmt: skip


# a direction of change is one term however it is said: "C3 پایین" = "کاهش C3" = "low C3" = "decreased C3"
_DIRECTIONS = {
    **dict.fromkeys("افزایش بالا increased increase increasing elevated high raised rise rises rising".split(),
                    "increased"),
    **dict.fromkeys("کاهش پایین decreased decrease decreasing reduced reducing low suppressed lowered fall falls"
                    .split(), "decreased"),
}
# an absence binds to what is absent, as in one word: "بدون صفرا" is "غیرصفرا", the same word as "غیرصفراوی", and
# never "صفراوی"
_WITHOUT = frozenset({"بدون", "فاقد"})
_NON_PREFIX = "غیر"


def _join_without(words: list[str]) -> list[str]:
    out: list[str] = []
    for word in words:
        if out and out[-1] in _WITHOUT:
            out[-1] = _NON_PREFIX + word
        else:
            out.append(word)
    return out


def _term_at(words: list[str], index: int) -> Term:
    """The term of ``words[index]``, read with the words on either side (a number word's naming or counted word)."""
    previous = words[index - 1] if index else ""
    following = words[index + 1] if index + 1 < len(words) else ""
    return _term(words[index], previous, following)


def _term(word: str, previous: str, following: str) -> Term:
    decimal = _DECIMAL_WORD.fullmatch(word)
    if word.isdigit():
        text = word.lstrip("0") or "0"
    elif decimal is not None:  # "0d4" is 0.4, "4d50" 4.5, "4d0" 4
        fraction = decimal.group(2).rstrip("0")
        text = (decimal.group(1).lstrip("0") or "0") + (f".{fraction}" if fraction else "")
    elif word in _NUMBER_WORDS and previous in _NUMBER_NAMING:
        text = _NUMBER_WORDS[word]
    elif word in _ORDINALS and (previous in _NUMBER_NAMING or following in _NUMBER_NAMING):
        text = _ORDINALS[word]
    elif word in NUMBER_WORDS and word != "a" and following in _COUNTED:
        text = str(NUMBER_WORDS[word])
    elif word in _DIRECTIONS:
        text = _DIRECTIONS[word]
    else:
        text = word
    latin = text.isascii() and not _is_number(text)
    return Term(text, latin, skeleton(text))


def terms(text: str) -> list[Term]:
    """The content terms of a text, in order (function words and one-letter words dropped, but a genus initial
    such as the "E." of "E. coli" kept as an initial)."""
    text = _GENUS_INITIAL.sub(lambda m: f" {_INITIAL_MARK}{m.group(1).lower()} ", text)
    text = _BLOOD_GROUP.sub(_blood_group_term, text)
    text = _LONE_CAPITAL.sub(lambda m: f" {_CAPITAL_MARK}{m.group(1).lower()} ", text)
    words = _join_without(_numbers_in_words(
        _WORD.findall(match_key(_whole_numbers(_GLUED_UNIT.sub(r"\1 ", text)), hamza=True, teh_marbuta=True,
                                loanwords=True))
    ))  # fmt: skip
    out = []
    for index, word in enumerate(words):
        if word.startswith(_INITIAL_MARK) and len(word) == len(_INITIAL_MARK) + 1:
            out.append(Term(word[-1], True, word[-1], initial=True))
            continue
        if word.startswith(_CAPITAL_MARK) and len(word) == len(_CAPITAL_MARK) + 1:
            out.append(Term(word, True, ""))  # compared only with the same letter
            continue
        if word.startswith(_BLOOD_GROUP_MARK):
            out.append(Term(word, True, "", concept=True))  # compared only with the same group and sign
            continue
        term = _term_at(words, index)
        if _names_something(term.text):
            out.append(term)
    return out


# a thousands separator between digits: "100,000", "۱۰۰٬۰۰۰" are one number
_THOUSANDS = re.compile(r"(?<=\d)[,٬](?=\d{3}(?!\d))")
# a decimal point between digits, kept inside the word as a letter ("0.4" -> "0d4") so that the match form, which
# drops punctuation, keeps the number whole: "0.4 mg" is not "4 mg"
_DECIMAL_POINT = re.compile(r"(?<=\d)[.٫](?=\d)")
_DECIMAL_WORD = re.compile(r"(\d+)d(\d+)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _whole_numbers(text: str) -> str:
    """The text with each number one word: thousands separators dropped, a decimal point (or a slash between Persian
    digits: "۶/۵") kept as "d"."""
    return _DECIMAL_POINT.sub("d", _THOUSANDS.sub("", fold_digits(decimal_slashes(text))))


def _is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None


# a number glued to its unit is the number and the unit: "4g" = "4 g" ("۴ گرم"), "10mg", "48h"
# (from the run's first digit only: tried at every digit of a long run, the match would take quadratic time)
_GLUED_UNIT = re.compile(
    r"(?<![^\W\d_])(?<!\d)(\d+(?:[.٫]\d+)?)(?=(?i:mg|mcg|g|kg|ml|l|h|hr|hrs|min|mins|cm|mm|bpm|iu|d)\b)"
)


def _numbers_in_words(words: list[str]) -> list[str]:
    """Runs of number words with a hundred or a scale word in them written as digits: "صد هزار" and "one hundred
    thousand" are "100000" ("یک", "two" alone stay words: they are numbers only after a naming word)."""
    out: list[str] = []
    index = 0
    while index < len(words):
        end, value = _number_run(words, index)
        if value is None:
            out.append(words[index])
            index += 1
        else:
            out.append(str(value))
            index = end
    return out


def _number_run(words: list[str], start: int) -> tuple[int, int | None]:
    found = number_at(words, start)
    return (found[0], int(found[1])) if found is not None and found[2] else (start, None)


_CONCEPT_MARK = "concept:"


def concept_terms(text: str, prefer: Collection[str] = ()) -> list[Term]:
    """The content terms of a text with each run of words that names a concept of the lexicon read as one term (at a
    shorter run where that names a concept in ``prefer``: :func:`.concepts.concept_spans`)."""
    text = _whole_numbers(text)  # "100,000" and "0.4" are one number here too
    words = fold_words(text)
    spans = {span.start: span for span in concept_spans(text, prefer)}
    out, index = [], 0
    while index < len(words):
        span = spans.get(index)
        if span is not None and not (span.end == index + 1 and words[index] in _DIRECTIONS):  # a direction is a term
            out.append(Term(_CONCEPT_MARK + span.concept, True, "", concept=True))
            index = span.end
            continue
        end, value = _number_run(words, index)  # "۱۰۰ هزار" is 100000, as in :func:`terms`
        if value is not None and not any(index < start < end for start in spans):
            out.append(_term(str(value), "", ""))
            index = end
            continue
        term = _term_at(words, index)
        if _names_something(term.text):
            out.append(term)
        index += 1
    return out


# "E. coli", "H. pylori": a capital, a full stop and a lower-case word
_GENUS_INITIAL = re.compile(r"(?<![A-Za-z])([A-Z])\.\s?(?=[a-z]{3,})")
_INITIAL_MARK = "initial"
# a capital letter standing alone before an English word names what it qualifies ("U waves" is not "T waves", "B
# cells"): not the article "A", the pronoun "I", nor a roman numeral's letter (read as a number after a naming word)
_LONE_CAPITAL = re.compile(
    r"(?<![\w.\-+/])([B-HJ-UWYZ])(?=[ \t]+(?!(?i:and|or|nor|the|is|are|was|were|not|but|with|for|then)\b)[A-Za-z]{3,})"
)  # not a letter before a function word: "B and C" lists two options
_CAPITAL_MARK = "capital"


# an ABO group and its Rh sign, in any notation, is one term: "O-" = "O neg" = "O negative" = "O منفی" = "O با Rh منفی"
_BLOOD_GROUP = re.compile(
    r"(?<![\w\-+])(?P<group>AB|A|B|O)(?:[ \t]+(?:(?:با|with)[ \t]+)?Rh)?[ \t]*"
    r"(?:(?P<minus>[-−–](?![\w\-])|(?i:neg|negative)\b|منفی(?!\w))|"
    r"(?P<plus>\+(?![\w+])|(?i:pos|positive)\b|مثبت(?!\w)))"
)
_BLOOD_GROUP_MARK = "bloodgroup"


def _blood_group_term(match: re.Match) -> str:
    return f" {_BLOOD_GROUP_MARK}{match.group('group').lower()}{'neg' if match.group('minus') else 'pos'} "


def _names_something(text: str) -> bool:
    if text in _FUNCTION_WORDS:
        return False
    return len(text) >= 3 or _is_number(text) or (len(text) == 2 and text.isascii())


def _joined(a: Term, b: Term) -> Term:
    if a.concept or b.concept:  # a concept joined to a word is no word: it matches only the same two joined
        return Term(f"{a.text}+{b.text}", True, "", concept=True)
    text = a.text + b.text
    return Term(text, a.latin and b.latin, skeleton(text))


# -- consonant skeletons: Latin and Persian spellings of one word reduce to the same string ---------------------------
_LATIN_DIGRAPHS = (("ph", "f"), ("th", "t"), ("sh", "s"), ("ch", "k"), ("ck", "k"), ("qu", "k"), ("x", "ks"))
_SOFT_C = re.compile(r"c(?=[eiy])")
_LATIN_CLASSES = str.maketrans({"c": "k", "q": "k", "z": "s", "j": "g", "a": None, "e": None, "i": None, "o": None,
                                "u": None, "y": None, "h": None, "w": None, "v": None})  # fmt: skip
_PERSIAN_CLASSES = str.maketrans({
    "ب": "b", "پ": "p", "ت": "t", "ث": "s", "ج": "g", "چ": "k", "ح": None, "خ": "k", "د": "d", "ذ": "s", "ر": "r",
    "ز": "s", "ژ": "g", "س": "s", "ش": "s", "ص": "s", "ض": "s", "ط": "t", "ظ": "s", "ع": None, "غ": "g", "ف": "f",
    "ق": "k", "ک": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "و": None, "ه": None, "ی": None, "ا": None,
    "آ": None, "ء": None, "أ": None, "إ": None, "ؤ": None, "ئ": None, "ة": None, "\u0654": None,
})  # fmt: skip
_PERSIAN_DIGRAPHS = (("گز", "کس"),)  # "اگزالات" is "oxalate", "اگزما" "eczema": Latin x
_DOUBLED = re.compile(r"(.)\1+")


def skeleton(word: str) -> str:
    """The consonants of a word as Latin classes (vowels, h, w/v and their Persian letters dropped; s/z, k/c/q, g/j
    merged; doubled letters once): "rifampin" and "ریفامپین" are both ``rfmpn``, "coli" and "کلی" ``kl``."""
    if word.isascii():
        for pair, single in _LATIN_DIGRAPHS:
            word = word.replace(pair, single)
        word = _SOFT_C.sub("s", word).translate(_LATIN_CLASSES)
    else:
        for pair, single in _PERSIAN_DIGRAPHS:
            word = word.replace(pair, single)
        word = word.translate(_PERSIAN_CLASSES)
    return _DOUBLED.sub(r"\1", word)


# -- matching ---------------------------------------------------------------------------------------------------------
def _same_word(a: str, b: str) -> bool:
    """The same word with a short ending ("steroid"/"steroids"), or the same Persian stem ("سوخته"/"سوختگی")."""
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 4 and long_.startswith(short) and len(long_) - len(short) <= _ENDING_CHARS:
        return True
    stem_a, stem_b = _persian_stem(a), _persian_stem(b)
    return len(stem_a) >= 3 and stem_a == stem_b


_PERSIAN_ENDING = re.compile(r"(?:گی|ه|ی)$")


def _persian_stem(word: str) -> str:
    """A Persian word without its adjective/noun ending (-ه, -گی, -ی): "سوخته" and "سوختگی" are "سوخت"."""
    return word if word.isascii() else _PERSIAN_ENDING.sub("", word)


def _prefixed(a: str, b: str) -> bool:
    """One skeleton is the other with something before it: another word ("adeno" + "carcinoma"), where an ending
    after it ("synchronized"/"سینکرونایز") is the same word."""
    short, long_ = sorted((a, b), key=len)
    return short != long_ and short in long_ and not long_.startswith(short)


def _contains(a: str, b: str) -> bool:
    short, long_ = sorted((a, b), key=len)
    return short in long_


def term_match(a: Term, b: Term) -> float:
    """How far two terms are the same word (0-1; see the module docstring)."""
    if a.text == b.text:
        return _FULL
    if a.concept or b.concept:
        return 0.0
    if _is_number(a.text) or _is_number(b.text):
        return 0.0
    if a.latin == b.latin:
        if _same_word(a.text, b.text):
            return _FULL
        if min(len(a.text), len(b.text)) < 4 or _contains(a.text, b.text):
            return 0.0  # "influenza" is not "parainfluenza", "کارسینوم" not "آدنوکارسینوم"
        if _spelling_variants(a, b):
            return _OTHER_SCRIPT_EQUAL
        if min(len(a.text), len(b.text)) <= NEAR_SPELLING_MIN_CHARS:
            return 0.0  # "rubeola" is not "rubella"
        ratio = SequenceMatcher(None, a.text, b.text).ratio()
        return ratio if ratio >= NEAR_SPELLING else 0.0
    latin, persian = (a, b) if a.latin else (b, a)
    return _other_script_match(latin.skeleton, persian.skeleton)


_BRITISH = re.compile(r"(?<=[a-z])(?:ae|oe)|^(?:ae|oe)(?=[a-z]{3})")  # "haemoglobin", "oedema", "paediatric"
#: A Persian transliteration spelt two ways ("لیتیم"/"لیتیوم", "هایپر"/"هیپر") has the same skeleton of at least this
#: many consonants; fewer, and two different words share it too often.
PERSIAN_VARIANT_CONSONANTS = 3


def _spelling_variants(a: Term, b: Term) -> bool:
    """One word in two spellings of the same script: British and American ("haemoglobin"/"hemoglobin"), or a Persian
    transliteration with and without its long vowels ("لیتیم"/"لیتیوم"), from the same first letter ("ویتامین" is not
    "تیامین")."""
    if a.latin:
        return _BRITISH.sub("e", a.text) == _BRITISH.sub("e", b.text)
    return (min(len(a.text), len(b.text)) >= 5 and a.skeleton == b.skeleton and a.text[0] == b.text[0]
            and len(a.skeleton) >= PERSIAN_VARIANT_CONSONANTS)  # fmt: skip


def _other_script_match(latin: str, persian: str) -> float:
    """A Latin word against a Persian one by skeleton; the Latin "-s" of a plural or of "-itis"/"-osis" may be
    missing from the Persian ("macules"/"ماکول", "neuritis"/"نوریت")."""
    a, b = latin, persian
    if len(a) < 2 or len(b) < 2:
        return 0.0
    if a == b or (len(b) >= 3 and a == b + "s"):
        return _OTHER_SCRIPT_EQUAL
    if min(len(a), len(b)) < 4 or _prefixed(a, b):
        return 0.0  # "carcinoma" is not "آدنوکارسینوم" (krsnm in dnkrsnm)
    if min(len(a), len(b)) < NEAR_SKELETON_MIN_CHARS:
        return 0.0  # "sandfly" (sndfl) is not "پشه آنوفل" (psnfl) joined
    ratio = SequenceMatcher(None, a, b).ratio()
    return _OTHER_SCRIPT_EQUAL * ratio if ratio >= NEAR_SPELLING else 0.0


def _best(term: Term, units: Sequence[Term]) -> float:
    return max((term_match(term, unit) for unit in units), default=0.0)


def _units(said: list[Term]) -> list[Term]:
    """The said terms, and each two adjacent ones read as one word."""
    return said + [_joined(a, b) for a, b in zip(said, said[1:])]


def _option_matches(option: list[Term], said: list[Term]) -> list[float]:
    """Each option term's best match among the said units; two adjacent option terms said as one word both match;
    a genus initial matches the option term before the species it precedes ("E. coli" for "اشریشیا کلی")."""
    units = _units(said)
    found = [_best(term, units) for term in option]
    for index, (a, b) in enumerate(zip(option, option[1:])):
        together = _best(_joined(a, b), units)
        if together > max(found[index], found[index + 1]):
            found[index] = found[index + 1] = together
        if any(i.initial and _initial_of(i.text, a) and term_match(s, b) >= _SAID for i, s in zip(said, said[1:])):
            found[index] = max(found[index], _OTHER_SCRIPT_EQUAL)
    return found


_INITIAL_CLASSES = {"ا": "aeiou", "آ": "aeiou", "ع": "aeiou", "ه": "h", "ح": "h", "خ": "kh"}


def _initial_of(letter: str, term: Term) -> bool:
    """Whether ``letter`` can be the initial of ``term`` in either script."""
    first = term.text[:1]
    if term.latin or first.isascii():
        return first == letter
    sound = _INITIAL_CLASSES.get(first) or first.translate(_PERSIAN_CLASSES)
    return letter in sound or skeleton(letter) == sound


def _weights(options: list[list[Term]], question: list[Term]) -> list[list[float]]:
    """Each option term's weight: how few options have it (log(4/df)/log(4)), halved where the question uses it."""
    out = []
    for option in options:
        row = []
        for term in option:
            df = sum(any(term_match(term, other) >= _SAID for other in terms_) for terms_ in options)
            weight = math.log(len(options) / max(df, 1)) / math.log(len(options))
            if question and _best(term, question) >= NEAR_SPELLING:
                weight *= QUESTION_TERM_WEIGHT
            row.append(weight)
        out.append(row)
    return out


@dataclass(frozen=True)
class _Scored:
    score: float
    recall: float
    matched: tuple[str, ...]  # the option's terms that were said
    positions: tuple[int, ...]  # the said terms that are the option's
    head_said: bool = False  # the option's first weighted term (its head) was said
    head_alone: bool = False  # a terse answer that is the option's head, a term no other option has, and nothing else


def _said_weights(said: list[Term], options: list[list[Term]], weights: list[list[float]]) -> list[float]:
    """A said term weighs what the option terms it matches weigh (the most of them); a term no option has weighs 1:
    it is something else said."""
    out = []
    for term in said:
        pairs = [(t, w) for option, row in zip(options, weights) for t, w in zip(option, row)]
        hits = [w for t, w in pairs if term_match(term, t) >= NEAR_SPELLING]
        out.append(max(hits) if hits else 1.0)
    return out


def _score(said: list[Term], said_weights: list[float], option: list[Term], weight: list[float]) -> _Scored:
    total, said_total = sum(weight), sum(said_weights)
    if not said or total == 0 or said_total == 0:
        return _Scored(0.0, 0.0, (), ())
    found = _option_matches(option, said)
    recall = sum(w * m for w, m in zip(weight, found)) / total
    own = _units(option)
    hits = [_best(term, own) for term in said]
    precision = sum(w * h for w, h in zip(said_weights, hits)) / said_total
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    matched = tuple(term.text for term, m, w in zip(option, found, weight) if m and w)
    positions = tuple(index for index, hit in enumerate(hits) if hit >= NEAR_SPELLING)
    head, head_weight = next(((m, w) for m, w in zip(found, weight) if w), (0.0, 0.0))
    head_alone = (head >= _SAID and head_weight == 1.0 and precision >= _SAID
                  and len(said) <= HEAD_ALONE_MAX_TERMS)  # fmt: skip
    return _Scored(max(recall, f1), recall, matched, positions, head >= _SAID, head_alone)


def score_options(
    said_text: str, choices: Sequence[str], question: str | None = None, by_concept: bool = False
) -> list[_Scored]:
    """Each option's score against ``said_text``, in order; ``by_concept`` reads concepts of the lexicon as terms."""
    return _scored_and_said(said_text, choices, question, by_concept)[0]


def _scored_and_said(
    said_text: str, choices: Sequence[str], question: str | None, by_concept: bool
) -> tuple[list[_Scored], int]:
    """Each option's score (:func:`score_options`) and how many terms were said."""
    read = concept_terms if by_concept else terms
    asked = read(question) if question else []
    options = [read(str(choice)) for choice in choices]
    said = _said_terms(said_text, options, by_concept)
    scored = _scores(said, options, asked)
    for index, choice in enumerate(choices):  # "پنی‌سیلین یا آموکسی‌سیلین": either alternative said names it
        for alternative in _alternatives(str(choice)):
            options_ = [*options[:index], read(alternative), *options[index + 1 :]]
            scored[index] = max(scored[index], _scores(said, options_, asked)[index], key=lambda s: s.score)
    return scored, len(said)


# words of degree: beside an option's word they qualify it ("Heavy proteinuria" for "Proteinuria > 3.5 g/day"), and
# name nothing unless an option has them ("Mild …" against "Severe …")
_DEGREE_WORDS = frozenset(
    "heavy massive marked significant gross profound severe large huge extensive very شدید زیاد خیلی حجیم".split()
)


def _said_terms(said_text: str, options: list[list[Term]], by_concept: bool) -> list[Term]:
    """The terms of what was said, read against the options' terms: concepts at the runs the options name, and words
    of degree no option has left out."""
    named = {term.text[len(_CONCEPT_MARK) :] for option in options for term in option if term.concept}
    said = concept_terms(said_text, named) if by_concept else terms(said_text)
    in_options = {term.text for option in options for term in option}
    return [term for term in said if term.text not in _DEGREE_WORDS or term.text in in_options]


def _scores(said: list[Term], options: list[list[Term]], asked: list[Term]) -> list[_Scored]:
    weights = _weights(options, asked)
    said_weights = _said_weights(said, options, weights)
    return [_score(said, said_weights, option, weight) for option, weight in zip(options, weights)]


_ALTERNATIVES = re.compile(r"\s+(?:یا|(?i:or))\s+")  # not "/": "Deaths / total population" is a ratio


def _alternatives(choice: str) -> list[str]:
    """An option that offers alternatives ("Penicillin or amoxicillin", "پنی‌سیلین یا آموکسی‌سیلین"): each one;
    none for an option without."""
    parts = [part for part in _ALTERNATIVES.split(choice) if part.strip()]
    return parts if len(parts) > 1 else []


def _substituted(said_count: int, scored: _Scored) -> bool:
    """An option said only in part, with something else said in or next to the stretch that names it: "Teres minor"
    for "Teres major", "the fallopian tube, specifically the isthmus" for "Ampulla of the fallopian tube". The other
    word may be a synonym, but it may as well be the contrast, and a wrong letter costs more than a miss."""
    if scored.recall >= _PARTIAL or not scored.positions:
        return False
    if not scored.head_said and scored.recall < _MOST:
        return True  # "Fallopian." does not name "Ampulla of fallopian tube"; "ORS خوراکی" names "محلول ORS خوراکی"
    first, last = min(scored.positions), max(scored.positions)
    around = range(max(0, first - 1), min(said_count, last + 2))
    return any(index not in scored.positions for index in around)


def match_option(said_text: str, choices: Sequence[str] | None, question: str | None = None) -> OptionMatch | None:
    """The option ``said_text`` names by its text, loosely, with a clear lead; None when none does (see the module
    docstring)."""
    if not choices or len(choices) != 4:
        return None
    return (_read(said_text, choices, question, by_concept=False) or _read_by_concept(said_text, choices, question)
            or _read_rewritten(said_text, choices, question, _spelled_out)
            or _read_rewritten(said_text, choices, question, _unclipped)
            or _read_rewritten(said_text, choices, question, _converted)
            or _read_rewritten(said_text, choices, question, partial(_as_kinds, question=question))
            or _read_rewritten(said_text, choices, question, _finglish_as_options)
            or _read_by_forms(said_text, choices, question))  # fmt: skip


#: A clipped form has at least this many letters ("vanc", "Hep", "staph"), in Persian one more ("سیپرو"; "است" is
#: a word, not "استخوان" clipped) …
CLIPPED_MIN_CHARS = 3
CLIPPED_MIN_CHARS_PERSIAN = 4
#: … and the option word it clips at least this many more.
CLIPPED_MIN_REST = 3
#: Only a terse answer is read for clipped forms: in running text a word's first letters are as often another word.
CLIPPED_MAX_TERMS = 3
_WORD_RUN = re.compile(r"[^\W\d_]+")  # a run of letters, either script
_Rewrite = Callable[[str, Sequence[str]], tuple[str, tuple[tuple[str, str], ...]]]


def _read_rewritten(
    said_text: str, choices: Sequence[str], question: str | None, rewrite: _Rewrite
) -> OptionMatch | None:
    """The option read once ``rewrite`` has written what was said another way; None where it wrote nothing."""
    rewritten, pairs = rewrite(said_text, choices)
    if not pairs:
        return None
    read = _read(rewritten, choices, question, by_concept=False)
    return None if read is None else replace(read, spelled=pairs)


def _spelled_out(said_text: str, choices: Sequence[str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The abbreviations said written as the option words they spell, and the said words an option's abbreviation
    spells as that abbreviation (:mod:`.abbreviations`)."""
    return spell_out(said_text, choices, known=_known_among(choices))


def _known_among(choices: Sequence[str]) -> Callable[[str], bool]:
    """Whether an abbreviation is known (the concept lexicon) as a concept one of the options names: then it is read
    as that concept ("IM": intramuscular), not as the initials of an option's words."""
    named = {span.concept for choice in choices for span in concept_spans(str(choice))}
    return lambda abbreviation: any(span.concept in named for span in concept_spans(abbreviation))


def _unclipped(said_text: str, choices: Sequence[str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A terse answer with each word in it that is the clipped start of exactly one option word, in one option,
    written as that word ("vanc" for "Vancomycin", "Hep B" for "Hepatitis B", "آزیترو" for "آزیترومایسین")."""
    if len(terms(said_text)) > CLIPPED_MAX_TERMS:
        return said_text, ()
    option_words = [set(_WORD_RUN.findall(_clip_form(str(choice)))) for choice in choices]
    unclipped: list[tuple[str, str]] = []

    def unclip(match: re.Match) -> str:
        said = _clip_form(match.group())
        shortest = CLIPPED_MIN_CHARS if said.isascii() else CLIPPED_MIN_CHARS_PERSIAN
        if len(said) < shortest or said in _FUNCTION_WORDS or any(said in words for words in option_words):
            return match.group()
        found = {(index, word) for index, words in enumerate(option_words) for word in words
                 if word.startswith(said) and len(word) - len(said) >= CLIPPED_MIN_REST}  # fmt: skip
        if len(found) != 1:
            return match.group()
        word = next(iter(found))[1]
        unclipped.append((match.group(), word))
        return word

    return _WORD_RUN.sub(unclip, said_text.replace("\u200c", "")), tuple(unclipped)


def _as_kinds(
    said_text: str, choices: Sequence[str], question: str | None = None
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """What was said with each concept no option names written as the one option concept it is a kind of
    ("sertraline" as "SSRIs"), or that is a kind of it ("The ACE inhibitor" as "Enalapril"), but not a class the
    question names: that is the topic ("Which is a live attenuated vaccine?" - "The live attenuated vaccines here are
    A and D" is not "MMR"); :func:`.concepts.broader`."""
    in_options: dict[str, str] = {}
    for choice in choices:
        for span in concept_spans(str(choice)):
            in_options.setdefault(span.concept, span.said)
    asked = {span.concept for span in concept_spans(question or "")}
    words = fold_words(said_text, casefold=False)
    kinds: list[tuple[str, str]] = []
    for span in reversed(concept_spans(said_text, in_options)):
        if span.concept in in_options:
            continue
        related = [concept for concept in in_options if concept in broader(span.concept)
                   or (span.concept in broader(concept) and span.concept not in asked)]  # fmt: skip
        if len(related) == 1:
            words[span.start : span.end] = [in_options[related[0]]]
            kinds.append((span.said, in_options[related[0]]))
    return " ".join(words), tuple(reversed(kinds))


#: A run of Finglish words is read as a Persian form of an option's concept from this many consonants: fewer are as
#: often another word ("hari" is only "r").
FINGLISH_MIN_CONSONANTS = 3


def _finglish_as_options(said_text: str, choices: Sequence[str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A short answer with each run of Latin words that is, consonant for consonant (:func:`skeleton`), a Persian
    form of exactly one option's concept written as that option's words for it: Finglish ("sorakhak" as "Measles" by
    "سرخک", "pashe khaki" as "Sandfly" by "پشه خاکی")."""
    words = fold_words(said_text)
    if not words or len(terms(said_text)) > CLIPPED_MAX_TERMS or not all(word.isascii() for word in words):
        return said_text, ()
    if concept_spans(said_text):
        return said_text, ()  # an English word the lexicon knows: "Rubeola" is measles, not "روبلا"
    by_skeleton: dict[tuple[str, ...], set[tuple[int, str]]] = {}
    for index, choice in enumerate(choices):
        for span in concept_spans(str(choice)):
            for form in concept_forms(span.concept):
                if not form.isascii():
                    key = tuple(skeleton(word) for word in fold_words(form))
                    by_skeleton.setdefault(key, set()).add((index, span.said))
    key = tuple(skeleton(word) for word in words)
    found = by_skeleton.get(key, set())
    if sum(map(len, key)) < FINGLISH_MIN_CONSONANTS or len({index for index, _ in found}) != 1:
        return said_text, ()
    written = next(iter(found))[1]
    return written, ((said_text, written),)


#: Only a short answer is read for a quantity written another way.
QUANTITY_MAX_TERMS = 8


def _converted(said_text: str, choices: Sequence[str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """A short answer with each quantity in it written as the one option quantity of the same amount, where exactly
    one option has it ("2 years" as "۲۴ ماه", "0.4 mg" as "۴۰۰ میکروگرم", "Forty" as "40"; :mod:`.quantities`)."""
    if len(terms(said_text)) > QUANTITY_MAX_TERMS:
        return said_text, ()
    in_options = [(index, quantity) for index, choice in enumerate(choices) for quantity in quantities(str(choice))]
    converted: list[tuple[str, str]] = []
    for said in reversed(quantities(said_text)):
        same = [(index, quantity) for index, quantity in in_options if same_amount(said, quantity)]
        if len({index for index, _ in same}) != 1:
            continue
        index, quantity = same[0]
        written, as_said = str(choices[index])[quantity.start : quantity.end], said_text[said.start : said.end]
        if written != as_said:
            said_text = said_text[: said.start] + written + said_text[said.end :]
            converted.append((as_said, written))
    return said_text, tuple(reversed(converted))


def _clip_form(text: str) -> str:
    """A text in the match form, ZWNJ kept inside a word: "آزیترومایسین" is one word that "آزیترو" clips."""
    return " ".join(fold_words(text.replace("\u200c", "")))


def _read(
    said_text: str, choices: Sequence[str], question: str | None, by_concept: bool, whole: bool = False
) -> OptionMatch | None:
    """The option read (see the module docstring); ``whole``: only an option said in full, or by its head alone."""
    scored, said_count = _scored_and_said(said_text, choices, question, by_concept)
    ranked = sorted(range(len(scored)), key=lambda k: -scored[k].score)
    best, second = scored[ranked[0]], scored[ranked[1]]
    heads = [index for index, option in enumerate(scored) if option.head_alone]
    if len(heads) == 1 and (best.score < MIN_SCORE or best.score - second.score < MIN_MARGIN):
        read = scored[heads[0]]
        others = max(option.score for index, option in enumerate(scored) if index != heads[0])
        return OptionMatch("ABCD"[heads[0]], read.score, others, read.matched)
    if best.score < MIN_SCORE or best.score - second.score < MIN_MARGIN:
        return None
    said_first = second.positions and min(second.positions) < min(best.positions, default=0)
    if second.score >= EARLIER_RUNNER_UP and said_first:
        return None  # "Fluids first! IV normal saline, then insulin …": the option said first is said in part too
    if whole and best.recall < _PARTIAL and not best.head_alone:
        return None
    if _substituted(said_count, best):
        return None
    return OptionMatch("ABCD"[ranked[0]], best.score, second.score, best.matched)


def _read_by_concept(said_text: str, choices: Sequence[str], question: str | None) -> OptionMatch | None:
    """The option read with the concepts of the lexicon as terms, where a concept said is among its matched terms."""
    read = _read(said_text, choices, question, by_concept=True)
    if read is None:
        return None
    named = {term[len(_CONCEPT_MARK) :] for term in read.matched if term.startswith(_CONCEPT_MARK)}
    said: dict[str, str] = {}  # each concept once, as first said
    in_options = {span.concept for choice in choices for span in concept_spans(str(choice))}
    for span in concept_spans(said_text, in_options):
        if span.concept in named:
            said.setdefault(span.concept, span.said)
    if not said:
        return None
    words = tuple(term for term in read.matched if not term.startswith(_CONCEPT_MARK))
    return OptionMatch(read.letter, read.score, read.second, words, tuple(said.items()))


#: Only a terse answer is read with the lexicon's other forms: in running text another option's concept is as often
#: named in passing.
FORMS_MAX_TERMS = 4


def form_variants(text: str) -> list[tuple[str, tuple[str, str]]]:
    """The text with one concept it names written as another of that concept's forms, each way: (the text rewritten,
    (the words said, the form put in their place)). "Minimal change disease" is also "بیماری تغییرات حداقل", so it
    reads as "بیماری با تغییرات حداقل" word by word, and "Anti-Sm" is also "آنتی بادی ضد اسمیت". A form that is the
    words said in the other script (the same skeletons: "روبئولا" for "rubeola") is left out: the words are already
    compared that way, and one more skeleton match would only make "rubeola" "rubella"."""
    text = _whole_numbers(text)  # "100,000" and "0.4" stay one number in the text rewritten
    words = fold_words(text)
    out = []
    for span in concept_spans(text):
        said = words[span.start : span.end]
        for form in concept_forms(span.concept):
            written = fold_words(form)
            if written != said and [skeleton(w) for w in written] != [skeleton(w) for w in said]:
                out.append((" ".join([*words[: span.start], form, *words[span.end :]]), (span.said, form)))
    return out


def _read_by_forms(said_text: str, choices: Sequence[str], question: str | None) -> OptionMatch | None:
    """The option a terse answer names once a concept in it, or in an option, is written as another of that concept's
    forms (:func:`form_variants`), where every such reading names the same option: where the lexicon's forms differ
    from both texts as written ("بیماری با تغییرات حداقل" is no form, "بیماری تغییرات حداقل" is).

    - An answer rewritten is read word by word, only for an option said in full or by its head alone ("Anti-Sm" as
      "آنتی بادی ضد اسمیت" for "آنتی‌بادی ضد Smith"; "Airway" as "راه هوایی" for "راه هوایی با حفاظت از …").
    - An option rewritten must be what was said, word for word both ways ("کم‌خونی همولیتیک خودایمن" for "کم‌خونی
      همولیتیک اتوایمیون" as "کم خونی همولیتیک خودایمنی"): a form's generic word ("third" of "third nerve") names
      nothing on its own."""
    said = terms(said_text)
    if len(said) > FORMS_MAX_TERMS:
        return None
    reads = []
    for text, pair in form_variants(said_text):
        read = _read(text, choices, question, by_concept=False, whole=True)
        if read is not None:
            reads.append(replace(read, spelled=(pair,)))
    reads += _said_as_a_form(said, choices)
    return reads[0] if len({read.letter for read in reads}) == 1 else None


def _said_as_a_form(said: list[Term], choices: Sequence[str]) -> list[OptionMatch]:
    """Each option one of whose rewritings (:func:`form_variants`) is what was said (its terms), word for word both
    ways, where at least two words were said."""
    if len(said) < 2:  # one word said is compared with an ending's slack: "hyper" would be "hyperK"
        return []
    out = []
    for letter, choice in zip("ABCD", choices):
        for text, pair in form_variants(str(choice)):
            if _whole_words(pair[1]) and _same_terms(said, terms(text)):
                out.append(OptionMatch(letter, _FULL, 0.0, tuple(term.text for term in said), spelled=(pair,)))
                break
    return out


def _whole_words(form: str) -> bool:
    """Every word of the form is a term or a function word: "hyper K" read as "hyper" would be any "hyper"."""
    return all(_names_something(word) or word in _FUNCTION_WORDS for word in fold_words(form))


def _same_terms(a: list[Term], b: list[Term]) -> bool:
    """Every term of each is said in the other."""
    return bool(a and b) and all(_best(t, _units(b)) >= _SAID for t in a) and all(
        _best(t, _units(a)) >= _SAID for t in b
    )
