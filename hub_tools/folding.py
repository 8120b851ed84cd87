"""The one Persian folding module: every table of letter, digit, diacritic, bidi and ZWNJ rules lives here.

Everything that compares or cleans Persian text uses these tables and functions: the normaliser
(:mod:`hub_tools.data.normalize`), dedup and contamination (:func:`match_key`), answer extraction, the paper import,
the IBMSEE topic spellings and the Space's safety checks. The module uses only the standard library, so the Space
ships it unchanged (``space deploy`` copies it).

Rules, each a table below:

- **Presentation forms** (U+FB50-U+FDFF, U+FE70-U+FEFE) fold to the base letters (NFKC on those characters only).
- **Letters** (:data:`LETTER_FOLDS`): Arabic yeh ``ي`` and alef maksura ``ى`` -> Persian yeh ``ی``; Arabic kaf ``ك``
  and swash kaf ``ڪ`` -> keheh ``ک``; ae ``ە`` and heh goal ``ہ`` -> ``ه``; heh with yeh above ``ۀ`` -> ``هٔ``;
  tatweel ``ـ`` removed. Hamza forms and teh marbuta are meaningful in running text and are kept.
- Two **named options** for loose matching only, never for published text: ``teh_marbuta=True`` folds ``ة`` -> ``ه``
  (the paper's files spell Arabic loanwords both ways); ``hamza=True`` folds ``أ إ آ ٱ`` -> ``ا``, ``ؤ`` -> ``و`` and
  ``ئ`` -> ``ی`` (what people type on an Arabic keyboard or without hamza, used by the safety checks).
- A third loose option, ``loanwords=True`` (:data:`LOANWORD_FOLDS`): a Persian transliteration of the Greek prefixes
  hyper-/hypo- written with its long vowel reads as the shorter spelling (``هایپرکالمی`` -> ``هیپرکالمی``,
  ``هایپوتیروئیدی`` -> ``هیپوتیروئیدی``); books and writers use both.
- **Diacritics** (:data:`DIACRITICS`): harakat, shadda, sukun, stray maddah/hamza-below marks, superscript alef.
  Fathatan (:data:`FATHATAN`) is separate: Persian writes it after alef (``معمولاً``).
- **Bidi controls** (:data:`BIDI_CONTROLS`): LRM, RLM, ALM, LRE..RLO, LRI..PDI. **Invisibles**
  (:data:`INVISIBLES`): BOM, word joiner, soft hyphen, ZWJ. A zero-width space reads as a ZWNJ.
- **Digits** (:data:`DIGIT_TABLE`): Persian ``۰-۹`` and Arabic-Indic ``٠-٩`` -> ASCII; the Arabic decimal separator
  ``٫`` between two digits -> ``.``.
- **Spaces** (:data:`SPACES`): every Unicode space character reads as an ASCII space.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "ARABIC_DIGITS",
    "BIDI_CONTROLS",
    "DIACRITICS",
    "DIGIT_TABLE",
    "FATHATAN",
    "HAMZA_FOLDS",
    "INVISIBLES",
    "LETTER_FOLDS",
    "LOANWORD_FOLDS",
    "PERSIAN_DIGITS",
    "SPACES",
    "TEH_MARBUTA_FOLDS",
    "ZWNJ",
    "ZWSP",
    "fold_digits",
    "fold_letters",
    "fold_presentation_forms",
    "match_key",
    "strip_bidi",
]

ZWNJ = "\u200c"
ZWSP = "\u200b"
PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
DIGIT_TABLE = str.maketrans(PERSIAN_DIGITS + ARABIC_DIGITS, "0123456789" * 2)

LETTER_FOLDS: dict[str, str] = {
    "\u064a": "\u06cc",  # ARABIC LETTER YEH -> FARSI YEH
    "\u0649": "\u06cc",  # ALEF MAKSURA -> FARSI YEH
    "\u0643": "\u06a9",  # ARABIC LETTER KAF -> KEHEH
    "\u06aa": "\u06a9",  # SWASH KAF -> KEHEH
    "\u06d5": "\u0647",  # AE -> HEH
    "\u06c1": "\u0647",  # HEH GOAL -> HEH
    "\u06c0": "\u0647\u0654",  # HEH WITH YEH ABOVE -> HEH + HAMZA ABOVE
    "\u0640": "",  # TATWEEL
}
TEH_MARBUTA_FOLDS: dict[str, str] = {"\u0629": "\u0647"}  # ة -> ه
HAMZA_FOLDS: dict[str, str] = {
    "\u0623": "\u0627",  # أ -> ا
    "\u0625": "\u0627",  # إ -> ا
    "\u0622": "\u0627",  # آ -> ا
    "\u0671": "\u0627",  # ٱ -> ا
    "\u0624": "\u0648",  # ؤ -> و
    "\u0626": "\u06cc",  # ئ -> ی
    "\u0654": "",  # hamza above (هٔ -> ه)
}
#: transliterated prefixes spelt two ways, at the start of a word: the long spelling -> the short one
LOANWORD_FOLDS: dict[str, str] = {"هایپر": "هیپر", "هایپو": "هیپو"}
_LOANWORD_PREFIX = re.compile(r"(?<!\w)(?:" + "|".join(LOANWORD_FOLDS) + ")")
DIACRITICS = "\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0653\u0655\u0670"
FATHATAN = "\u064b"
BIDI_CONTROLS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLES = "\u200d\ufeff\u2060\u00ad"
SPACES = "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\v\f"

_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufefe]")
_DECIMAL_SEPARATOR = re.compile(r"(?<=\d)\u066b(?=\d)")
_BIDI_TABLE = str.maketrans({ch: "" for ch in BIDI_CONTROLS})
_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_ZWNJ_BY_DIGIT = re.compile(r"(?<=\d)[\u200b\u200c]+|[\u200b\u200c]+(?=\d)")


def _fold_presentation_form(match: re.Match) -> str:
    return unicodedata.normalize("NFKC", match.group())


def fold_presentation_forms(text: str) -> str:
    """Arabic presentation forms -> base letters (NFKC on those characters only), then NFC."""
    if _PRESENTATION_FORMS.search(text):
        text = _PRESENTATION_FORMS.sub(_fold_presentation_form, text)
    return unicodedata.normalize("NFC", text)


_FOREIGN_DIGIT = re.compile("[" + PERSIAN_DIGITS + ARABIC_DIGITS + "\u066b]")


_DIGIT_PAIRS = tuple((chr(digit), chr(ascii_digit)) for digit, ascii_digit in DIGIT_TABLE.items())


def fold_digits(text: str) -> str:
    """Persian and Arabic-Indic digits -> ASCII, and ``٫`` between digits -> ``.`` (length preserving otherwise)."""
    if not _FOREIGN_DIGIT.search(text):  # most texts: a C-speed scan instead of a per-character translate
        return text
    for digit, ascii_digit in _DIGIT_PAIRS:  # (a replace per digit present: translate looks every character of a
        if digit in text:  # non-ASCII text up in its table, several times slower)
            text = text.replace(digit, ascii_digit)
    return _DECIMAL_SEPARATOR.sub(".", text) if "\u066b" in text else text


def strip_bidi(text: str) -> str:
    """Remove bidi control characters (LRM, RLM, ALM, embeddings, overrides, isolates)."""
    return text.translate(_BIDI_TABLE)


def _letter_table(teh_marbuta: bool, hamza: bool) -> dict[str, str]:
    table = dict(LETTER_FOLDS)
    if teh_marbuta:
        table.update(TEH_MARBUTA_FOLDS)
    if hamza:
        table.update(HAMZA_FOLDS)
        table["\u06c0"] = "\u0647"
    return table


_LETTER_TABLES = {
    (t, h): str.maketrans(_letter_table(t, h)) for t in (False, True) for h in (False, True)
}


def fold_letters(text: str, *, teh_marbuta: bool = False, hamza: bool = False) -> str:
    """Fold Arabic letter forms to the Persian ones (:data:`LETTER_FOLDS`), plus the named loose-matching options."""
    return text.translate(_LETTER_TABLES[(teh_marbuta, hamza)])


def _match_table(teh_marbuta: bool, hamza: bool, zwnj: str) -> dict[int, str]:
    table = {
        **_letter_table(teh_marbuta, hamza),
        **{ch: "" for ch in DIACRITICS + FATHATAN + BIDI_CONTROLS + INVISIBLES},
        ZWNJ: zwnj,
        ZWSP: zwnj,
        "_": " ",
        **{ch: " " for ch in SPACES},
    }
    return str.maketrans(table)


_MATCH_TABLES: dict[tuple[bool, bool, str], dict[int, str]] = {}


def match_key(
    text: str,
    *,
    teh_marbuta: bool = False,
    hamza: bool = False,
    zwnj: str = " ",
    casefold: bool = True,
    punctuation: bool = False,
    loanwords: bool = False,
) -> str:
    """The form texts are compared in: folded letters, ASCII digits, no diacritics, bidi or invisible characters,
    single spaces.

    ``zwnj`` is what a ZWNJ (or zero-width space) reads as: a space by default (``می شود`` == ``می‌شود``), or ``""``
    to join the halves. A ZWNJ next to a digit is dropped, as the normaliser drops it. ``punctuation=False`` (the
    default) turns punctuation and symbols into spaces; ``casefold`` lower-cases Latin text. ``teh_marbuta`` and
    ``hamza`` are the loose-matching options of :func:`fold_letters`; ``loanwords`` folds :data:`LOANWORD_FOLDS`.
    """
    if not text:
        return ""
    text = _ZWNJ_BY_DIGIT.sub("", unicodedata.normalize("NFKC", text))
    key = (teh_marbuta, hamza, zwnj)
    table = _MATCH_TABLES.get(key)
    if table is None:
        table = _MATCH_TABLES[key] = _match_table(teh_marbuta, hamza, zwnj)
    text = fold_digits(text.translate(table))
    if casefold:
        text = text.casefold()
    if not punctuation:
        text = _PUNCTUATION.sub(" ", text)
    if loanwords:
        text = _LOANWORD_PREFIX.sub(lambda m: LOANWORD_FOLDS[m.group()], text)
    return " ".join(text.split())
