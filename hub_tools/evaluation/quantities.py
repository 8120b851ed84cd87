"""Quantities said in words or digits, in either language, and in any unit of their kind: "2 years" is "۲۴ ماه",
"0.4 mg" is "۴۰۰ میکروگرم", "2-3 days" is "48–72 hours", "Four and a half hours" is "۴.۵ ساعت", "between sixty and
a hundred beats a minute" is "60–100 bpm", "Forty." is "40".

A quantity is a number or a range of two, with the unit that follows it, if any. Numbers are digits in any script
(with "." or "٫" as the decimal separator) or number words ("forty", "چهار", "one hundred", "صد هزار"), with "and a
half"/"و نیم" added. Units are those of time, mass, volume and a rate per minute; each has a factor to its kind's base
unit, so two quantities of one kind compare by value. A month is a twelfth of a year.

The tables are small and hand-written: the units are the few that options of medical questions use, and they must be
known by their Persian names too, which unit libraries such as ``pint`` do not know.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from hub_tools.folding import fold_digits, fold_letters

__all__ = ["HUNDRED", "NUMBER_WORDS", "SCALES", "Quantity", "decimal_slashes", "number_at", "quantities", "same_amount"]

#: Number words and their values ("a" only before a scale word: "a hundred", "a thousand").
NUMBER_WORDS = {
    "یک": 1, "دو": 2, "سه": 3, "چهار": 4, "پنج": 5, "شش": 6, "هفت": 7, "هشت": 8, "نه": 9, "ده": 10,
    "بیست": 20, "سی": 30, "چهل": 40, "پنجاه": 50, "شصت": 60, "هفتاد": 70, "هشتاد": 80, "نود": 90,
    "یکصد": 100, "دویست": 200, "سیصد": 300, "چهارصد": 400, "پانصد": 500, "ششصد": 600, "هفتصد": 700,
    "هشتصد": 800, "نهصد": 900,
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
    # Finglish (Persian in Latin letters): numbers only before a unit ("shish mah") or in a run with a scale word
    "yek": 1, "do": 2, "se": 3, "chahar": 4, "panj": 5, "shish": 6, "shesh": 6, "haft": 7, "hasht": 8, "noh": 9,
    "dah": 10,
}  # fmt: skip
HUNDRED = frozenset({"صد", "hundred"})
SCALES = {"هزار": 1_000, "thousand": 1_000, "میلیون": 1_000_000, "million": 1_000_000}
_SCALE_WORDS = HUNDRED | set(SCALES)  # "a" is a number only before one of these: "a thousand", not "a patient"

# unit words (in the match form) -> (kind, factor to the kind's base unit)
_HOUR, _YEAR = 1.0, 24.0 * 365
_UNIT_WORDS = {
    **dict.fromkeys("second seconds sec secs s ثانیه".split(), ("time", 1 / 3600)),
    **dict.fromkeys("minute minutes min mins دقیقه".split(), ("time", 1 / 60)),
    **dict.fromkeys("hour hours hr hrs h ساعت".split(), ("time", _HOUR)),
    **dict.fromkeys("day days d روز".split(), ("time", 24.0)),
    **dict.fromkeys("week weeks wk wks هفته".split(), ("time", 24.0 * 7)),
    **dict.fromkeys("month months ماه".split(), ("time", _YEAR / 12)),
    **dict.fromkeys("year years yr yrs سال".split(), ("time", _YEAR)),
    **dict.fromkeys("mcg µg ug microgram micrograms میکروگرم".split(), ("mass", 1.0)),
    **dict.fromkeys("mg milligram milligrams میلیگرم".split(), ("mass", 1e3)),
    **dict.fromkeys("g gram grams گرم".split(), ("mass", 1e6)),
    **dict.fromkeys("kg kilogram kilograms کیلوگرم کیلو".split(), ("mass", 1e9)),
    **dict.fromkeys("ml milliliter milliliters millilitre millilitres میلیلیتر cc".split(), ("volume", 1.0)),
    **dict.fromkeys("l liter liters litre litres لیتر".split(), ("volume", 1e3)),
    "bpm": ("rate", 1.0),
}  # fmt: skip
# several words that are one unit ("میلی گرم" once folded; "beats a minute", "در دقیقه")
_UNIT_PHRASES = (
    (("میلی", "گرم"), ("mass", 1e3)),
    (("میلی", "لیتر"), ("volume", 1.0)),
    (("beats", "per", "minute"), ("rate", 1.0)),
    (("beats", "a", "minute"), ("rate", 1.0)),
    (("beats", "min"), ("rate", 1.0)),
    (("per", "minute"), ("rate", 1.0)),
    (("a", "minute"), ("rate", 1.0)),
    (("در", "دقیقه"), ("rate", 1.0)),
    (("ضربه", "در", "دقیقه"), ("rate", 1.0)),
)
_RANGE_WORDS = frozenset({"to", "تا"})  # "2 to 3 days", "۲ تا ۳ روز"
_BETWEEN = frozenset({"between", "بین"})  # "between 60 and 100", "بین ۶۰ و ۱۰۰"
_JOINERS = frozenset({"and", "و"})
_HALF = (("and", "a", "half"), ("و", "نیم"))
_PERSIAN_SLASH = re.compile(r"(?<=(?<![۰-۹/])[۰-۹])/(?=[۰-۹]{1,2}(?![۰-۹/]))")  # one digit before: "۱۴۰/۹۰" is a ratio
_DIGITS = re.compile(r"[0-9]{1,3}(?:[,٬][0-9]{3})+(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?")
_TOKEN = re.compile(r"\d{1,3}(?:[,٬]\d{3})+(?![\d,٬])(?:[.٫]\d+)?|\d+(?:[.٫]\d+)?|[^\W\d_]+|[\-–—/]")


@dataclass(frozen=True)
class Quantity:
    """A number or a range said in ``text[start:end]``, in its kind's base unit where a unit follows it."""

    start: int
    end: int
    low: float
    high: float
    kind: str | None  # time, mass, volume, rate; None for a bare number


