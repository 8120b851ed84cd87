"""Personal-data redaction for crawled and free-text fields, measured on a hand-labelled set.

``redact_personal_data(text) -> (text, counts)`` replaces each piece of personal data with a typed placeholder and
counts the replacements per kind; :func:`find_personal_data` returns the spans without replacing them.

Kinds, in the order the rules run (a span already claimed by an earlier rule is not matched again):

- ``email`` ``[EMAIL]``: ``name@domain.tld``, also written ``name @ domain.com`` or ``name[at]domain.com``.
- ``url`` ``[URL]``: ``http(s)://`` and ``www.`` addresses, and bare domains whose top-level domain is a known one
  written in lower case (``doctor-yab.ir/q/1``); ``Na.K.Ca`` or ``e.g.`` are not domains.
- ``handle`` ``[HANDLE]``: ``@handle`` (Instagram, Telegram) and a Latin id after ``آیدی``/``اینستاگرام``/``تلگرام``.
- ``iban`` ``[IBAN]``: a Sheba number, ``IR`` and 24 digits (spaces or dashes between groups allowed).
- ``card`` ``[CARD]``: a 16-digit bank card number (4 groups of 4, or one run) that passes the Luhn check, or any
  16-digit number right after ``کارت``.
- ``phone`` ``[PHONE]``: runs of digits with spaces (single or double), dashes, dots or brackets between groups are
  cut into candidates and each candidate is validated with **phonenumbers** (region ``IR``): a number with its
  prefix (``09…``, ``0 + area code``, ``+98``/``0098``) must be a valid Iranian number; after a phone keyword
  (``تلفن``, ``تماس``, ``شماره``, ``شماره مطب``, ``موبایل``, ``tel``…) an 8-digit local number or a mobile number
  without its leading ``0`` also counts. A number may follow text directly (``ممنون۰۹۳۷…``, ``بدید.۰۹۱۲…``).
- ``national_id`` ``[NATIONAL_ID]``: 10 digits (or ``xxx-xxxxxx-x``) whose check digit is right, or any such number
  after ``کد ملی``; a 10-digit count followed by a unit (``واحد``, ``نفر``, ``mg``…) is not one.
- ``address`` ``[ADDRESS]``: a Persian street address down to the house number: from ``آدرس``/``نشانی`` or a street
  word (``خیابان``, ``بلوار``, ``کوچه``, ``میدان``…) to ``پلاک N`` (with ``طبقه``/``واحد`` after it); ``پلاکت``
  (platelets) is not ``پلاک``.
- ``name`` ``[NAME]``: the name in a sign-off (``پاسخ از دکتر NAME``, ``پاسخ دکتر NAME``, ``با تشکر دکتر NAME``,
  ``پاسخ دهنده: خانم NAME``, ``Regards, Dr. NAME``), after ``دکتر`` when a specialty follows (``دکتر NAME، متخصص
  …``) or the first word is a known first name, and in self-introductions (``اسم من NAME است``, ``من NAME هستم``
  with a known first name, ``my name is NAME``). A name is a first name and a surname (a third word only for
  ``زاده``/``نژاد``/``پور``… or a double first name such as ``محمد حسن``); an introduction must end like one
  (``است``, ``هستم``, punctuation, an age).
  Words of a stop-list end a name, so ``به دکتر مراجعه کنید``, ``دکتر متخصص قلب`` and ``بیمارستان دکتر شریعتی``
  stay as they are. The title (``دکتر``) is kept: ``پاسخ از دکتر [NAME]``.

Digits may be Persian, Arabic-Indic or ASCII: every pattern runs on a digit-folded shadow of the text
(:func:`hub_tools.folding.fold_digits`, one character for one character), so spans map back to the original.

What is *not* touched: doses and lab values (``500 mg``, ``120/80``, ``2.5 mg/kg``), dates and years, ICD codes,
times, counts (``همراه 1000000 واحد``), 10-digit numbers that fail the national-ID check.

How well this works is measured on the labelled set ``tests/hub_tools/data/redaction_labelled.txt``
(:mod:`hub_tools.data.redaction_eval`); the figures are committed in ``redaction_eval.json`` next to this module
and quoted by every build report and dataset card (:func:`labelled_set_figures`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Any, Callable, Iterator

import phonenumbers

from hub_tools.folding import fold_digits

__all__ = [
    "KINDS",
    "PLACEHOLDERS",
    "Span",
    "find_personal_data",
    "labelled_set_figures",
    "luhn_valid",
    "national_id_valid",
    "redact_personal_data",
]

PLACEHOLDERS = {
    "phone": "[PHONE]",
    "email": "[EMAIL]",
    "url": "[URL]",
    "national_id": "[NATIONAL_ID]",
    "handle": "[HANDLE]",
    "iban": "[IBAN]",
    "card": "[CARD]",
    "address": "[ADDRESS]",
    "name": "[NAME]",
}
KINDS = tuple(PLACEHOLDERS)
FIGURES_FILE = "redaction_eval.json"


@dataclass(frozen=True)
class Span:
    """One piece of personal data: ``text[start:end]`` is of ``kind``."""

    kind: str
    start: int
    end: int


# --------------------------------------------------------------------------------------------------------------------
# Checks


def luhn_valid(digits: str) -> bool:
    """The Luhn check of a bank card number (ASCII digits)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def national_id_valid(digits: str) -> bool:
    """The check digit of an Iranian national code (10 ASCII digits, not all the same)."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    remainder = sum(int(digits[i]) * (10 - i) for i in range(9)) % 11
    check = int(digits[9])
    return check == remainder if remainder < 2 else check == 11 - remainder


def _valid_phone(number: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number, "IR"))
    except phonenumbers.NumberParseException:
        return False


# --------------------------------------------------------------------------------------------------------------------
# Patterns (run on the digit-folded shadow)

_TLDS = (
    "ir|com|org|net|info|biz|edu|gov|int|co|io|me|us|uk|de|fr|ru|tv|app|health|clinic|online|site|blog|"
    "academy|website|tech|ai|in|ca|au|ch|nl|it|es|tr|ae|eu"
)
_URL_BODY = r"[^\s<>\"'«»()\[\]{}،؛]*"
_TRAILING_PUNCT = ".,;:!?؟،؛)]}'\"»"

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*[ ]{0,2}(?:@|\[at\]|\(at\))[ ]{0,2}"
    r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
)
_URL_SCHEME = re.compile(r"\b(?:https?|ftp)://" + _URL_BODY, re.IGNORECASE)
_URL_WWW = re.compile(r"(?<![\w./@-])www\.[A-Za-z0-9-]+" + _URL_BODY, re.IGNORECASE)
_URL_BARE = re.compile(
    r"(?<![\w./@-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]\.(?:"
    + _TLDS
    + r"|COM|ORG|NET)(?![A-Za-z0-9-])(?:/"
    + _URL_BODY
    + r")?"
)
_HANDLE = re.compile(r"(?<![\w@.+-])@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}")
_HANDLE_KEYWORD = re.compile(
    r"(?:آیدی|آی\u200cدی|آی دی|ایدی|اینستاگرام|اینستا|تلگرام|instagram|telegram|insta)"
    r"(?:\s+(?:من|ما|پیج|ام))?\s*[:：]?\s*(@?[A-Za-z][A-Za-z0-9_.]{2,29})",
    re.IGNORECASE,
)
_IBAN = re.compile(r"(?<![A-Za-z0-9])(?:IR|ir|Ir)[ ]?\d{2}(?:[ \-]?\d){22}(?!\d)")
_CARD = re.compile(r"(?<!\d)(?<!\d[.,/])\d{4}(?:[ \-]{0,2}\d{4}){3}(?!\d|[.,/]\d)")
_CARD_KEYWORD = re.compile(r"کارت[^\d\n]{0,15}$")
# A run of digit groups with phone separators between them (spaces, dashes, dots, brackets).
_DIGIT_RUN = re.compile(r"(?:\+|\()?\d(?:\d|[ \u00a0\-.()]{1,3}(?=\(?\d))*\)?")
_GROUP = re.compile(r"\d+")
_PHONE_KEYWORD = re.compile(
    r"(?:تلفن|تماس|شماره|موبایل|مبایل|فکس|واتساپ|واتس\u200cاپ|واتس اپ|tel|phone|mobile|fax|whatsapp|call)"
    r"(?:\s+(?:تماس|تلفن|همراه|موبایل|مطب|منزل|دفتر|کلینیک|من|ما|بنده|اینجانب))*"
    r"[^\d\n]{0,12}$",
    re.IGNORECASE,
)
_NATIONAL_ID = re.compile(r"(?<!\d)(?<!\d[.,/])(?:\d{3}-\d{6}-\d|\d{10})(?!\d|[.,/]\d)")
_NATIONAL_ID_KEYWORD = re.compile(r"(?:کد\s*ملی|کد\u200cملی|شماره\s*ملی|national\s*(?:id|code))[^\d\n]{0,10}$", re.I)
_UNIT_AFTER = re.compile(
    r"\s*(?:واحد|عدد|نفر|تومان|ریال|دلار|سلول|کپی|میلی|میکرو|گرم|بار|مورد|IU|mg|mcg|ml|copies|cells|units?)",
    re.IGNORECASE,
)

_STREET = r"(?:خیابان|خ\.|بلوار|کوچه|میدان|بزرگراه|اتوبان|شهرک|محله|جاده|کوی|بن\s*بست)"
_ADDRESS = re.compile(
    r"(?:(?:آدرس|نشانی)(?:\s+(?:مطب|منزل|ما|من|کلینیک|دفتر|محل\s+کار))?\s*[:：]?\s*|(?=" + _STREET + r"))"
    r"(?P<address>[^\n؟?!]{0,160}?پلاک(?!ت)\s*(?:شماره\s*)?[:.]?\s*\d+(?:\s*/\s*\d+)?"
    r"(?:\s*[،,-]?\s*(?:طبقه|واحد)\s*(?:\d+|اول|دوم|سوم|چهارم|همکف))*)"
)
_ADDRESS_EN = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:Street|St\.|Avenue|Ave\.|Road|Rd\.|Boulevard|Blvd\.)"
    r"(?:,?\s+(?:Apt\.?|Unit|Suite)\s*\d+)?"
)

# -- names
_FA_WORD = r"[\u0621-\u063a\u0641-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u0622\u0626\u06c0](?:[\u0621-\u063a\u0641-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u0622\u0626\u06c0\u0654]|\u200c(?=[\u0621-\u06cc]))*"
_FA_WORD_RE = re.compile(_FA_WORD)
_NAME_STOP = frozenset(
    """
    متخصص متخصصین فوق تخصص عمومی جراح جراحی کارشناس کارشناسی ارشد مامایی مامای ماما زنان زایمان نازایی اطفال
    باردار حامله
    کودکان نوزادان قلب عروق پوست مو داخلی گوارش کلیه ریه مغز اعصاب روان روانپزشک روانشناس روانشناسی ارتوپد
    ارتوپدی چشم گوش حلق بینی اورولوژی اورولوژیست غدد تغذیه رژیم داروساز داروسازی دندانپزشک دندانپزشکی رادیولوژی
    رادیولوژیست بیهوشی عفونی خون انکولوژی سرطان دندان دندون دندونپزشک طب فیزیوتراپی فیزیوتراپ پرستار پزشک پزشکی دکتر داروخانه
    مراجعه مراجعه‌کنید مراجعه‌ای کنید کن کنم کردم کرد کردند کرده کنند نمایید بروید برید برو رفتم رفت رفتیم
    گفت گفته گفتند گفتن گفتم میگه می‌گه میگن می‌گویند می‌گوید نوشت داد داده دادند دادن بدید بدهید بپرسید بپرسم
    ویزیت ویزیتم معاینه مشورت تجویز نظر نظرش دستور است هست هستم هستند هستید بود بودم بودند شد شدم شده باشد
    نیست ام ای را به از با در و که این آن تا برای هم یا اما ولی چون اگر چه چرا کدام چند خیلی بسیار حتما حتماً
    بیمارستان درمانگاه کلینیک مطب مرکز دانشگاه خیابان بلوار کوچه میدان شهرک آزمایشگاه
    شما من ما او ایشان بنده عزیز عزیزم گرامی محترم جان خانم آقای آقا جناب سرکار همسرم دخترم پسرم بچه‌ام
    تیم گروه پشتیبانی مدیریت سایت طرف مشاوران همکاران کادر
    ببخشید هزینه ی باید برام براتون فرمودن فرمود فرمودند مشخص استفاده دوباره واهی درد میکنه روی دست
    اشتباه غلط درست ثبت چیه چیست چی رو هم نیز ه یادم یادش نمیدونم نمی‌دونم
    سلام پاسخ جواب ممنون مرسی تشکر باتشکر سپاس خوب بد نگران باردار حامله مریض بیمار ساله سال ماهه ماه روز هفته
    خودم خودش خود اینجا آنجا الان امروز دیروز فردا قبل بعد دیگر دیگه یک دو سه همه هیچ فقط حالا
    """.split()
)
_FIRST_NAMES = frozenset(
    """
    علی محمد حسین حسن رضا مهدی امیر سعید مجید حمید احمد محمود مصطفی مرتضی جواد کاظم هادی مسعود بهروز بهرام فرهاد
    فرشید فرزاد کامران کیوان پیمان پویا آرش آرمان بابک بهزاد داریوش سیاوش شهرام کوروش مازیار میلاد نیما
    وحید یوسف ابراهیم اسماعیل عباس عبدالله قاسم کریم ناصر نادر هومن سینا سهیل شاهین رامین رسول مهران منصور
    فاطمه زهرا مریم زینب معصومه سارا سمیرا سمانه الهام الهه لیلا نازنین نسرین نیلوفر مینا مهسا مهناز مژگان
    شیرین پریسا پرستو فرزانه فریبا فرشته طاهره طیبه عاطفه اعظم اکرم آزاده آزیتا آتنا آیدا بهاره بیتا ترانه
    رویا رؤیا زهره ساناز سپیده سمیه سودابه شیوا فرناز کتایون کیمیا گلاره لادن مرجان
    محبوبه مهشید ملیحه منیژه نگار نوشین نیوشا هانیه هدی یگانه آناهیتا نیلوفر شهلا پروین میترا ناهید اشرف
    شهناز فریده منصوره پرویز بیژن جمشید منوچهر فریدون هوشنگ اصغر اکبر عزیزه انسیه
    """.split()
)
_EN_STOP = frozenset("Dr Doctor Mr Mrs Ms The A An You Your Please See Call Visit Thanks Regards Best Sincerely Team Support".split())

_TITLE = r"(?:(?:سرکار\s+)?خانم|(?:جناب\s+)?آقای|سرکار|جناب)(?![\w])"
_DOCTOR = r"(?:(?:دکتر|دکترا|دکتـر)(?![\w])|Dr\.?)"
_SIGNOFF = re.compile(
    r"(?:(?:پاسخ(?:\s+(?:از|توسط))?|با\s+احترام|با\s*تشکر|با\s+سپاس|ارادتمند|تهیه\s+(?:شده\s+)?توسط|نوشته\s+(?:شده\s+)?توسط|"
    r"مشاوره\s+(?:از|توسط))\s*[:：،,]?\s*(?:" + _TITLE + r"\s*(?:" + _DOCTOR + r"\s*)?|" + _DOCTOR + r"\s*)"
    r"|(?:پاسخ[\s\u200c]*دهنده|پاسخ\u200c?گو)\s*[:：]\s*(?:" + _TITLE + r"\s*)?(?:" + _DOCTOR + r"\s*)?)(?=\S)"
)
_DOCTOR_NAME = re.compile(r"(?<![\w])" + _DOCTOR + r"\s+(?=" + _FA_WORD + ")")
_NOT_A_PERSON_BEFORE = re.compile(
    r"(?:بیمارستان|درمانگاه|کلینیک|مرکز|دانشگاه|خیابان|بلوار|میدان|کوچه|بزرگراه|اتوبان|مدرسه|داروخانه|آزمایشگاه)"
    r"\s*$"
)
_SPECIALTY_AFTER = re.compile(r"\s*[،,(:\-]?\s*(?:متخصص|فوق\s*تخصص|فوق‌تخصص|جراح|کارشناس|پزشک|عضو|استاد|دانشیار)")
_INTRO_NAME_KEYWORD = re.compile(
    r"(?<![\w])(?:اسمم|اسم\s+من|اسم\s+بنده|نام\s+من|نامم|نام\s+بنده|"
    r"(?:نام\s+و\s+نام\s+خانوادگی|نام\s+بیمار|اسم\s+بیمار|مشخصات(?:\s+بیمار)?)\s*[:：]|"
    r"اسم\s+(?:پسرم|دخترم|همسرم|بچه‌ام|بچم|فرزندم|شوهرم|خانمم)|نام\s+(?:پسرم|دخترم|همسرم|فرزندم))"
    r"\s*(?:هم\s+)?[:：]?\s*(?=" + _FA_WORD + ")"
)
_INTRO_SELF = re.compile(r"(?:^|(?<=[\s،,.:!]))(?:من|اینجانب|این‌جانب|بنده)\s+(?=" + _FA_WORD + ")")
# what may follow a name in a self-introduction ("... است", "... هستم", "، ۲۸ ساله", end of sentence)
_INTRO_END = re.compile(r"\s*(?:است|هست|هستش|هستم|ام(?![\w])|ه(?![\w])|و(?![\w])|ساله|[،,.:؛!؟?\n]|\d|$)")
_SURNAME_PARTS = frozenset("زاده نژاد پور فر راد منش زاد".split())
_SECOND_FIRST_NAMES = frozenset("حسن حسین علی رضا مهدی اصغر اکبر جواد صادق امین محمد".split())
_EN_NAME = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?"
_EN_INTRO = re.compile(
    r"\b(?:[Mm]y name is\s+(" + _EN_NAME + r")\b|(?:[Tt]his is|I am|I'm)\s+(" + _EN_NAME + r")(?=\s*[,.]))"
)
_EN_DOCTOR = re.compile(r"\bDr\.?\s+(" + _EN_NAME + r")\b")
_EN_SIGNOFF = re.compile(r"\b(?:Regards|Best wishes|Sincerely|Thanks|Cheers),?\s+(" + _EN_NAME + r")\b")


# --------------------------------------------------------------------------------------------------------------------
# Finders: each yields (start, end) spans in the shadow


def _trimmed(pattern: re.Pattern) -> Callable[[str], Iterator[tuple[int, int]]]:
    def find(shadow: str) -> Iterator[tuple[int, int]]:
        for m in pattern.finditer(shadow):
            start, end = m.span()
            while end > start and shadow[end - 1] in _TRAILING_PUNCT:
                end -= 1
            if end > start:
                yield start, end

    return find


def _whole(pattern: re.Pattern, group: int = 0) -> Callable[[str], Iterator[tuple[int, int]]]:
    def find(shadow: str) -> Iterator[tuple[int, int]]:
        for m in pattern.finditer(shadow):
            start, end = m.span(group)
            while end > start and shadow[end - 1] == ".":
                end -= 1
            if end > start:
                yield start, end

    return find


def _emails(shadow: str) -> Iterator[tuple[int, int]]:
    if "@" in shadow or "[at]" in shadow or "(at)" in shadow:
        yield from _whole(_EMAIL)(shadow)


def _handles(shadow: str) -> Iterator[tuple[int, int]]:
    if "@" in shadow:
        yield from _whole(_HANDLE)(shadow)
    yield from _whole(_HANDLE_KEYWORD, 1)(shadow)


def _cards(shadow: str) -> Iterator[tuple[int, int]]:
    for m in _CARD.finditer(shadow):
        digits = re.sub(r"\D", "", m.group())
        if luhn_valid(digits) or _CARD_KEYWORD.search(shadow, max(0, m.start() - 30), m.start()):
            yield m.span()


def _phone_number(digits: str, plus: bool, keyword: bool) -> bool:
    """Whether ``digits`` (a candidate's digits, ``plus`` when written with ``+``) is a phone number."""
    if plus or digits.startswith("0098"):
        if plus and not digits.startswith("98"):
            return False
        body = digits[2:] if plus else digits[4:]
        body = body[1:] if body.startswith("0") else body  # +98 (0) 912 ...
        return len(body) == 10 and _valid_phone("+98" + body)
    if digits.startswith("0"):
        return len(digits) == 11 and _valid_phone(digits)
    if not keyword:
        return False
    if len(digits) == 8:
        return digits[0] in "23456789"
    return len(digits) == 10 and _valid_phone(digits)


def _phones(shadow: str) -> Iterator[tuple[int, int]]:
    for run in _DIGIT_RUN.finditer(shadow):
        text = run.group()
        groups = [(m.start() + run.start(), m.end() + run.start(), m.group()) for m in _GROUP.finditer(text)]
        total = sum(len(g[2]) for g in groups)
        if total < 8:
            continue
        i = 0
        while i < len(groups):
            found = None
            start = groups[i][0]
            # a group right after "digit." or "digit," continues a decimal or a list, not a phone number
            decimal_before = i > 0 and shadow[groups[i - 1][1] : start].strip() in (".", ",")
            plus = start > 0 and shadow[start - 1] == "+"
            keyword = None
            digits = ""
            dotted_ok = True
            for j in range(i, min(len(groups), i + 6)):
                digits += groups[j][2]
                if j > i and "." in shadow[groups[j - 1][1] : groups[j][0]] and (
                    len(groups[j][2]) < 2 or len(groups[j - 1][2]) < 2
                ):
                    dotted_ok = False
                if len(digits) > 14:
                    break
                if len(digits) < 8 or not dotted_ok or decimal_before:
                    continue
                end = groups[j][1]
                after = shadow[end : end + 2]
                if after[:1] in ".,/" and after[1:2].isdigit():
                    continue
                if keyword is None:
                    lead = start - 1 if plus else start
                    keyword = bool(_PHONE_KEYWORD.search(shadow, max(0, lead - 40), lead))
                if _phone_number(digits, plus, keyword):
                    found = (start - (1 if plus and shadow[start - 1] == "+" else 0), end, j)
            if found:
                s, e, j = found
                if s > 0 and shadow[s - 1] == "(" and ")" in shadow[s:e]:
                    s -= 1
                yield s, e
                i = j + 1
            else:
                i += 1


def _national_ids(shadow: str) -> Iterator[tuple[int, int]]:
    for m in _NATIONAL_ID.finditer(shadow):
        digits = m.group().replace("-", "")
        keyword = _NATIONAL_ID_KEYWORD.search(shadow, max(0, m.start() - 30), m.start())
        if keyword or (national_id_valid(digits) and not _UNIT_AFTER.match(shadow, m.end())):
            yield m.span()


def _name_at(shadow: str, pos: int, *, max_words: int = 3, first_name: bool = False) -> tuple[int, int] | None:
    """The span of the name that starts at ``pos``: a first name and a surname, none in the stop-list (the first a
    known first name when ``first_name``); a third word only when it is a surname part (``زاده``, ``نژاد``,
    ``پور``...) or the first two are a double first name (``محمد حسن``)."""
    words: list[str] = []
    end = pos
    cursor = pos
    while len(words) < max_words:
        m = _FA_WORD_RE.match(shadow, cursor)
        if not m:
            break
        word = m.group()
        if word in _NAME_STOP or (not words and first_name and word not in _FIRST_NAMES):
            break
        if len(words) == 2 and not (word in _SURNAME_PARTS or words[1] in _SECOND_FIRST_NAMES):
            break
        words.append(word)
        end = m.end()
        if not re.match(r"[ \u200c]", shadow[end : end + 1]):
            break
        cursor = end + 1
    return (pos, end) if words else None


_SIGNOFF_WORDS = ("پاسخ", "احترام", "تشکر", "سپاس", "ارادتمند", "توسط", "مشاوره")
_INTRO_WORDS = ("اسم", "نام", "مشخصات")
_SELF_WORDS = ("من", "بنده", "اینجانب", "این\u200cجانب")


def _names(shadow: str) -> Iterator[tuple[int, int]]:
    # cheap substring tests first: most texts hold none of the words the name rules start from
    if any(w in shadow for w in _SIGNOFF_WORDS):
        yield from _signoff_names(shadow)
    if "دکتر" in shadow or "Dr" in shadow:
        yield from _doctor_names(shadow)
    if any(w in shadow for w in _INTRO_WORDS):
        yield from _intro_names(shadow)
    if any(w in shadow for w in _SELF_WORDS):
        yield from _self_names(shadow)
    if re.search(r"[A-Z]", shadow):
        yield from _english_names(shadow)


def _signoff_names(shadow: str) -> Iterator[tuple[int, int]]:
    for m in _SIGNOFF.finditer(shadow):
        span = _name_at(shadow, m.end())
        if span:
            yield span
        elif (en := re.match(_EN_NAME, shadow[m.end() :])) and en.group().split()[0] not in _EN_STOP:
            yield m.end(), m.end() + en.end()


def _doctor_names(shadow: str) -> Iterator[tuple[int, int]]:
    for m in _DOCTOR_NAME.finditer(shadow):
        if _NOT_A_PERSON_BEFORE.search(shadow, max(0, m.start() - 15), m.start()):
            continue
        span = _name_at(shadow, m.end())
        if span and (_SPECIALTY_AFTER.match(shadow, span[1]) or shadow[span[0] : span[1]].split()[0] in _FIRST_NAMES):
            yield span


def _ends_an_introduction(shadow: str, end: int) -> bool:
    """A self-introduction's name is followed by a copula, punctuation, an age, or a stop-list word."""
    if _INTRO_END.match(shadow, end):
        return True
    following = _FA_WORD_RE.match(shadow, end + 1) if shadow[end : end + 1] == " " else None
    return bool(following and following.group() in _NAME_STOP)


def _intro_names(shadow: str) -> Iterator[tuple[int, int]]:
    for m in _INTRO_NAME_KEYWORD.finditer(shadow):
        span = _name_at(shadow, m.end(), max_words=2)
        if span and _ends_an_introduction(shadow, span[1]):
            yield span


def _self_names(shadow: str) -> Iterator[tuple[int, int]]:
    for m in _INTRO_SELF.finditer(shadow):
        span = _name_at(shadow, m.end(), max_words=2, first_name=True)
        if span and _ends_an_introduction(shadow, span[1]):
            yield span


def _english_names(shadow: str) -> Iterator[tuple[int, int]]:
    for pattern in (_EN_INTRO, _EN_DOCTOR, _EN_SIGNOFF):
        for m in pattern.finditer(shadow):
            group = next(g for g in range(1, (pattern.groups or 0) + 1) if m.group(g))
            if m.group(group).split()[0] not in _EN_STOP:
                yield m.span(group)


_FINDERS: list[tuple[str, Callable[[str], Iterator[tuple[int, int]]]]] = [
    ("email", _emails),
    ("url", _trimmed(_URL_SCHEME)),
    ("url", _trimmed(_URL_WWW)),
    ("url", _trimmed(_URL_BARE)),
    ("handle", _handles),
    ("iban", _whole(_IBAN)),
    ("card", _cards),
    ("phone", _phones),
    ("national_id", _national_ids),
    ("address", _whole(_ADDRESS, "address")),
    ("address", _whole(_ADDRESS_EN)),
    ("name", _names),
]


def find_personal_data(text: str) -> list[Span]:
    """Every piece of personal data in ``text``, as non-overlapping spans in text order (earlier rules win)."""
    if not text:
        return []
    shadow = fold_digits(text)
    taken: list[Span] = []
    for kind, finder in _FINDERS:
        for start, end in finder(shadow):
            if any(start < s.end and s.start < end for s in taken):
                continue
            taken.append(Span(kind, start, end))
    taken.sort(key=lambda s: s.start)
    return taken


def redact_personal_data(text: str) -> tuple[str, Counter]:
    """Return ``(redacted_text, Counter({kind: n}))`` (kinds with no match absent); see the module docstring."""
    counts: Counter = Counter()
    spans = find_personal_data(text)
    if not spans:
        return text, counts
    pieces, last = [], 0
    for span in spans:
        pieces.append(text[last : span.start])
        pieces.append(PLACEHOLDERS[span.kind])
        last = span.end
        counts[span.kind] += 1
    pieces.append(text[last:])
    return "".join(pieces), counts


def labelled_set_figures() -> dict[str, Any]:
    """The committed figures of the labelled set (``redaction_eval.json``): recall, precision, sizes, method."""
    return json.loads(resources.files("hub_tools.data").joinpath(FIGURES_FILE).read_text(encoding="utf-8"))
