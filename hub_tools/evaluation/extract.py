"""Answer extraction for the generate protocol: free text -> "A" | "B" | "C" | "D" | "invalid".

``extract_choice`` is a pure function (no model, no state). It decides on the **decisive statement**: the option the
text states as its answer, not an option it negates, merely lists or mentions in passing. The rule, in full:

1. Normalise with the one folding module (:mod:`hub_tools.folding`): presentation forms, NFKC (full-width Ｃ -> C),
   bidi controls removed, Persian/Arabic-Indic digits -> ASCII, Arabic letter forms -> Persian; a lone option in
   markdown bold (``**B**``, ``**۲**``, ``**ب**``) becomes ``[B]``; the remaining ``*``/``_`` emphasis is dropped.
2. An *option token* is a Latin capital A-D, a digit 1-4 (1=A … 4=D) or a Persian option letter الف/ب/ج/د (the
   order Persian exams use), standing alone (not inside a longer word or number).
3. *Mentions* of an option are found anywhere in the text:
     - bracketed: ``[A]``, ``(A)``, ``«ب»``, ``[۲]``, ``(الف)``, lower case in brackets ``[c]``;
     - after the word "option": ``گزینه A``, ``گزینه‌ی ب``, ``گزینه ۲``, ``گزینه شماره 3``, ``گزینه اول``,
       ``option D``, ``choice 2``;
     - after an answer keyword (an *answer statement*): ``پاسخ: B``, ``پاسخ صحیح گزینه [C] است``,
       ``جواب درست: د``, ``Answer: B``, ``the correct answer is (C)``, ``the correct option is D``, ``answer is c``
       (not after ``در``/``از``: ``در پاسخ D`` means "in option D");
     - the prompt's layout ``A : text`` at a line start or after a bracket/bold mark;
     - at a line start (after blanks, ``-``, ``#``, ``>``): ``A)``, ``A.``, ``A:``, ``A -``, ``الف)``, ``2)`` (a digit
       followed by ``.`` at a line start is a numbered list, not an answer).
   A Latin letter right after a naming word (``ویتامین D``, ``هپاتیت B``, ``سلول‌های T``, ``vitamin C``, ``type 2``)
   is a name, not a mention.
4. Each mention is classified by its clause (the text after it up to the end of the sentence, at most 80
   characters, and the few words before it):
     - **several** when the clause offers it together with others (``هر دو درست``, ``both … correct``, ``either``): the
       whole output is then ``invalid``;
     - **negated** when the clause says it is wrong (``نادرست``, ``غلط``, ``اشتباه``, ``صحیح نیست``, ``نیست``,
       ``not``, ``incorrect``, ``wrong``, ``false``…) or the mention follows ``نه`` / ``not`` / ``به جز`` /
       ``except``: never an answer;
     - **stated** when it is an answer statement, or its clause calls it correct (``درست است``, ``صحیح است``,
       ``پاسخ است``, ``is correct``, ``is the answer``…);
     - **listed** when it is one of an echoed option list (line-start or layout mentions of three or more
       different options) and not stated;
     - otherwise **bare**.
5. Decision: the stated options, if any; otherwise the bare ones. Exactly one distinct option -> that option.
   Several distinct stated options -> ``invalid`` (the text contradicts itself). Several distinct bare options ->
   the option of the opening sentence when it names exactly one (models state their answer first and then walk
   through the others), else ``invalid``.
6. If no mention qualifies but the whole output, stripped of blanks and punctuation, is a single option token
   ("B", "ب", "۳"), that is the answer. Otherwise -> "invalid" (scored as wrong). Empty or non-string output is
   "invalid".

``explain_choice`` returns the same decision with the mentions behind it (for reports and disagreement lists).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from hub_tools.folding import fold_digits, fold_letters, fold_presentation_forms, strip_bidi

CHOICES = ("A", "B", "C", "D")
INVALID = "invalid"

_TO_LETTER = {
    "A": "A", "B": "B", "C": "C", "D": "D", "a": "A", "b": "B", "c": "C", "d": "D",
    "1": "A", "2": "B", "3": "C", "4": "D",
    "الف": "A", "ب": "B", "ج": "C", "د": "D",
    "اول": "A", "یکم": "A", "دوم": "B", "سوم": "C", "چهارم": "D",
}  # fmt: skip

# One option token, standing alone. Latin letters must not touch other Latin letters; digits must not be part of a
# longer number (1.5, 12); Persian letters must not touch other word characters.
_LATIN = r"(?<![A-Za-z])[A-D](?![A-Za-z0-9])"
_DIGIT = r"(?<![0-9])[1-4](?![0-9]|[.,/][0-9])"
_FA = r"(?<!\w)(?:الف|ب|ج|د)(?!\w)"
_OPT = rf"(?P<opt>{_LATIN}|{_DIGIT}|{_FA})"
_ORDINAL = r"(?P<opt>اول|یکم|دوم|سوم|چهارم)(?!\w)"

_GOZINEH = r"گزینه(?:\u200c?ی|\u200c?ای)?(?!\u200c?ها)"  # گزینه, گزینه‌ی, گزینه ی, گزینه‌ای; not گزینه‌ها
_AFTER_GOZINEH = rf"{_GOZINEH}\s*(?:شماره\s*)?[:：\-]?\s*[\[(«]?\s*"
_ANSWER_WORD = r"(?<!در )(?<!از )(?:پاسخ|جواب)(?:\s+(?:صحیح|درست|نهایی|مناسب|درست\u200cتر|صحیح\u200cتر))?"

# Answer statements: پاسخ: B / پاسخ صحیح گزینه [C] / جواب درست: د / پاسخ صحیح این است که A / Answer: B
_STATEMENT_PATTERNS = [
    re.compile(
        rf"{_ANSWER_WORD}"
        r"(?:\s+(?:عبارت\s+است\s+از|این\s+است\s+که|است|برابر\s+است\s+با|برابر))?"
        rf"\s*[:：\-]?\s*(?:{_AFTER_GOZINEH})?[\[(]?\s*{_OPT}"
    ),
    re.compile(rf"{_ANSWER_WORD}(?:\s+(?:است|این\s+است\s+که))?\s*[:：\-]?\s*{_GOZINEH}\s+{_ORDINAL}"),
    re.compile(rf"(?i:answer)(?:\s+(?i:is))?\s*[:：\-]?\s*(?i:option\s*)?[\[(]?\s*{_OPT}"),
    re.compile(rf"(?i:correct\s+(?:option|choice)|best\s+(?:option|choice))\s+(?i:is)\s*[:：\-]?\s*[\[(]?\s*{_OPT}"),
    re.compile(r"(?i:answer\s+is)\s*[\[(]?\s*(?P<opt>[a-d])(?=\s*(?:[.)\]!]|$))"),
]
# Other mentions: (pattern, kind); "layout" and "line" mentions can form an echoed option list.
_MENTION_PATTERNS = [
    (re.compile(rf"[\[(«]\s*{_OPT}\s*[\])»]"), "bracket"),
    (re.compile(r"[\[(]\s*(?P<opt>[a-d])\s*[\])]"), "bracket"),
    (re.compile(rf"{_AFTER_GOZINEH}{_OPT}"), "option"),
    (re.compile(rf"{_GOZINEH}\s+{_ORDINAL}"), "option"),
    (re.compile(rf"(?i:option|choice)\s*[:：\-]?\s*[\[(]?\s*{_OPT}"), "option"),
    (re.compile(r"(?:^|(?<=[\[(]))[ \t>#\-•]*(?P<opt>[A-D])\s+:", re.MULTILINE), "layout"),
    (re.compile(r"^[ \t>#\-•]*(?P<opt>[A-D]|الف|ب|ج|د)\s*(?:[).:：]|\s-\s)", re.MULTILINE), "line"),
    (re.compile(r"^[ \t>#\-•]*(?P<opt>[1-4])\s*[)：:]", re.MULTILINE), "line"),
]
_BOLD_OPTION = re.compile(r"\*\*\s*([A-D]|[1-4]|الف|ب|ج|د)\s*\*\*")
_LONE = re.compile(r"^\W*(?P<opt>[A-D]|[1-4]|الف|ب|ج|د)\W*$")

# A Latin letter or digit right after one of these words is a name (vitamin D, hepatitis B, T cells, type 2).
_NAMING_WORDS = re.compile(
    r"(?:ویتامین|هپاتیت|تیپ|نوع|گروه|فاز|کلاس|سلول(?:\u200c?های)?|لنفوسیت(?:\u200c?های)?|ایمونوگلوبولین|زنجیره|"
    r"vitamin|hepatitis|type|group|phase|class|cells?|lymphocytes?|immunoglobulin|ig|chain|stage|grade|مرحله|درجه)"
    r"[\s\-]*$",
    re.IGNORECASE,
)
_NEGATION_AFTER = re.compile(
    r"نادرست|غلط|اشتباه|(?:صحیح|درست|مناسب|کامل)\s*(?:نیست|نمی\u200c?باشد)|نیست|نیستند|نمی\u200c?باشد|رد\s+می\u200c?شود|"
    r"(?i:\bnot\b|\bincorrect\b|\bwrong\b|\bfalse\b|\bisn't\b)"
)
_NEGATION_BEFORE = re.compile(
    r"(?:(?<!\w)نه|به\s+جز|به\u200cجز|غیر\s+از|بجز|(?i:\bnot\b|\bexcept\b|\brather\s+than\b|\binstead\s+of\b))"
    r"[\s:،,]*(?:(?:گزینه(?:\u200c?ی)?|(?i:option))\s*)?[\[(]?\s*$"
)
_POSITIVE_AFTER = re.compile(
    r"(?<!نا)(?:درست|صحیح)(?:\u200c?تر(?:ین)?)?\s*(?:است|می\u200c?باشد|هست)|پاسخ\s+(?:صحیح\s+|درست\s+)?(?:است|می\u200c?باشد)|"
    r"(?i:\bis\s+(?:the\s+)?(?:correct|right|best)\b|\bis\s+the\s+answer\b|\bcorrect\s+answer\b)"
)
_LINE_PREFIX = re.compile(r"[ \t>#\-•]*")
_SEVERAL_BEFORE = re.compile(r"هر\s+دو\s+(?:گزینه(?:\u200c?ی|\u200c?های)?\s*)?[\[(]?\s*$|(?i:\bboth\s+(?:options?\s+)?)$")
_SEVERAL = re.compile(
    r"هر\s+دو(?:\s+\S+){0,2}?\s+(?:درست|صحیح|ممکن|محتمل)|(?i:\bboth\b[^.]{0,30}\b(?:correct|possible|right|could)\b|\beither\b)"
)
_SENTENCE_END = re.compile(r"[.!؟?\n]|،\s*(?=[\[(]|گزینه)")
_CLAUSE_CHARS = 80


@dataclass(frozen=True)
class Mention:
    """One place the text names an option: where, which, how, and what its clause says about it."""

    start: int
    end: int
    letter: str
    kind: str  # statement | bracket | option | layout | line
    status: str = "bare"  # stated | negated | listed | several | bare


def normalize_answer_text(text: str) -> str:
    """Step 1 of the rule: the folding module's forms, bold lone options to ``[X]``, emphasis dropped."""
    text = fold_presentation_forms(unicodedata.normalize("NFKC", text))
    text = fold_letters(fold_digits(strip_bidi(text)))
    text = _BOLD_OPTION.sub(lambda m: f"[{m.group(1)}]", text)
    return text.replace("*", "").replace("__", "")