def same_amount(a: Quantity, b: Quantity) -> bool:
    """Two quantities of one kind (or two bare numbers) with the same value, or the same range."""
    return a.kind == b.kind and math.isclose(a.low, b.low, rel_tol=1e-6) and math.isclose(a.high, b.high, rel_tol=1e-6)


def decimal_slashes(text: str) -> str:
    """``text`` with a slash after one Persian digit written as the decimal separator "٫" ("۶/۵" is 6.5, as Persian
    writes it; "۱۴۰/۹۰" and "120/80" stay ratios); the same length."""
    return _PERSIAN_SLASH.sub("\u066b", text)


def quantities(text: str) -> list[Quantity]:
    """The quantities said in ``text``, in order, each with its span in ``text``."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(decimal_slashes(text))]
    words = [fold_letters(fold_digits(token), hamza=True).lower() for _, _, token in tokens]
    out, index = [], 0
    while index < len(tokens):
        found = _quantity_at(words, index)
        if found is None:
            index += 1
            continue
        end, low, high, kind = found
        out.append(Quantity(tokens[index][0], tokens[end - 1][1], low, high, kind))
        index = end
    return out


def _quantity_at(words: list[str], start: int) -> tuple[int, float, float, str | None] | None:
    between = words[start] in _BETWEEN
    first = _number_at(words, start + between)
    if first is None:
        return None
    end, low = first
    unit = _unit_at(words, end)
    if unit is not None:  # "2 days to 3 days" is rare; "۴ ساعت و نیم" is not
        end, (kind, factor) = unit
        end, low = _half_after(words, end, low)
    high = low
    joiners = _JOINERS if between else _RANGE_WORDS | {"-", "–", "—"}
    if end < len(words) and words[end] in joiners:
        second = _number_at(words, end + 1)
        if second is not None:
            end, high = second
    elif between:
        return None
    if unit is None:
        unit = _unit_at(words, end)
        if unit is not None:
            end, (kind, factor) = unit
    if unit is None:
        return end, low, high, None
    return end, low * factor, high * factor, kind


def number_at(words: Sequence[str], start: int) -> tuple[int, float, bool] | None:
    """(end, value, scaled) of the number that starts at ``words[start]`` (folded, lower-case words): digits, with a
    scale word after them ("۱۰۰ هزار"), or a run of number words ("one hundred thousand", "صد و بیست"); ``scaled``:
    a hundred or a scale word is in it. None where no number starts there."""
    if start >= len(words):
        return None
    word = words[start]
    if _DIGITS.fullmatch(word):
        value, end = float(word.replace(",", "").replace("٬", "")), start + 1
        if end < len(words) and words[end] in SCALES:
            return end + 1, value * SCALES[words[end]], True
        return end, value, False
    total, current, index, scaled = 0, 0, start, False
    while index < len(words):
        word = words[index]
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in NUMBER_WORDS and (word != "a" or following in _SCALE_WORDS):
            current += NUMBER_WORDS[word]
            scaled = scaled or NUMBER_WORDS[word] >= 100
        elif word in HUNDRED:
            current, scaled = max(current, 1) * 100, True
        elif word in SCALES:
            total, current, scaled = total + max(current, 1) * SCALES[word], 0, True
        elif not (word in _JOINERS and index > start and following in NUMBER_WORDS and following != "a"):
            break  # "sixty and a hundred" is two numbers
        index += 1
    return None if index == start else (index, float(total + current), scaled)


def _number_at(words: list[str], start: int) -> tuple[int, float] | None:
    """(end, value) of the number at ``words[start]``, "and a half" included."""
    found = number_at(words, start)
    return None if found is None else _half_after(words, found[0], found[1])


def _half_after(words: list[str], index: int, value: float) -> tuple[int, float]:
    for phrase in _HALF:
        if tuple(words[index : index + len(phrase)]) == phrase:
            return index + len(phrase), value + 0.5
    return index, value


def _unit_at(words: list[str], index: int) -> tuple[int, tuple[str, float]] | None:
    for phrase, unit in _UNIT_PHRASES:
        if tuple(words[index : index + len(phrase)]) == phrase:
            return index + len(phrase), unit
    if index < len(words) and words[index] in _UNIT_WORDS:
        return index + 1, _UNIT_WORDS[words[index]]
    if index + 1 < len(words) and words[index] == "/" and words[index + 1] in ("min", "minute"):
        return index + 2, ("rate", 1.0)
    return None
