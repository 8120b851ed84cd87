"""Answer extraction for the generate protocol: free text -> "A" | "B" | "C" | "D" | "invalid".

``extract_choice`` is a pure function (no model, no state). The rule, in full:

1. Normalise: Unicode NFKC (full-width Ｃ -> C, Arabic presentation forms -> letters); Persian (۰-۹) and Arabic-Indic (٠-٩) digits become ASCII; Arabic ي/ى/ك become Persian ی/ک;
   a lone option in markdown bold (``**B**``, ``**۲**``, ``**ب**``) becomes ``[B]``; the remaining ``*``/``_``
   emphasis marks are dropped.
2. An *option token* is a Latin capital A-D, a digit 1-4 (1=A … 4=D) or a Persian option letter
   الف/ب/ج/د (the order Persian exams use), standing alone (not inside a longer word or number).
3. *Explicit markers* are found anywhere in the text:
     - bracketed: ``[A]``, ``(A)``, ``[۲]``, ``(الف)``, and lower case in brackets ``[c]``;
     - after the word "option": ``گزینه A``, ``گزینه‌ی ب``, ``گزینه ۲``, ``گزینه شماره 3``, ``گزینه [C]``,
       ``گزینه اول/دوم/سوم/چهارم``;
     - after an answer keyword: ``پاسخ: B``, ``پاسخ صحیح C``, ``جواب درست: د``, ``Answer: B``,
       ``the answer is (C)``, ``option D``;
     - the prompt's own layout ``A : text`` (a Latin letter, a space, a colon);
     - at the start of a line (after blanks, ``-``, ``#``, ``>``): ``A)``, ``A.``, ``A:``, ``A -``, ``الف)``, ``2)``
       (a digit followed by ``.`` at a line start is a numbered list, not an answer, and is ignored).
4. Several markers: an *answer statement* (a marker right after پاسخ/جواب [صحیح|درست|نهایی|مناسب]
   [است|این است که|عبارت است از] [:] [گزینه], or after "answer [is]") beats a bare marker, so a model that walks
   through "[A] : … [B] : … [D] : …" and concludes "پاسخ صحیح گزینه [D] است" answers D. Among markers of the same
   kind **the first one in the text wins** (models state their answer first and then discuss the other options:
   "پاسخ صحیح گزینه [D] است … گزینه [A] … صحیح نیستند" -> D).
5. If no marker is found but the whole output, stripped of blanks and punctuation, is a single option token
   ("B", "ب", "۳"), that is the answer.
6. Otherwise -> "invalid" (scored as wrong). Empty or non-string output is "invalid".

Letters in prose such as "ویتامین A" or "(بخش B)" are deliberately *not* markers.
"""

from __future__ import annotations

import re
import unicodedata

CHOICES = ("A", "B", "C", "D")
INVALID = "invalid"

_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
_ARABIC_FORMS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ـ": None})
_TO_LETTER = {
    "A": "A", "B": "B", "C": "C", "D": "D", "a": "A", "b": "B", "c": "C", "d": "D",
    "1": "A", "2": "B", "3": "C", "4": "D",
    "الف": "A", "ب": "B", "ج": "C", "د": "D",
    "اول": "A", "یکم": "A", "دوم": "B", "سوم": "C", "چهارم": "D",
}  # fmt: skip

# One option token, standing alone. Latin letters must not touch other Latin letters; digits must not be part of a
# longer number (1.5, 12); Persian letters must not touch other word characters.
_LATIN = r"(?<![A-Za-z])[A-D](?![A-Za-z])"
_DIGIT = r"(?<![0-9])[1-4](?![0-9]|[.,/][0-9])"
_FA = r"(?<!\w)(?:الف|ب|ج|د)(?!\w)"
_OPT = rf"(?P<opt>{_LATIN}|{_DIGIT}|{_FA})"
_ORDINAL = r"(?P<opt>اول|یکم|دوم|سوم|چهارم)(?!\w)"

_GOZINEH = r"گزینه(?:\u200c?ی|\u200c?ای)?"  # گزینه, گزینه‌ی, گزینه ی, گزینه‌ای
_AFTER_GOZINEH = rf"{_GOZINEH}\s*(?:شماره\s*)?[:：\-]?\s*[\[(]?\s*"