def _is_name(text: str, start: int, token: str) -> bool:
    """A Latin letter/digit right after a naming word (ویتامین D) is part of a name, not an option."""
    if token not in "ABCD1234" or not token:
        return False
    return bool(_NAMING_WORDS.search(text[max(0, start - 30) : start]))


def _mentions(text: str) -> list[Mention]:
    found: dict[tuple[int, str], Mention] = {}
    for pattern in _STATEMENT_PATTERNS:
        for match in pattern.finditer(text):
            key = (match.start("opt"), match.group("opt"))
            found[key] = Mention(match.start(), match.end(), _TO_LETTER[match.group("opt")], "statement")
    for pattern, kind in _MENTION_PATTERNS:
        for match in pattern.finditer(text):
            key = (match.start("opt"), match.group("opt"))
            if key in found:
                continue
            if kind in ("bracket", "layout") and _is_name(text, match.start(), match.group("opt")):
                continue
            line_start = text.rfind("\n", 0, match.start()) + 1
            # "[A] : text" at a line start is the option list's own layout
            at_line_start = kind == "bracket" and _LINE_PREFIX.fullmatch(text[line_start : match.start()])
            found[key] = Mention(match.start(), match.end(), _TO_LETTER[match.group("opt")],
                                 "line" if at_line_start else kind)  # fmt: skip
    return sorted(found.values(), key=lambda m: m.start)


