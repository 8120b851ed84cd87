"""Red-flag detection and the emergency guidance shown before the model answers (pure, no network).

    >>> detect_red_flags("از نیم ساعت پیش درد شدید قفسه سینه دارم")
    ['chest_pain']
    >>> detect_red_flags("پدرم سابقه سکته قلبی دارد؛ برای پیشگیری چه کنم؟")
    []
    >>> detect_red_flags("my dad is clutching his chest and sweating, is it dangerous?")
    ['chest_pain']

How a message is read (the data lives in :mod:`space.safety_lexicon`; this module only compiles and applies it):

1. **Folding.** The message is cut into clauses (sentence punctuation, and "but"/"ولی"/"اما") and folded with the
   project's one Persian folding module, ``hub_tools.folding.match_key`` (Arabic letter forms, hamza, teh marbuta,
   digits, diacritics, bidi controls; a ZWNJ joins its halves; apostrophes dropped). Latin-letter text is folded a
   second time for Finglish (:func:`finglish_key`: ``ghafase sineh`` = ``qafase sine``).
2. **Concepts.** Each concept of the lexicon (a symptom or event such as ``chest_pain`` or ``head_trauma``, an
   acuity cue such as ``severe`` or ``sudden``, who is affected: ``infant``, ``child``, ``pregnant``, ``diabetic``)
   is looked for in its Persian, Finglish and English forms. A baby's or a child's age ("۲ ماهه", "6 week old",
   "4 ساله") also counts as ``infant`` or ``child``.
3. **Framing, clause by clause.** A match does not count when it is negated (``ندارم`` after it, ``no``/``without``
   before it) or when its own clause frames it as history (``سابقه``, ``years ago``), prevention, statistics or
   a hypothetical (``اگر کسی``, ``what if``), or as general knowledge (``علائم ... چیست``, ``what are the signs
   of``) with no personal or present cue in that clause; a "now" cue between the frame and the match lifts it
   ("I had a heart attack years ago and now crushing chest pain"). A help-seeking question ("is it dangerous?",
   "what causes this?", "how do I help him?", "خطرناکه؟", "چیکار کنم؟") never cancels anything, and no frame
   reaches beyond its clause.
4. **Categories.** A category is flagged when all concepts of one of its combinations are present
   (:data:`space.safety_lexicon.CATEGORY_RULES`): ``head_trauma`` + ``vomiting``, ``fever`` + ``stiff_neck``,
   ``pregnant`` + a danger sign, ...
5. **A learned second opinion.** A character n-gram logistic regression trained on the labelled pool
   (``space/train_red_flag_model.py``, shipped as plain float arrays in ``space/red_flag_model.npz``, loaded
   without pickle and applied here with numpy only) flags a message the rules miss when its score is above a
   threshold chosen for recall; such a message gets the general emergency notice (``other_emergency``). Rules OR
   model: a false alarm only shows a notice, a miss can cost a life. The model is not asked when the rules read the
   message's red flags as negated or framed away ("نه تب دارم نه درد قفسه سینه"): it reads n-grams, not framing.

The labelled pool ``tests/space/data/red_flags/*.tsv`` (one file per writer) measures it;
``tests/space/test_space_safety.py`` asserts the pool figures it reaches, and ``bench/safety_bench.py`` prints
in-pool and sealed figures with Wilson intervals. :data:`MEASURED` holds the figures the About tab states, read
from ``space/safety_figures.json`` (written by ``bench/safety_bench.py --write``). A miss is still possible: this
is a safety net, not a triage system, and the disclaimer says so.

Emergency numbers (Iran):
- 115: the national medical emergency number (Emergency Medical Services, Iran's Ministry of Health and Medical
  Education, Emergency Medical Management Center, https://ems.behdasht.gov.ir).
- 123: "Social Emergency" (اورژانس اجتماعی) and 1480: the "Voice of the Counsellor" (صدای مشاور) telephone
  counselling line, both run and published by Iran's State Welfare Organization (https://www.behzisti.ir).
No other numbers are given: only those above come from sources we are confident about.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hub_tools.space_text import DISCLAIMER_EN, DISCLAIMER_FA  # noqa: F401,I001 (re-exported for the Space)
from hub_tools.folding import fold_letters, match_key
from space import safety_lexicon as lexicon


EMERGENCY_NUMBER = "115"
SOCIAL_EMERGENCY_NUMBER = "123"
COUNSELLING_LINE = "1480"

CATEGORIES = (
    "suicide", "chest_pain", "stroke", "breathing", "anaphylaxis", "poisoning", "bleeding", "seizure", "burns",
    "obstetric", "infant_fever", "head_injury", "sepsis", "meningitis", "diabetic", "torsion", "acute_abdomen",
    "aortic_pe", "bites_stings", "drowning", "heat_stroke", "child_dehydration", "other_emergency",
)  # fmt: skip

PACKAGE_DIR = Path(__file__).resolve().parent
MODEL_FILE = PACKAGE_DIR / "red_flag_model.npz"
FIGURES_FILE = PACKAGE_DIR / "safety_figures.json"


def load_figures(path: Path = FIGURES_FILE) -> dict:
    """The measured figures (``bench/safety_bench.py --write``): ``{"pool": {...}, "sealed": {...} | None}``."""
    try:
        figures = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: cannot read the safety figures ({error})") from error
    for part in ("pool", "sealed"):
        if part not in figures:
            raise ValueError(f"{path}: no {part!r} entry")
    return figures


#: What the About tab and the README state: the pool and sealed figures from :data:`FIGURES_FILE`.
MEASURED: dict = load_figures()


# ------------------------------------------------------------------------------------------------ folding
_APOSTROPHES = re.compile("['’`]")
_FINGLISH_RULES = (
    (re.compile(r"kh"), "x"), (re.compile(r"gh"), "q"), (re.compile(r"w"), "v"), (re.compile(r"o+u?|u+"), "u"),
    (re.compile(r"ee+|ii+"), "i"), (re.compile(r"aa+|â"), "a"), (re.compile(r"ei"), "ey"),
    (re.compile(r"eh\b"), "e"), (re.compile(r"([b-df-hj-np-tv-z])\1"), r"\1"),
    (re.compile(r"ai"), "ay"),
    (re.compile(r"(?<![^\s(|:])(?:e|ye) (?=\S)"), ""),  # the ezafe written apart: "dard-e sine" = "dard sine"
)  # fmt: skip
_LATIN = re.compile(r"[a-z]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")


def fold(text: str) -> str:
    """The form messages and Persian/English forms are compared in (``match_key``, a ZWNJ joins its halves)."""
    return match_key(_APOSTROPHES.sub("", text), hamza=True, teh_marbuta=True, zwnj="")


def finglish_key(text: str) -> str:
    """Finglish spelling folded: ``kh`` -> ``x``, ``gh`` -> ``q``, ``w`` -> ``v``, ``o``/``oo``/``ou``/``u`` -> ``u``,
    ``ee`` -> ``i``, ``aa`` -> ``a``, ``ei`` -> ``ey``, ``ai`` -> ``ay``, a final ``eh`` -> ``e``, doubled consonants -> one, and an ezafe
    written as its own word (``dard-e sine``, ``dard e sine``) dropped."""
    for rule, replacement in _FINGLISH_RULES:
        text = rule.sub(replacement, text)
    return text


# ------------------------------------------------------------------------------------------------ compiling
_FA_GAP = r"\S*(?: \S+){0,3} ?"  # " … " in Persian: the rest of the word (a suffix), then up to three words
_EN_GAP = r"\S*(?: \S+){0,3} "


def _persian(form: str) -> str:
    form = fold_letters(form, hamza=True, teh_marbuta=True)  # forms are written as people type
    return form.replace(" … ", _FA_GAP).replace(" ", " ?")


def _latin(form: str) -> str:
    return form.replace(" … ", _EN_GAP)


def _alternation(patterns: list[str]) -> re.Pattern | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None


_META = frozenset("\\()[]?*+.|{}^$ ")


def _closing(form: str) -> int:
    """Index of the parenthesis closing the group that opens ``form``."""
    depth = 0
    for index, char in enumerate(form):
        if char == "\\":
            continue
        depth += (char == "(") - (char == ")")
        if depth == 0:
            return index
    raise re.error(f"unbalanced parenthesis in {form!r}")


def _heads(form: str) -> set[str] | None:
    """The first one or two letters any match of ``form`` starts with, or None when that cannot be read off the
    form (an escape, an optional first group)."""
    if form.startswith("(?:"):
        end = _closing(form)
        if form[end + 1 : end + 2] in ("?", "*"):
            return None
        heads: set[str] = set()
        depth, start, inner = 0, 0, form[3:end]
        for index, char in enumerate(inner + "|"):
            depth += (char == "(") - (char == ")")
            if char == "|" and depth == 0:
                found = _heads(inner[start:index] + form[end + 1 :])
                if found is None:
                    return None
                heads |= found
                start = index + 1
        return heads
    head = ""
    for char in form[:2]:
        if char in _META:
            break
        head += char
    if head and form[len(head) : len(head) + 1] in ("?", "*", "{"):
        head = head[:-1]  # "ab?": only "a" is certain
    return {head} if head else None


def _word_heads(text: str) -> frozenset[str]:
    """The first letter and the first two letters of every word of ``text``."""
    return frozenset(head for word in text.split() for head in (word[:1], word[:2]))


def _prefilter(forms: list[str]) -> frozenset[str] | None:
    heads: set[str] = set()
    for form in forms:
        found = _heads(form)
        if found is None:
            return None
        heads |= found
    return frozenset(heads)


@dataclass(frozen=True)
class _Forms:
    """One concept or cue list, compiled per view: Persian + English on the folded text, Finglish on its key."""

    base: re.Pattern | None
    finglish: re.Pattern | None
    base_heads: frozenset[str] | None  # what a word must start with for any form to match; None: anything
    finglish_heads: frozenset[str] | None

    @classmethod
    def compile(cls, forms: dict[str, tuple[str, ...]], where: str) -> _Forms:
        try:
            base = [_persian(f) for f in forms.get("fa", ())] + [_latin(f) for f in forms.get("en", ())]
            finglish = [_latin(finglish_key(f)) for f in forms.get("fi", ())]
            return cls(_alternation(base), _alternation(finglish), _prefilter(base), _prefilter(finglish))
        except re.error as error:
            raise ValueError(f"space/safety_lexicon.py, {where}: a form is not a valid pattern ({error})") from error

    def matches(self, view: str, text: str, heads: frozenset[str] | None = None) -> Iterator[re.Match]:
        """The matches that start a word, leftmost first, one per start (the patterns carry no anchor: a
        lookbehind in every alternative makes Python's ``re`` five times slower). ``heads``
        (:func:`_word_heads` of ``text``) skips the search when no word starts as a form does."""
        pattern, needed = (self.finglish, self.finglish_heads) if view == "finglish" else (self.base, self.base_heads)
        if pattern is None or (heads is not None and needed is not None and heads.isdisjoint(needed)):
            return
        position = 0
        while (match := pattern.search(text, position)) is not None:
            start = match.start()
            if start == 0 or text[start - 1] in " \n":
                yield match
            position = start + 1


_CONCEPTS = {name: _Forms.compile(forms, f"concept {name!r}") for name, forms in lexicon.CONCEPTS.items()}
_FRAMES = {kind: _Forms.compile(forms, f"frame {kind!r}") for kind, forms in lexicon.FRAMES.items()}
_NOW = _Forms.compile(lexicon.NOW, "NOW")
_PERSONAL = _Forms.compile(lexicon.PERSONAL, "PERSONAL")
_NEG_BEFORE = {
    view: re.compile(r"(?:^|(?<= ))(?:" + "|".join(words) + r")(?: \S+){0,2} ?$")
    for view, words in (("base", lexicon.NEGATION_BEFORE["fa"] + lexicon.NEGATION_BEFORE["en"]),
                        ("finglish", lexicon.NEGATION_BEFORE["fi"]))
}  # fmt: skip
_NEG_AFTER = {
    view: re.compile(r"^ ?(?:\S+ ){0,2}?(?:" + "|".join(words) + ")")
    for view, words in (("base", lexicon.NEGATION_AFTER["fa"] + lexicon.NEGATION_AFTER["en"]),
                        ("finglish", lexicon.NEGATION_AFTER["fi"]))
}  # fmt: skip
_CLAUSE_BREAKS = re.compile(lexicon.CLAUSE_BREAKS, re.IGNORECASE)
for _category, _combinations in lexicon.CATEGORY_RULES.items():
    for _combination in _combinations:
        _unknown = [c for c in _combination if c not in _CONCEPTS and c not in ("infant", "child")]
        if _unknown or _category not in CATEGORIES:
            raise ValueError(f"space/safety_lexicon.py, CATEGORY_RULES[{_category!r}]: "
                             f"unknown {_unknown or _category}")

# A baby's or a child's age: "۲ ماهه", "6 week old", "two-month-old", "4 ساله", "4 year old".
_AGE = re.compile(
    r"(?:(\d+)|(یک|یه|دو|سه|چهار|پنج|شش|هفت|هشت|ده|one|two|three|four|five|six|seven|eight|ten)) ?"
    r"(ماهه|ماهش|ماهشه|month|روزه|روزش|day|هفته(?:ش|شه|اشه|ای|اش|ه)|week|ساله|سالشه|سالش|year|yr"
    r"|mahe|maha|mahesh|ruze|roze|ruzesh|hafte|salesh|sale(?!\S)|sala(?!\S))"  # Finglish
)
_WORD_NUMBERS = {"یک": 1, "یه": 1, "one": 1, "دو": 2, "two": 2, "سه": 3, "three": 3, "چهار": 4, "four": 4, "پنج": 5,
                 "five": 5, "شش": 6, "six": 6, "هفت": 7, "seven": 7, "هشت": 8, "eight": 8, "ده": 10, "ten": 10}

_AGO = re.compile(r"^\S* ?(?:پیش|قبل|ago|back|pish|ghabl|qabl)")


def _ages(text: str) -> set[str]:
    """``infant`` for an age up to 3 months (13 weeks, 90 days), ``child`` for up to 12 years ("2 weeks ago" is no
    age); ``older`` when only older babies' ages (in months, weeks or days) are stated."""
    found = set()
    for match in _AGE.finditer(text):
        if _AGO.match(text, match.end()):
            continue
        number = int(match.group(1)) if match.group(1) else _WORD_NUMBERS[match.group(2)]
        unit = match.group(3)
        english = unit.startswith(("year", "yr", "month", "week", "day"))
        if english and "old" not in text[match.end() : match.end() + 8]:
            continue  # "for 2 weeks" is a duration; "a 6 week old" an age
        if unit.startswith(("ساله", "سالش", "year", "yr", "sal")):
            if number <= 12:
                found.add("child")
            continue
        months, weeks = unit.startswith(("ماه", "month", "mah")), unit.startswith(("هفته", "week", "haft"))
        limit = 3 if months else 13 if weeks else 90
        found.update(("infant", "child") if number <= limit else ("child", "older"))
    return found if "infant" not in found else found - {"older"}


# ------------------------------------------------------------------------------------------------ reading
@dataclass(frozen=True)
class _View:
    """One folding of the message: its clauses joined by new lines (no form crosses one), and its cues."""

    name: str  # "base" or "finglish"
    text: str
    starts: list[int]  # where each clause starts
    frames: list[tuple[str, int, int]]  # (kind, start, end)
    now: list[int]  # start of each "now" cue
    personal: set[int]  # clauses with a personal or present cue
    heads: frozenset[str]  # :func:`_word_heads`

    @classmethod
    def read(cls, name: str, clauses: list[str]) -> _View:
        text = "\n".join(clauses)
        starts, offset = [], 0
        for clause in clauses:
            starts.append(offset)
            offset += len(clause) + 1
        view = cls(name, text, starts, [], [], set(), _word_heads(text))
        for kind, forms in _FRAMES.items():
            view.frames.extend((kind, m.start(), m.end()) for m in forms.matches(name, text, view.heads))
        if view.frames:  # "now" and personal cues only matter next to a frame
            view.now.extend(m.start() for m in _NOW.matches(name, text, view.heads))
            view.personal.update(view.clause(m.start()) for m in _PERSONAL.matches(name, text, view.heads))
        return view

    def clause(self, position: int) -> int:
        return bisect.bisect_right(self.starts, position) - 1

    def clause_bounds(self, index: int) -> tuple[int, int]:
        end = self.starts[index + 1] - 1 if index + 1 < len(self.starts) else len(self.text)
        return self.starts[index], end

    def negated(self, match: re.Match) -> bool:
        start, end = self.clause_bounds(self.clause(match.start()))
        before, after = self.text[start : match.start()], self.text[match.end() : end]
        return bool(_NEG_BEFORE[self.name].search(before) or _NEG_AFTER[self.name].search(after))

    def framed_clauses(self) -> set[int]:
        """The clauses with a frame cue that cancels (a general one only without a personal cue), for matches the
        other view finds there: a Finglish clause can hold an English word ("sal e pish overdose karde bood")."""
        clauses = set()
        for kind, cue_start, _ in self.frames:
            index = self.clause(cue_start)
            if kind != "general" or index not in self.personal:
                clauses.add(index)
        return clauses

    def framed(self, match: re.Match, other: set[int] = frozenset()) -> bool:
        """Whether a frame cue of the match's own clause takes it out of the present (see the module docstring);
        ``other``: the clauses the other view frames."""
        index = self.clause(match.start())
        if index in other:
            return True
        start, end = self.clause_bounds(index)
        for kind, cue_start, cue_end in self.frames:
            ends_it = match.start() <= cue_start < match.end()
            if not start <= cue_start < end or (ends_it and kind == "history"):
                continue  # another clause, or a history cue inside or closing the match ("زبانش بند آمده")
            if kind == "history_of" and cue_start > match.start():
                continue  # "crushing chest pain and a history of diabetes"
            if kind == "general" and index in self.personal:
                continue
            low, high = min(cue_end, match.end()), max(cue_start, match.start())
            if any(low <= now < high for now in self.now):
                continue  # "... years ago, and now ..."
            return True
        return False


def _clauses(text: str) -> list[str]:
    return [clause for clause in (fold(part) for part in _CLAUSE_BREAKS.split(text or "")) if clause]


class _Message:
    """A message read for concepts, each looked for once and only when a combination asks for it."""

    def __init__(self, text: str) -> None:
        self.clauses = _clauses(text)
        self.views = [_View.read("base", self.clauses)] if self.clauses else []
        if any(_LATIN.search(clause) for clause in self.clauses):
            self.views.append(_View.read("finglish", [finglish_key(clause) for clause in self.clauses]))
        self._known: dict[str, bool] = {}
        self._ages: set[str] | None = None
        self._other: list[set[int]] = [set(), set()]
        if len(self.views) == 2:
            self._other = [self.views[1].framed_clauses(), self.views[0].framed_clauses()]

    def ages(self) -> set[str]:
        if self._ages is None:
            live = [c for index, c in enumerate(self.clauses) if not _clause_framed(self.views[0], index)]
            self._ages = _ages("\n".join(live))
        return self._ages

    def has(self, concept: str) -> bool:
        """Whether the message states ``concept`` about the present: found, not negated, not framed away."""
        known = self._known.get(concept)
        if known is None:
            known = self._known[concept] = self._look_for(concept)
        return known

    def _look_for(self, concept: str) -> bool:
        if concept in ("infant", "child"):
            ages = self.ages()
            if concept in ages:
                return True
            if concept == "infant" and "older" in ages:  # "نوزادم ۴ ماهشه": the stated age wins over the word
                return False
        forms = _CONCEPTS[concept]
        return any(not view.negated(m) and not view.framed(m, other)
                   for view, other in zip(self.views, self._other)
                   for m in forms.matches(view.name, view.text, view.heads))  # fmt: skip


def _clause_framed(view: _View, index: int) -> bool:
    start, end = view.clause_bounds(index)
    return any(start <= cue_start < end and kind in ("history", "history_of", "hypothetical", "statistics")
               for kind, cue_start, _ in view.frames)  # fmt: skip


def concepts(text: str) -> set[str]:
    """Every concept ``text`` states about the present (for inspecting a message; detection asks lazily)."""
    message = _Message(text)
    return {name for name in (*_CONCEPTS, "infant", "child") if message.views and message.has(name)}


def _categories(message: _Message) -> list[str]:
    if not message.views:
        return []
    rules = lexicon.CATEGORY_RULES
    return [category for category in CATEGORIES
            if any(all(message.has(c) for c in combination) for combination in rules.get(category, ()))]


def rule_categories(text: str) -> list[str]:
    """The categories one of whose combinations (:data:`space.safety_lexicon.CATEGORY_RULES`) ``text`` completes."""
    return _categories(_Message(text))


def _ruled_out(message: _Message) -> bool:
    """Whether the message names a red flag (a concept outside :data:`space.safety_lexicon.CONTEXT_CONCEPTS`) and the
    rules read every mention of it as negated or framed away ("نه تب دارم نه درد قفسه سینه", "پارسال ... سوخت")."""
    for name, forms in _CONCEPTS.items():
        if name in lexicon.CONTEXT_CONCEPTS:
            continue
        mentioned = any(True for view in message.views for _ in forms.matches(view.name, view.text, view.heads))
        if mentioned and not message.has(name):
            return True
    return False


# ------------------------------------------------------------------------------------------------ the model
_PRIME = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def ngram_buckets(folded: str, low: int, high: int, bits: int) -> np.ndarray:
    """The hash bucket of every character n-gram (``low``..``high`` characters) inside a word padded by a space:
    the n-grams scikit-learn's ``analyzer="char_wb"`` makes, hashed (FNV-style, 64 bits, then ``bits`` bits) in
    numpy without a Python loop per n-gram."""
    padded = f" {folded} "
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    spaces = np.concatenate(([0], np.cumsum(codes == 32)))  # spaces[i] = spaces before position i
    shift = np.uint64(64 - bits)
    found = []
    hashes = codes.copy()
    with np.errstate(over="ignore"):
        for n in range(2, high + 1):
            hashes = hashes[:-1] * _PRIME + codes[n - 1 :]
            if n < low:
                continue
            starts = np.arange(len(hashes))
            inner = spaces[starts + n - 1] - spaces[starts + 1]  # spaces strictly inside the n-gram
            keep = hashes[inner == 0]
            found.append(((keep + np.uint64(n)) * _MIX) >> shift)
    return np.concatenate(found) if found else np.zeros(0, dtype=np.uint64)


@dataclass(frozen=True)
class NgramModel:
    """A TF-IDF hashed character n-gram logistic regression as plain arrays: ``score(folded)`` is its decision
    value (``coef . (tf*idf / |tf*idf|) + intercept``, tf = 1 + log(count)); ``idf`` is 0 for unused buckets."""

    idf: np.ndarray
    coef: np.ndarray
    intercept: float
    low: int
    high: int
    threshold: float

    @property
    def bits(self) -> int:
        return int(self.idf.size).bit_length() - 1

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> NgramModel:
        try:
            with np.load(path, allow_pickle=False) as arrays:
                idf, coef = arrays["idf"].astype(np.float64), arrays["coef"].astype(np.float64)
                low, high = (int(v) for v in arrays["ngram_range"])
                intercept, threshold = float(arrays["intercept"]), float(arrays["threshold"])
        except (OSError, KeyError, ValueError) as error:
            raise ValueError(f"{path}: not a red-flag model ({error})") from error
        if idf.shape != coef.shape or idf.size & (idf.size - 1):
            raise ValueError(f"{path}: idf and coef must be two arrays of the same power-of-two size")
        return cls(idf=idf, coef=coef, intercept=intercept, low=low, high=high, threshold=threshold)

    def features(self, folded: str) -> tuple[np.ndarray, np.ndarray]:
        """(buckets, tf-idf values, l2-normalised) of ``folded``; buckets the model never saw are left out."""
        buckets, counts = np.unique(ngram_buckets(folded, self.low, self.high, self.bits), return_counts=True)
        columns = buckets.astype(np.int64)
        values = (1.0 + np.log(counts)) * self.idf[columns]
        norm = math.sqrt(float(values @ values))
        return columns, (values / norm if norm else values)

    def score(self, folded: str) -> float:
        columns, values = self.features(folded)
        return float(values @ self.coef[columns]) + self.intercept


def _load_model() -> NgramModel | None:
    return NgramModel.load() if MODEL_FILE.exists() else None


MODEL: NgramModel | None = _load_model()


_SALUTATIONS = re.compile(
    "(?<!\\S)(?:" + "|".join(_persian(form) for form in lexicon.SALUTATIONS) + ")(?!\\S) ?"
)
MODEL_MIN_WORDS = 3  # fewer words than this (after greetings) say too little for the model to judge


def model_text(text: str) -> str:
    """What the learned model reads: the folded message without greetings and courtesies
    (:data:`space.safety_lexicon.SALUTATIONS`); training uses the same function."""
    return _SALUTATIONS.sub("", fold(text)).strip()


def model_flags(text: str, model: NgramModel | None = MODEL) -> bool:
    """Whether the learned model scores ``text`` at or above its recall-chosen threshold (a message of fewer than
    :data:`MODEL_MIN_WORDS` words, greetings aside, is left to the rules)."""
    if model is None:
        return False
    words = model_text(text)
    return len(words.split()) >= MODEL_MIN_WORDS and model.score(words) >= model.threshold


def model_consulted(text: str) -> bool:
    """Whether :func:`detect_red_flags` asks the model about ``text``: the rules found no category and did not rule
    the message's red flags out."""
    message = _Message(text)
    return not _categories(message) and not _ruled_out(message)


def detect_red_flags(text: str, *, model: NgramModel | None = MODEL) -> list[str]:
    """The red-flag categories ``text`` reports, in the order of :data:`CATEGORIES` (empty for benign text).

    Rules first; if they find nothing and the learned model (``model``; ``None`` for rules only) scores the
    message at or above its threshold, ``["other_emergency"]`` -- unless the rules read the message's red flags as
    negated or framed away (:func:`_ruled_out`): the model reads n-grams, not negation or framing, so it does not
    overrule them there (leave-one-writer-out on the pool: 30 -> 23 false alarms, no emergency lost)."""
    message = _Message(text)
    found = _categories(message)
    if found or model is None or _ruled_out(message):
        return found
    return ["other_emergency"] if model_flags(text, model) else []


_GUIDANCE: dict[str, tuple[str, str]] = {
    "suicide": (
        (
            "اگر به آسیب زدن به خود فکر می‌کنید، تنها نیستید. اگر در خطر فوری هستید با ۱۱۵ تماس بگیرید. "
            "اورژانس اجتماعی: ۱۲۳ — خط مشاوره صدای مشاور بهزیستی: ۱۴۸۰. "
            "همین حالا به فردی مورد اعتماد خبر دهید و وسایل خطرناک را از دسترس دور کنید."
        ),
        (
            "If you are thinking about harming yourself, you are not alone. In immediate danger, call 115. "
            "Social emergency: 123; Welfare Organization counselling line: 1480. "
            "Tell someone you trust now and move anything dangerous out of reach."
        ),
    ),
    "chest_pain": (
        (
            "درد یا فشار قفسه سینه می‌تواند نشانه حمله قلبی باشد: همین حالا با ۱۱۵ تماس بگیرید، "
            "فعالیت را متوقف کنید و بنشینید، و خودتان رانندگی نکنید."
        ),
        (
            "Chest pain or pressure can be a heart attack: call 115 now, stop what you are doing and sit down, "
            "and do not drive yourself."
        ),
    ),
    "stroke": (
        (
            "افتادگی صورت، ضعف یا بی‌حسی یک طرف بدن یا اختلال ناگهانی گفتار ممکن است سکته مغزی باشد: "
            "فوراً با ۱۱۵ تماس بگیرید و زمان شروع علائم را یادداشت کنید. چیزی برای خوردن ندهید."
        ),
        (
            "Face drooping, weakness or numbness on one side, or sudden trouble speaking can be a stroke: "
            "call 115 immediately and note the time the symptoms started. Give nothing to eat or drink."
        ),
    ),
    "poisoning": (
        (
            "در مسمومیت فوراً با ۱۱۵ تماس بگیرید. بیمار را به استفراغ وادار نکنید و ظرف یا بسته ماده را نگه دارید. "
            "در گازگرفتگی، اگر بی‌خطر است، فرد را به هوای آزاد ببرید."
        ),
        (
            "For poisoning, call 115 now. Do not make the person vomit; keep the container or package. "
            "For gas (carbon monoxide) exposure, move the person to fresh air if it is safe to do so."
        ),
    ),
    "bleeding": (
        "در خونریزی شدید با ۱۱۵ تماس بگیرید و با پارچه تمیز روی محل خونریزی فشار مستقیم و محکم وارد کنید.",
        "For heavy bleeding, call 115 and press firmly and directly on the wound with a clean cloth.",
    ),
    "breathing": (
        (
            "اگر نفس کشیدن سخت است، لب‌ها کبود شده یا چیزی در گلو گیر کرده: همین حالا با ۱۱۵ تماس بگیرید. "
            "اگر فرد خفه شده و نمی‌تواند سرفه کند، ضربه به پشت و فشار شکمی (مانور هایملیک) بدهید."
        ),
        (
            "If breathing is hard, the lips turn blue or something is stuck in the throat: call 115 now. If the "
            "person is choking and cannot cough, give back blows and abdominal thrusts (Heimlich manoeuvre)."
        ),
    ),
    "anaphylaxis": (
        (
            "تورم گلو، زبان یا صورت پس از غذا، نیش یا دارو می‌تواند واکنش آلرژیک شدید (آنافیلاکسی) باشد: "
            "فوراً با ۱۱۵ تماس بگیرید و اگر قلم اپی‌نفرین (EpiPen) تجویز شده، همین حالا تزریق کنید."
        ),
        (
            "Swelling of the throat, tongue or face after a food, sting or medicine can be anaphylaxis: call 115 "
            "now, and use a prescribed adrenaline auto-injector (EpiPen) right away."
        ),
    ),
    "seizure": (
        (
            "در تشنج یا بیهوشی با ۱۱۵ تماس بگیرید. فرد را به پهلو بخوابانید، چیزی در دهانش نگذارید و اطرافش را "
            "خلوت کنید؛ اگر نفس نمی‌کشد، احیا (CPR) را شروع کنید."
        ),
        (
            "For a seizure or unconsciousness call 115. Lay the person on their side, put nothing in their mouth "
            "and clear the space around them; if they are not breathing, start CPR."
        ),
    ),
    "burns": (
        (
            "سوختگی شدید، شیمیایی یا برقی: با ۱۱۵ تماس بگیرید. محل را ۲۰ دقیقه زیر آب خنک (نه یخ) بگیرید، "
            "لباس و زیورآلات را اگر نچسبیده بردارید و تاول‌ها را نترکانید. در برق‌گرفتگی اول برق را قطع کنید."
        ),
        (
            "Severe, chemical or electrical burns: call 115. Cool the burn under cool (not icy) running water for "
            "20 minutes, remove clothing and jewellery that is not stuck, and do not break blisters. For an "
            "electrical injury switch off the power first."
        ),
    ),
    "obstetric": (
        (
            "خونریزی، درد شدید شکم، پاره شدن کیسه آب، سردرد شدید با تاری دید، تشنج یا کم شدن حرکات جنین در بارداری "
            "اورژانس است: با ۱۱۵ تماس بگیرید یا فوراً به بیمارستان بروید."
        ),
        (
            "In pregnancy, bleeding, severe abdominal pain, waters breaking, a severe headache with blurred "
            "vision, a seizure or reduced baby movements are emergencies: call 115 or go to hospital now."
        ),
    ),
    "infant_fever": (
        (
            "تب (۳۸ درجه یا بیشتر) در نوزاد زیر ۳ ماه اورژانس است: همین امروز و فوراً به پزشک یا اورژانس مراجعه "
            "کنید، و اگر بی‌حال است یا شیر نمی‌خورد با ۱۱۵ تماس بگیرید."
        ),
        (
            "A fever (38 °C or more) in a baby under 3 months is an emergency: see a doctor or an emergency "
            "department now, and call 115 if the baby is floppy or not feeding."
        ),
    ),
    "head_injury": (
        (
            "ضربه به سر همراه با استفراغ، گیجی، خواب‌آلودگی، تشنج، بیهوشی یا خون و مایع از گوش و بینی اورژانس است: "
            "با ۱۱۵ تماس بگیرید. فرد را بی‌حرکت نگه دارید (به‌ویژه گردن را) و تنهایش نگذارید."
        ),
        (
            "A head injury with vomiting, confusion, drowsiness, a seizure, passing out or blood or fluid from the "
            "ears or nose is an emergency: call 115. Keep the person still (especially the neck) and stay with them."
        ),
    ),
    "sepsis": (
        (
            "تب یا عفونت همراه با گیجی، تنفس تند، پوست سرد و لکه‌لکه یا بی‌حالی شدید می‌تواند عفونت خون (سپسیس) "
            "باشد: همین حالا با ۱۱۵ تماس بگیرید یا به اورژانس بروید."
        ),
        (
            "A fever or infection with confusion, fast breathing, cold or mottled skin or extreme drowsiness can be "
            "sepsis: call 115 or go to an emergency department now."
        ),
    ),
    "meningitis": (
        (
            "تب با سفتی گردن، سردرد شدید، حساسیت به نور یا لکه‌های بنفشی که با فشار لیوان محو نمی‌شوند می‌تواند "
            "مننژیت باشد: فوراً با ۱۱۵ تماس بگیرید."
        ),
        (
            "A fever with a stiff neck, a severe headache, dislike of light or purple spots that do not fade under a "
            "glass can be meningitis: call 115 now."
        ),
    ),
    "diabetic": (
        (
            "در فرد دیابتی، گیجی، خواب‌آلودگی شدید، بیهوشی، تنفس تند یا بوی میوه از دهان اورژانس است: با ۱۱۵ تماس "
            "بگیرید. اگر هوشیار است و می‌تواند قورت دهد و قندش پایین است، آب‌قند یا چیز شیرین بدهید."
        ),
        (
            "In someone with diabetes, confusion, severe drowsiness, unconsciousness, fast breathing or fruity breath "
            "is an emergency: call 115. If they are awake, can swallow and their sugar is low, give sugar or juice."
        ),
    ),
    "torsion": (
        (
            "درد ناگهانی و شدید بیضه یا کیسه بیضه (پیچ‌خوردگی) باید در چند ساعت درمان شود: همین حالا به اورژانس "
            "بروید یا با ۱۱۵ تماس بگیرید."
        ),
        (
            "Sudden, severe pain in a testicle or the scrotum (torsion) must be treated within hours: go to an "
            "emergency department now or call 115."
        ),
    ),
    "acute_abdomen": (
        (
            "درد شدید یا ناگهانی شکم، شکم سفت، استفراغ سبز یا خونی یا درد همراه با تب اورژانس است: به اورژانس بروید "
            "یا با ۱۱۵ تماس بگیرید و تا معاینه چیزی نخورید."
        ),
        (
            "Severe or sudden abdominal pain, a rigid belly, green or bloody vomit or pain with a fever is an "
            "emergency: go to an emergency department or call 115, and eat nothing until examined."
        ),
    ),
    "aortic_pe": (
        (
            "درد پاره‌کننده سینه یا پشت، یا تنگی نفس ناگهانی همراه با درد سینه یا ورم ساق پا (لخته در ریه) اورژانس "
            "است: همین حالا با ۱۱۵ تماس بگیرید."
        ),
        (
            "Tearing pain in the chest or back, or sudden breathlessness with chest pain or a swollen calf (a clot "
            "in the lung) is an emergency: call 115 now."
        ),
    ),
    "bites_stings": (
        (
            "در مارگزیدگی، عقرب‌زدگی یا گاز گرفتن حیوان با ۱۱۵ تماس بگیرید یا فوراً به مرکز درمانی بروید. عضو را "
            "بی‌حرکت و پایین‌تر از قلب نگه دارید، زخم را نمکید و نبرید. گاز حیوان (خطر هاری) را ۱۵ دقیقه با آب "
            "و صابون بشویید و همان روز برای واکسن هاری مراجعه کنید."
        ),
        (
            "For a snake or scorpion bite or an animal bite call 115 or go to a clinic now. Keep the limb still and "
            "below the heart; do not suck or cut the wound. Wash an animal bite (rabies risk) with soap and water for "
            "15 minutes and get rabies care the same day."
        ),
    ),
    "drowning": (
        (
            "پس از غرق‌شدگی، حتی اگر حالش بهتر است، با ۱۱۵ تماس بگیرید. اگر نفس نمی‌کشد احیا (CPR) را شروع کنید."
        ),
        (
            "After a drowning or near-drowning call 115, even if the person seems better. If they are not "
            "breathing, start CPR."
        ),
    ),
    "heat_stroke": (
        (
            "گرمازدگی با گیجی، بیهوشی، تشنج یا پوست داغ و خشک اورژانس است: با ۱۱۵ تماس بگیرید، فرد را به جای خنک "
            "ببرید و با آب خنک و باد بدنش را خنک کنید."
        ),
        (
            "Heat stroke (confusion, collapse, a seizure, hot dry skin) is an emergency: call 115, move the person "
            "somewhere cool and cool the body with water and air."
        ),
    ),
    "child_dehydration": (
        (
            "کودکی که اسهال یا استفراغ دارد و ادرار نمی‌کند، اشک ندارد، چشم یا ملاجش گود رفته یا بی‌حال است کم‌آبی "
            "شدید دارد: همین حالا به پزشک یا اورژانس مراجعه کنید یا با ۱۱۵ تماس بگیرید."
        ),
        (
            "A child with diarrhoea or vomiting who is not peeing, has no tears, sunken eyes or soft spot, or is "
            "floppy is severely dehydrated: see a doctor or an emergency department now, or call 115."
        ),
    ),
    "other_emergency": (
        (
            "پیام شما ممکن است یک وضعیت اورژانسی را توصیف کند. اگر خطری فوری وجود دارد، همین حالا با ۱۱۵ تماس "
            "بگیرید و منتظر پاسخ این گفتگو نمانید."
        ),
        (
            "Your message may describe an emergency. If there is any immediate danger, call 115 now rather than "
            "waiting for this chat's answer."
        ),
    ),
}


def emergency_message(categories: list[str]) -> str:
    """Markdown emergency guidance (Persian, then English) for the detected categories, in a ``gk-emergency`` box
    (style.css colours it from theme variables); "" when none."""
    if not categories:
        return ""
    fa = "\n".join(f"- {_GUIDANCE[c][0]}" for c in categories)
    en = "\n".join(f"- {_GUIDANCE[c][1]}" for c in categories)
    return (
        '<div class="gk-emergency" role="alert">\n\n'
        "**⚠️ هشدار اورژانسی — اورژانس پزشکی: ۱۱۵**\n\n"
        f"{fa}\n\n"
        "**⚠️ Emergency — Iran medical emergency: 115**\n\n"
        f"{en}\n\n</div>\n\n"
    )