# Tier 1, answer statements: پاسخ: B / پاسخ صحیح گزینه [C] / جواب درست: د / پاسخ صحیح این است که A / Answer: B
_ANSWER_MARKERS = [
    re.compile(
        r"(?:پاسخ|جواب)(?:\s+(?:صحیح|درست|نهایی|مناسب|درست\u200cتر))?"
        r"(?:\s+(?:عبارت\s+است\s+از|این\s+است\s+که|است|برابر\s+است\s+با|برابر))?"
        rf"\s*[:：\-]?\s*(?:{_AFTER_GOZINEH})?[\[(]?\s*{_OPT}"
    ),
    re.compile(
        r"(?:پاسخ|جواب)(?:\s+(?:صحیح|درست|نهایی|مناسب))?(?:\s+(?:است|این\s+است\s+که))?\s*[:：\-]?\s*"
        rf"{_GOZINEH}\s+{_ORDINAL}"
    ),
    re.compile(rf"(?i:answer)(?:\s+(?i:is))?\s*[:：\-]?\s*[\[(]?\s*{_OPT}"),
]
# Tier 2, any explicit marker.
_MARKERS = [
    # [A]  (A)  [۲]  (الف)  [c]
    re.compile(rf"[\[(]\s*{_OPT}\s*[\])]"),
    re.compile(r"[\[(]\s*(?P<opt>[a-d])\s*[\])]"),
    # گزینه A / گزینه‌ی ب / گزینه ۲ / گزینه شماره 3 / گزینه: [C] / گزینه دوم
    re.compile(rf"{_AFTER_GOZINEH}{_OPT}"),
    re.compile(rf"{_GOZINEH}\s+{_ORDINAL}"),
    # option D / choice 2
    re.compile(rf"(?i:option|choice)\s*[:：\-]?\s*[\[(]?\s*{_OPT}"),
    # the prompt's layout: "A : text"
    re.compile(r"(?<![A-Za-z])(?P<opt>[A-D])\s+:"),
    # line starts: A)  A.  A:  A -  الف)  2)
    re.compile(r"^[ \t>#\-•]*(?P<opt>[A-D]|الف|ب|ج|د)\s*(?:[).:：]|\s-\s)", re.MULTILINE),
    re.compile(r"^[ \t>#\-•]*(?P<opt>[1-4])\s*[)：:]", re.MULTILINE),
]
_BOLD_OPTION = re.compile(r"\*\*\s*([A-D]|[1-4]|الف|ب|ج|د)\s*\*\*")
_LONE = re.compile(rf"^\W*(?P<opt>[A-D]|[1-4]|الف|ب|ج|د)\W*$")


def normalize_answer_text(text: str) -> str:
    """Step 1 of the rule: digits to ASCII, Arabic letter forms to Persian, bold lone options to ``[X]``."""
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS).translate(_ARABIC_FORMS)
    text = _BOLD_OPTION.sub(lambda m: f"[{m.group(1)}]", text)
    return text.replace("*", "").replace("__", "")


def _first_match(patterns: list[re.Pattern], text: str) -> str | None:
    best: tuple[int, str] | None = None
    for pattern in patterns:
        match = pattern.search(text)
        if match is not None and (best is None or match.start() < best[0]):
            best = (match.start(), _TO_LETTER[match.group("opt")])
    return None if best is None else best[1]


def extract_choice(text: object) -> str:
    """The option a free-text answer picks: "A", "B", "C", "D", or "invalid" (see the module docstring)."""
    if not isinstance(text, str) or not text.strip():
        return INVALID
    norm = normalize_answer_text(text)
    for tier in (_ANSWER_MARKERS, _MARKERS):
        best = _first_match(tier, norm)
        if best is not None:
            return best
    lone = _LONE.match(norm.strip())
    if lone is not None:
        return _TO_LETTER[lone.group("opt")]
    return INVALID


def letter_to_index(letter: str) -> int:
    return CHOICES.index(letter)


def index_to_letter(index: int) -> str:
    return CHOICES[int(index)]