def _clause_after(text: str, mention: Mention, next_start: int) -> str:
    clause = text[mention.end : min(next_start, mention.end + _CLAUSE_CHARS)]
    end = _SENTENCE_END.search(clause)
    return clause[: end.start()] if end else clause


def _classify(text: str, mentions: list[Mention]) -> list[Mention]:
    listing = {m.letter for m in mentions if m.kind in ("layout", "line")}
    echoed = len(listing) >= 3
    out = []
    for i, mention in enumerate(mentions):
        next_start = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
        after = _clause_after(text, mention, next_start)
        before = text[max(0, mention.start - 25) : mention.start]
        if _SEVERAL.search(after) or _SEVERAL_BEFORE.search(before):
            status = "several"
        elif _NEGATION_BEFORE.search(before) or _NEGATION_AFTER.search(after):
            status = "negated"
        elif mention.kind == "statement" or _POSITIVE_AFTER.search(after):
            status = "stated"
        elif echoed and mention.kind in ("layout", "line"):
            status = "listed"
        else:
            status = "bare"
        out.append(Mention(mention.start, mention.end, mention.letter, mention.kind, status))
    return out


def _opening_sentence_end(text: str) -> int:
    stripped = len(text) - len(text.lstrip())
    end = _SENTENCE_END.search(text, stripped)
    return end.start() if end else len(text)


