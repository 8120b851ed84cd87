"""Personal-data redaction for crawled and free-text fields.

``redact_personal_data(text)`` replaces, with typed placeholders, and counts per kind:

- ``[EMAIL]``  e-mail addresses (``name@example.ir``), counted as ``"email"``;
- ``[URL]``    ``http(s)://`` and ``www.`` addresses and bare domains with a known top-level domain
  (``example.ir/x``, ``doctor.com``), counted as ``"url"``;
- ``[PHONE]``  Iranian mobile numbers (``09xx xxx xxxx``, ``+98 9xx ...``, ``0098 9xx ...``), landlines with an area
  code (``021-88776655``, ``(021) 8877 6655``, ``+98 21 ...``) and any number of 7-11 digits right after a phone
  keyword (``تلفن``, ``تماس``, ``شماره``, ``tel``, ``phone``), counted as ``"phone"``;
- ``[NATIONAL_ID]`` a free-standing 10-digit number (the shape of an Iranian national code, also written
  ``xxx-xxxxxx-x``), counted as ``"national_id"``.

Digits may be Persian (``۰-۹``), Arabic-Indic (``٠-٩``) or ASCII, separated by single spaces or dashes. The patterns
run on a digit-folded shadow of the text (one character for one character), so spans map back to the original.

What is *not* touched: doses and lab values (``500 mg``, ``120/80``, ``2.5 mg/kg``, ``HbA1c 6.5%``,
``12000/µL``), years and dates (``1402``, ``1402/06/15``), ICD codes, times. A number is only a phone number when it
has the prefix of one (0 / +98 / 0098 and a valid mobile or area-code digit) or follows a phone keyword; a bare
10-digit number is redacted as a national-ID-like number (privacy first; such numbers are rare in medical text and
the count is reported).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Callable

__all__ = ["redact_personal_data", "PLACEHOLDERS", "KINDS"]

PLACEHOLDERS = {"phone": "[PHONE]", "email": "[EMAIL]", "url": "[URL]", "national_id": "[NATIONAL_ID]"}
KINDS = tuple(PLACEHOLDERS)

_DIGIT_FOLD = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "0123456789" * 2)

_TLDS = (
    "ir|com|org|net|info|biz|edu|gov|int|co|io|me|us|uk|de|fr|ru|tv|app|health|clinic|online|site|blog|"
    "academy|website|tech|ai|in|ca|au|ch|nl|it|es|tr|ae|eu"
)
# Characters that end a URL: whitespace, closing brackets/quotes and Persian punctuation.
_URL_BODY = r"[^\s<>\"'«»()\[\]{}،؛]*"
_TRAILING_PUNCT = ".,;:!?؟،؛)]}'\"»"

_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_URL_SCHEME = re.compile(r"\b(?:https?|ftp)://" + _URL_BODY, re.IGNORECASE)
_URL_WWW = re.compile(r"(?<![\w./@-])www\.[A-Za-z0-9-]+" + _URL_BODY, re.IGNORECASE)
_URL_BARE = re.compile(
    r"(?<![\w./@-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+(?:"
    + _TLDS
    + r")(?![A-Za-z0-9-])(?:/"
    + _URL_BODY
    + r")?",
    re.IGNORECASE,
)

_SEP = r"[ \-\u00a0]?"
_NOT_NUM_BEFORE = r"(?<![\d.,/٫])"
_NOT_NUM_AFTER = r"(?![\d/]|[.,٫]\d)"
_MOBILE = re.compile(
    _NOT_NUM_BEFORE + r"(?:(?:\+|00)98" + _SEP + r"\(?0?\)?|\b0)" + r"9(?:" + _SEP + r"\d){9}" + _NOT_NUM_AFTER
)
_LANDLINE = re.compile(
    _NOT_NUM_BEFORE
    + r"(?:(?:\+|00)98"
    + _SEP
    + r"\(?0?|\(0|\b0)[1-8]\d\)?"
    + r"(?:"
    + _SEP
    + r"\d){8}"
    + _NOT_NUM_AFTER
)
_PHONE_KEYWORD = re.compile(
    r"(?:تلفن|تلفنی|تماس|شماره(?:\s+تماس|\s+تلفن|\s+همراه|\s+موبایل)?|موبایل|همراه|فکس|tel|phone|mobile|fax)"
    r"\s*[:：]?\s*(\+?\d(?:" + _SEP + r"\d){6,12})" + _NOT_NUM_AFTER,
    re.IGNORECASE,
)
_NATIONAL_ID = re.compile(_NOT_NUM_BEFORE + r"(?:\d{3}-\d{6}-\d|\d{10})" + _NOT_NUM_AFTER)


def _trim_url(match: re.Match) -> tuple[int, int]:
    start, end = match.span()
    text = match.string
    while end > start and text[end - 1] in _TRAILING_PUNCT:
        end -= 1
    return start, end


def _whole(match: re.Match) -> tuple[int, int]:
    return match.span()


def _group1(match: re.Match) -> tuple[int, int]:
    return match.span(1)


_RULES: list[tuple[str, re.Pattern, Callable[[re.Match], tuple[int, int]]]] = [
    ("email", _EMAIL, _whole),
    ("url", _URL_SCHEME, _trim_url),
    ("url", _URL_WWW, _trim_url),
    ("url", _URL_BARE, _trim_url),
    ("phone", _MOBILE, _whole),
    ("phone", _LANDLINE, _whole),
    ("phone", _PHONE_KEYWORD, _group1),
    ("national_id", _NATIONAL_ID, _whole),
]


def redact_personal_data(text: str) -> tuple[str, Counter]:
    """Return ``(redacted_text, Counter({"phone": n, "email": n, "url": n, "national_id": n}))`` (zero kinds absent)."""
    counts: Counter = Counter()
    if not text:
        return text, counts
    # Digit-folded shadow of ``text`` (same length); folded once, and rebuilt from the shadow itself after a
    # replacement (placeholders contain no foldable digits, so the shadow's pieces fold to the same text).
    shadow = text.translate(_DIGIT_FOLD)
    for kind, pattern, span_of in _RULES:
        spans = []
        for match in pattern.finditer(shadow):
            start, end = span_of(match)
            if end > start:
                spans.append((start, end))
        if not spans:
            continue
        placeholder = PLACEHOLDERS[kind]
        pieces, shadow_pieces, last = [], [], 0
        for start, end in spans:
            pieces.append(text[last:start])
            shadow_pieces.append(shadow[last:start])
            pieces.append(placeholder)
            shadow_pieces.append(placeholder)
            last = end
        pieces.append(text[last:])
        shadow_pieces.append(shadow[last:])
        text = "".join(pieces)
        shadow = "".join(shadow_pieces)
        counts[kind] += len(spans)
    return text, counts