def explain_choice(text: object) -> tuple[str, list[Mention], str]:
    """(choice, classified mentions, reason) for a free-text answer; ``choice`` is :func:`extract_choice`'s."""
    if not isinstance(text, str) or not text.strip():
        return INVALID, [], "empty output"
    norm = normalize_answer_text(text)
    mentions = _classify(norm, _mentions(norm))
    if any(m.status == "several" for m in mentions):
        return INVALID, mentions, "several options given as possible answers"
    stated = [m for m in mentions if m.status == "stated"]
    bare = [m for m in mentions if m.status == "bare"]
    if stated:
        letters = {m.letter for m in stated}
        if len(letters) == 1:
            return stated[0].letter, mentions, "stated as the answer"
        return INVALID, mentions, f"several options stated as correct ({', '.join(sorted(letters))})"
    if bare:
        letters = {m.letter for m in bare}
        if len(letters) == 1:
            return bare[0].letter, mentions, "the only option named"
        opening = _opening_sentence_end(norm)
        first = {m.letter for m in bare if m.start < opening}
        if len(first) == 1:
            return bare[0].letter, mentions, "named alone in the opening sentence"
        return INVALID, mentions, f"several options named, none stated as the answer ({', '.join(sorted(letters))})"
    lone = _LONE.match(norm.strip())
    if lone is not None:
        return _TO_LETTER[lone.group("opt")], mentions, "the whole output is one option"
    if mentions:
        kinds = sorted({m.status for m in mentions})
        return INVALID, mentions, f"options only {' and '.join(kinds)}"
    return INVALID, mentions, "no option named"


def extract_choice(text: object) -> str:
    """The option a free-text answer picks: "A", "B", "C", "D", or "invalid" (see the module docstring)."""
    return explain_choice(text)[0]


def letter_to_index(letter: str) -> int:
    return CHOICES.index(letter)


def index_to_letter(index: int) -> str:
    return CHOICES[int(index)]
