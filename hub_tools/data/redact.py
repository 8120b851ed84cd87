"""Personal-data redaction for crawled and free-text fields, measured on a labelled pool and on sealed batches.

``redact_personal_data(text) -> (text, counts)`` replaces each piece of personal data with a typed placeholder and
counts the replacements per kind; :func:`find_personal_data` returns the spans without replacing them.

Kinds, in the order the rules run (a span already claimed by an earlier rule is not matched again):

- ``email`` ``[EMAIL]``: ``name@domain.tld``, also obfuscated: ``name @ domain.com``, ``name[at]gmail[dot]com``,
  ``name at yahoo dot com``, ``name ات جیمیل دات کام``.
- ``url`` ``[URL]``: ``http(s)://`` and ``www.`` addresses, messaging links (a bare ``t.me/…``, ``wa.me/…``), and bare
  domains whose top-level domain is a known one written in lower case (``doctor-yab.ir/q/1``); ``Na.K.Ca`` or
  ``e.g.`` are not domains.
- ``handle`` ``[HANDLE]``: ``@handle`` and a Latin id after ``آیدی``/``اینستاگرام``/``تلگرام``/``ایتا``/``ID``.
- ``iban`` ``[IBAN]``: a Sheba number, ``IR`` and 24 digits (spaces or dashes between groups allowed).
- ``card`` ``[CARD]``: a 16-digit bank card number that passes the Luhn check, follows ``کارت``/``واریز``, or is
  written in 4 groups of 4 with an Iranian card prefix (``6037``, ``6219``…).
- ``record_number`` ``[RECORD_NUMBER]``: a file, record, insurance, admission or tracking number after its keyword
  (``شماره پرونده``, ``بیمه‌نامه``, ``کد رهگیری``, ``کد نوبت``, ``MRN``, ``Patient ID``, ``Insurance No.``).
- ``postal_code`` ``[POSTAL_CODE]``: 10 digits or ``xxxxx-xxxxx`` after ``کد پستی``/``postal code``.
- ``phone`` ``[PHONE]``: runs of digits with spaces, dashes, dots, slashes or brackets between groups (one digit per
  group too) are cut into candidates and each is validated with **phonenumbers** (region ``IR``; a number abroad
  with ``+``): a number with its prefix (``09…``, ``0 + area code``, ``+98``/``0098``) must be valid; a mobile number
  without its ``0`` counts when grouped or after a keyword; after a phone keyword an 8-digit local number also
  counts; a number spelt out in words from ``صفر`` on (``صفر نهصد و سی و پنج، …``) too.
- ``national_id`` ``[NATIONAL_ID]``: 10 digits (``xxx-xxxxxx-x``, or spaced after its keyword) whose check digit is
  right or that follow ``کد ملی``, and never with a unit after them (``1500000000 CFU/ml``, ``واحد``, ``نفر``).
- ``address`` ``[ADDRESS]``: a Persian street address from ``آدرس``/``نشانی`` or a city and a street word to
  ``پلاک N`` or ``طبقه``/``واحد``; an English one with a number and a street word (``No. 14, Golestan Alley,
  Vali-e-Asr St., Tehran``). ``پلاکت`` (platelets) is not ``پلاک``.
- ``name`` ``[NAME]``: :mod:`hub_tools.data.redact_names`, a gazetteer of Persian and Latin names used with context
  (forms, sign-offs, titles, kinship words, account holders, introductions); public figures of medicine stay.

Digits may be Persian, Arabic-Indic or ASCII: every pattern runs on a digit-folded shadow of the text
(:func:`hub_tools.folding.fold_digits`, one character for one character), so spans map back to the original.

What is *not* touched: doses and lab values (``500 mg``, ``120/80``, ``2.5 mg/kg``), dates and years, ICD codes,
times, counts (``همراه 1000000 واحد``), 10-digit numbers that fail the national-ID check.

How well this works: the labelled pool ``tests/hub_tools/data/redaction_pool/`` (one file per writer;
:mod:`hub_tools.data.redaction_eval`, figures in ``redaction_eval.json``) is what the rules were tuned on; the
figures the build reports and dataset cards quote are the SEALED ones (:func:`sealed_figures`,
``redaction_sealed.json``, written by ``bench/redaction_bench.py --sealed ... --write``), or "not measured yet".
Names: :mod:`hub_tools.data.redact_names` (a gazetteer used with context).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from importlib import resources
from typing import Any, Callable, Iterator

import phonenumbers

from hub_tools.data.name_model import SHIPPED, NameModel
from hub_tools.data.redact_names import CUES, find_names, has_latin, lowered
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
    "postal_code": "[POSTAL_CODE]",
    "record_number": "[RECORD_NUMBER]",
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


_NOT_DIGIT = re.compile(r"\D")
_NATIONAL_CUE = re.compile(r"(?i)national|mell?i")
_EN_ADDRESS_CUE = re.compile(r"Pelak|Plak|No\.|Vahed|Tabaghe|Unit")


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
#
# A pattern that opens with a lookbehind is tried at every position of the text; one that opens with a digit or a
# letter is tried only where that character stands (re's first-character scan). So the patterns of numbers put their
# lookbehind after their first digit (or letters), widened by it: ``\d(?<!\d\d)`` is ``(?<!\d)\d``.

_TLDS = (
    "ir|com|org|net|info|biz|edu|gov|int|co|io|me|us|uk|de|fr|ru|tv|app|health|clinic|online|site|blog|"
    "academy|website|tech|ai|in|ca|au|ch|nl|it|es|tr|ae|eu"
)
_URL_BODY = r"[^\s<>\"'«»()\[\]{}،؛]*"
_TRAILING_PUNCT = ".,;:!?؟،؛)]}'\"»"

_AT = r"(?:[ ]{0,2}(?:@|\[at\]|\(at\)|\{at\})[ ]{0,2}|[ ]{1,2}(?:at|AT|ات|اَت)[ ]{1,2})"
_DOT = r"(?:[ ]{0,2}(?:\.|\[dot\]|\(dot\))[ ]{0,2}|[ ]{1,2}(?:dot|DOT|دات|نقطه)[ ]{1,2})"
_MAIL_LABEL = r"(?:[A-Za-z0-9][A-Za-z0-9-]*|جیمیل|یاهو|هاتمیل|اوت\u200c?لوک|گوگل)"
_MAIL_TLD = r"(?:[A-Za-z]{2,}|کام|نت|ارگ|آی\s?آر)"
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9_%+-]*(?:(?:[ ]?\.[ ]?|[ ]{1,2}(?:dot|دات)[ ]{1,2})[A-Za-z0-9_%+-]+)*"
    + _AT + _MAIL_LABEL + r"(?:" + _DOT + _MAIL_LABEL + r")*" + _DOT + _MAIL_TLD + r"(?![A-Za-z0-9_/])"
)
_PLAIN_EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w])")
_LAST_LABEL = re.compile(r"(?:[A-Za-z]+|کام|نت|ارگ|آی\s?آر)$")
_KNOWN_TLDS = frozenset(_TLDS.split("|")) | {"کام", "نت", "ارگ", "آیآر"}
_EMAIL_CUES = ("@", "[at]", "(at)", "{at}", " at ", " AT ", "دات", " dot ", "[dot]", "(dot)", " ات ")
_URL_SCHEME = re.compile(r"\b(?:https?|ftp)://" + _URL_BODY, re.IGNORECASE)
_URL_WWW = re.compile(r"(?<![\w./@-])www\.[A-Za-z0-9-]+" + _URL_BODY, re.IGNORECASE)
_URL_BARE = re.compile(
    r"(?<![\w./@-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)*[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]\.(?:"
    + _TLDS
    + r"|COM|ORG|NET)(?![A-Za-z0-9-])(?:/"
    + _URL_BODY
    + r")?"
)
# a username without its "@": lower-case letters, an underscore and a number ("ali_1360", "amir_ph1370"); drug and
# test names ("sideral_folico", "ca125") have no such shape
_USERNAME = re.compile(r"(?<![\w@./-])[a-z][a-z.]*_[a-z_.]*\d{2,}(?![\w@]|\.[a-z])")
_MESSAGING = re.compile(
    r"(?<![\w./@-])(?:(?:https?://)?(?:t|wa|telegram|tg|ble|eitaa|rubika|splus|igap)\.(?:me|ir|com)/|tg://)"
    + _URL_BODY, re.IGNORECASE
)
_HANDLE = re.compile(r"(?<![\w@.+-])@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}")
_HANDLE_KEYWORD = re.compile(
    r"(?<![A-Za-z])(?:آیدی|آی\u200cدی|آی دی|ایدی|اینستاگرام|اینستا|تلگرام|ایتا|روبیکا|سروش|بله|instagram|telegram|"
    r"insta|eitaa|"
    r"rubika|(?<![A-Za-z])id(?![A-Za-z])|(?:اسم|نام)\s*(?:\u200c)?کاربری|username|user\s+name|یوزرنیم)(?:م|\u200cام)?"
    r"(?:\s+(?:من|ما|پیج|ام|تلگرامم|تلگرام|اینستاگرامم|اینستام|telegramam|instagramam|telegram|insta))?\s*[:：]?\s*"
    r"(@?[A-Za-z][A-Za-z0-9_.]{2,29})(?![-\w])",  # "insurance ID IRN-7723-4410" is a record number
    re.IGNORECASE,
)
# an account word and, a few words on, a token no word is shaped like ("کاربر mamane_nafas", "my username on the
# forum is behnam_runner", "pije ma: sara.mom"): letters joined by "_" or "."
_ACCOUNT_TOKEN = re.compile(
    r"(?:کاربر|کاربری|اکانت|پیج|صفحه|کانال|گروه|username|user\s*name|handle|account|profile|page|channel|pij|pije)"
    r"(?:\s+[^\s.،,:]+){0,5}?\s*(?:\s(?:is|hast|هست)\s+|[:：]\s*|\s)"
    r"(@?[A-Za-z][A-Za-z0-9]*(?:[_.][A-Za-z0-9]+)+)(?![\w@]|\.[A-Za-z])",
    re.IGNORECASE,
)
_JOINED_TOKEN = re.compile(r"[A-Za-z0-9][_.][A-Za-z]")
_HANDLE_SHAPE = re.compile(r"[@_.\d]")
_HANDLE_KEYWORD_COLON = re.compile(r"[:：]\s*$")
_IBAN = re.compile(r"(?:IR|ir|Ir)(?<![A-Za-z0-9]..)[ ]?\d{2}(?:[ \-]?\d){22}(?!\d)")
_CARD = re.compile(r"\d(?<!\d\d)(?<!\d[.,/]\d)\d{3}(?:[ \-]{0,2}\d{4}){3}(?!\d|[.,/]\d)")
_CARD_KEYWORD = re.compile(r"(?:کارت|واریز|به\s+حساب|card|kart|variz)[^\d\n]{0,25}$", re.IGNORECASE)
# the first four digits of the cards Iranian banks issue (Shetab)
_IRANIAN_CARD_PREFIXES = frozenset(
    "6037 6104 6219 6221 6273 6274 6276 6277 6278 6279 6280 6281 6362 6367 6369 6373 6393 5022 5029 5041 5057 "
    "5859 5892 5894 6063 6064 6391 6392 6395 9919 5054 6366 6038 6058 6060".split()
)
# A run of digit groups with phone separators between them (spaces, dashes, dots, brackets), a "+" or "(" before it
# ("[+(\d](?:(?<=\d)|\d)" is "(?:\+|\()?\d" written to open with a class of characters: tried only where one stands).
_DIGIT_RUN = re.compile(r"[+(\d](?:(?<=\d)|\d)(?:\d|[ \u00a0\-.()/_]{1,3}(?=\(?\d))*\)?")
_GROUP = re.compile(r"\d+")
_PHONE_KEYWORD = re.compile(
    r"(?:تلفن|تماس|شماره|شمارم|موبایل|مبایل|فکس|واتساپ|واتس\u200cاپ|واتس اپ|tel|phone|mobile|fax|whatsapp|call)"
    r"(?:\s+(?:تماس|تلفن|همراه|موبایل|مطب|منزل|دفتر|کلینیک|من|ما|بنده|اینجانب))*"
    r"[^\d\n]{0,12}$",
    re.IGNORECASE,
)
_NATIONAL_ID = re.compile(
    r"\d(?<!\d\d)(?<!\d[.,/]\d)(?:\d{2}[- ]\d{6}[- ]\d|\d{2} \d{3} \d{3} \d|\d{9})(?!\d|[.,/]\d)")
_NATIONAL_ID_KEYWORD = re.compile(
    r"(?:کد\s*ملی|کد\u200cملی|کدملی|شماره\s*ملی|national\s*(?:id|code|no\b)|\bN\.?I\.?D\b|"
    r"(?:code|kod|kode|cod)\s*[-_]?\s*mell?i|شناسه\s*ملی)"
    # a word or two between the keyword and the number ("کد ملی مادربزرگ: ", "national code of the patient: ")
    r"(?:\s*[^\s\d:：]+){0,3}?[^\d\n\w]{0,6}$", re.I
)
# ten digits cut into other groups ("2741-038-615", "27-4103-8615"): an id only after its keyword
_NATIONAL_ID_GROUPED = re.compile(r"\d(?<![\d-]\d)\d{1,3}(?:-\d{2,6}){1,3}(?![\d-])")
# ten digits set off by a slash, bar or brackets in a line about a patient ("بیمار: نام / ۳۸۷۰۲۲۱۴۹۵ / بیمه"):
# a form's field, unlike a count or an amount in running text
_NATIONAL_ID_FIELD = re.compile(r"(?:(?<=[/|(])|(?<=[/|(] ))\d{10}(?=\s?[/|)]|\s*$)")
_PATIENT_CUE = re.compile(r"(?i)بیمار|patient|\bpt\b|ثبت\u200c?نام|\bname\b|نام\s*[:：]")
_THREE_DIGITS = re.compile(r"\d\d\d")
_NATIONAL_ID_SPACED = re.compile(r"\d(?<!\d\d)(?:[ .\-]?\d){9}(?!\d)")
_UNIT_AFTER = re.compile(
    r"\s*(?:واحد|عدد|نفر|تومان|ریال|دلار|سلول|کپی|میلی|میکرو|نانو|پیکو|گرم|بار|مورد|کلنی|باکتری|ذره|در\s+(?:\d|صد|هزار|میلیون)|/\s*(?:ml|l|dl|µl|ul|mm|kg|hpf)\b|"
    r"IU|mg|mcg|ml|ng|pg|cfu|copies|cells|units?|per\b)",
    re.IGNORECASE,
)
# a day of a month ("نوبت ۱۸ آذر", "ticket no. 3 March"): a date, no id
_MONTH_AFTER = re.compile(
    r"\s*(?:فروردین|اردیبهشت|خرداد|تیر|مرداد|شهریور|مهر|آبان|آذر|دی|بهمن|اسفند|ژانویه|فوریه|مارس|آوریل|مه|ژوئن|ژوئیه|"
    r"اوت|سپتامبر|اکتبر|نوامبر|دسامبر|farvardin|ordibehesht|khordad|tir|mordad|shahrivar|mehr|aban|azar|dey|bahman|esfand|"
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:tember)?|oct(?:ober)?|"
    r"nov(?:ember)?|dec(?:ember)?)(?![\w\u200c])",
    re.IGNORECASE,
)
# postal codes and record numbers: only after their keywords
_POSTAL_CODE = re.compile(r"\d(?<![\d-]\d)\d{4}[ \-]?\d{5}(?![\d-])")
_POSTAL_KEYWORD = re.compile(
    r"(?:کد\s*پستی|کد\u200cپستی|کدپستی|ک\.\s?پ|postal\s*code|post\s*code|postcode|zip(?:\s*code)?|code\s*posti)"
    r"[^\d\n]{0,40}$", re.IGNORECASE
)
# an id: letters and digits with dashes ("PT-2023-004512", "HN 7723190"), or slashed groups whose last is 4 digits or
# more ("1402/11/2356") or whose middle group has 3 digits or more ("۴۰۱/۲۳۵۵/۸۷"; a date "۱۴۰۱/۰۳/۱۲" is not one)
_RECORD_ID = re.compile(
    r"(?<![\w/.#-])(?:(?:[A-Z]{1,4}[-/ ]?|(?:[A-Za-z]{1,8}-){1,3}|[\u0621-\u06cc]{1,3}-|#)?\d(?:[\d]|[- ](?=\d)){4,30}|"
    r"(?:[A-Z]{1,4}-)?(?:\d{2,4}(?:/\d{1,4})*/\d{4,}|\d{2,4}/\d{3,}(?:/\d{1,4})+|\d{4}/\d{3,}))"
    r"(?![/]|[.,]\d|(?!e(?![\w])|ه(?![\w]))\w)"
)
_RECORD_CUES = ("پرونده", "بیمه", "نسخه", "prescription", "ارجاع", "peygiri", "ins", "ticket", "discharge",
                "referral", "booking", "appointment", "پذیرش", "دفترچه", "رهگیری", "نوبت", "عضویت", "بستری", "بیمار", "پیگیری", "نظام",
                "ن.پ", "ن. پ", "mrn", "record", "file", "insurance", "policy", "case", "member", "patient", "lab",
                "hospital", "admission", "adm", "pt id", "pt no", "pt:", "pt #", "pt#", "pt code", "sample", "specimen", "ref", "parvand", "bime", "سفارش", "sefaresh", "rahgiri", "paygiri", "paziresh", "order")
_RECORD_KEYWORD = re.compile(
    r"(?:(?:پرونده|بیمه(?:\u200c?نامه)?|(?:کد|شماره)\s+نسخه|نسخه\s+(?:شماره|الکترونیک)|پذیرش|دفترچه|رهگیری|(?:کد|شماره)\s*نوبت(?:\u200c?دهی)?|عضویت|بستری|"
    r"شماره\s+بیمار|کد\s+بیمار|شناسه\s+بیمار|پیگیری|ارجاع|نظام\s+پزشکی|ن\.\s?پ|(?:شماره|کد)\s+سفارش|سفارش\s+شماره|"
    r"parvand|bime|peygiri|paygiri|rahgiri|paziresh|sefaresh)[^\d\n]{0,30}"
    # English: a keyword with "no"/"number"/"id" or a colon after it ("file size 12000" is no file number)
    r"|\b(?:MRN|(?:(?:medical\s+)?record|file|insurance|policy|case|member|patient|pt|lab|sample|specimen|hospital|admission|adm|chart|"
    r"prescription|ins\.?|ticket|discharge|referral|booking|appointment|order)"
    r"\s*(?:no\b\.?|number|num\b|#|id\b|code\b|[:：]))[^\d\n]{0,12})$",
    re.IGNORECASE,
)

# an id shaped like one (letters and digits joined by a dash: "A-30914", "PT-77812", "A7K-93P2", "45-88219") after "کد",
# "code", "شماره", "no."; a short number right after "نوبت" ("نوبت شماره ۲۷", "ticket no. 17")
_CODE_ID = re.compile(
    r"(?<![\w/.-])(?:[A-Z][A-Z0-9]{0,3}-[A-Z0-9]*\d[A-Z0-9]*(?:-[A-Z0-9]+)*|[\u0621-\u06cc]{1,3}-\d{3,}|\d{2,}(?:-\d{2,})+)"
    r"(?![/-]|(?!e(?![\w])|ه(?![\w]))\w)"
)
_CODE_KEYWORD = re.compile(r"(?:کد|code|kod|شماره|number|no\.?|#|nobat|نوبت|file|case|\bref\b|پرونده|parvand\w*)[^\d\n]{0,20}$",
                           re.IGNORECASE)
_TURN_NUMBER = re.compile(r"\d(?<![\d.,/:-]\d)\d{0,5}(?![\d,/:-]|\.\d)")
_TURN_KEYWORD = re.compile(
    r"(?:نوبت\s*(?:شماره)?|شماره\s+نوبت|شماره\s+(?:پرونده|پذیرش)(?:\u200c?(?:ام|م|ش|مون|شون|تون))?(?:\s+(?!(?:هست|است|بود|شد|نیست)(?![\w\u200c]))[^\d\s.،,!?؟:؛;()]+){0,6}|(?:ticket|file|case|ref)\s*(?:no\.?|number|#)|"
    r"nobat\s*(?:shomare)?|(?:shomare|code|kod)\s+(?:e\s+)?(?:parvande|paziresh)|parvand(?:e|am|esh|emun)?)\s*[:：]?\s*$",
    re.IGNORECASE,
)
_STREET = r"(?:خیابان|خ\.|خ\s|بلوار|کوچه|میدان|بزرگراه|اتوبان|شهرک|محله|جاده|کوی|بن\s*بست)"
_CITY = (
    r"(?:تهران|شیراز|مشهد|اصفهان|تبریز|کرج|اهواز|قم|کرمانشاه|رشت|ارومیه|زاهدان|همدان|کرمان|یزد|اردبیل|بندرعباس|"
    r"اراک|زنجان|سنندج|قزوین|خرم‌آباد|گرگان|ساری|بوشهر|بیرجند|ایلام|شهرکرد|یاسوج|سمنان|کاشان|بابل|آمل|قزوین)"
)
_ADDRESS = re.compile(
    r"(?:(?:آدرس|نشانی|ادرس)(?:\s+(?:مطب|منزل|ما|من|کلینیک|دفتر|محل\s+کار|خونه|خانه))?\s*[:：]?\s*"
    r"|(?=(?:" + _CITY + r"[،,]?\s+(?:[^\d،,.\n]{2,25}[،,]\s*){0,2})?" + _STREET + r"))"
    r"(?P<address>[^\n؟?!:]{0,160}?(?:پلاک(?!ت)\s*(?:شماره\s*)?[:.]?\s*\d+(?:\s*/\s*\d+)?"
    r"(?:\s*[،,-]?\s*(?:طبقه|واحد)\s*(?:\d+|اول|دوم|سوم|چهارم|پنجم|همکف))*"
    r"|(?:ساختمان\s+\S+[،,]?\s*)?طبقه\s*(?:\d+|اول|دوم|سوم|چهارم|پنجم|همکف)(?:\s*[،,-]?\s*واحد\s*\d+)?))"
)
_EN_STREET = r"(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Alley|Lane|Ln\.?|Square|Sq\.?|Highway)"
_EN_UNIT = (
    r"(?:(?:[Uu]nit|[Aa]pt\.?|[Aa]partment|[Ss]uite|[Ff]loor|[Nn]o\.?|#)\s*\d+[A-Za-z]?|\d+(?:st|nd|rd|th)\s+[Ff]loor)"
)
_EN_STREET_NAME = r"(?:[A-Z][A-Za-z'-]*\s+){1,4}" + _EN_STREET + r"(?![A-Za-z])"
_ADDRESS_EN = re.compile(
    r"(?:\b" + _EN_UNIT + r",?\s+)*(?:\b\d{1,5}[A-Za-z]?,?\s+)?" + _EN_STREET_NAME
    + r"(?:,?\s*" + _EN_STREET_NAME + r")*(?:,?\s*" + _EN_UNIT + r")*"
    r"(?:,\s*(?!Tel|Phone|Email|Postal|[A-Z]{2}\s+\d)[A-Z][A-Za-z'-]+(?:\s+[A-Z][A-Za-z'-]+)?){0,2}"
    r"(?:,?\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?)?"
)


# an address after its label, whatever its words ("آدرس دقیق: رشت، گلسار، خیابان ۹۵، ساختمان آرین، واحد ۶",
# "نشانی‌شون ورامین، روستای قلعه‌نو، کوچه مسجد، درب سبز دوم هست", "address-e ma: Shiraz, Khiaban-e Zand, ..."): a run of
# comma-separated parts up to the end of the clause, with a digit or a street word in it
_ADDRESS_LABEL = re.compile(
    r"(?:(?<![\w])(?:آدرس|ادرس|نشانی)(?:\u200c?(?:شون|مون|م|ش|مان|شان|تون))?|\b(?:[Aa]dd?res(?:s)?|[Nn]eshani)(?:-?e)?)"
    r"(?:\s+(?:دقیق|ما|من|جدید|منزل|مطب|خونه|خانه|ma|man|dagheegh|daghigh))?(?:\s+[^\s:：،,]+){0,2}?\s*[:：]\s*"
    r"|(?<![\w])(?:با|به)\s+(?:نشانی|آدرس)\s+|(?<![\w])(?:آدرس|ادرس|نشانی)\u200c?(?:شون|مون|شان|مان|تون)\s+"
)
_INSTITUTION_LABEL = re.compile(r"بیمارستان|کلینیک|درمانگاه|داروخانه|آزمایشگاه|سایت|مرکز|(?i:hospital|clinic|site|pharmacy)")
_ADDRESS_RUN = re.compile(
    r"[^\n:：؟?!.،,]{2,40}(?:\s*[،,](?!\s*(?:کد\s*پستی|postal|zip|تلفن|tel|phone|تماس|لطف|lotfan|please)\b)\s*"
    r"[^\n:：؟?!،,]{1,40}?){1,6}(?=\s*(?:[،,.؟?!\n]|$|\s(?:هست|است|منتظر|hast|kar|mikone|befrest)))",
    re.IGNORECASE,
)
_ADDRESS_WORD = re.compile(r"\d|خیابان|کوچه|بلوار|میدان|روستا|پلاک|واحد|طبقه|ساختمان|محله|شهرک|(?i:khiaban|kooche|"
                           r"boulevard|blvd|street|str\.|straße|pelak|plak|vahed|tabaghe|no\.)")
# Finglish addresses without a label: "Mashhad, Ahmadabad, Pastor 3, No. 21"
_ADDRESS_FINGLISH = re.compile(
    r"\b[A-Z][\w'-]*(?:\s+[A-Za-z0-9][\w'.-]*){0,2}(?:,\s*[A-Za-z0-9][\w'.-]*(?:\s+[A-Za-z0-9][\w'.-]*){0,2}){1,5},\s*"
    r"(?:Pelak|Plak|No\.|Vahed|Tabaghe|Unit)\s*\d+"
)


_ADDRESS_LABEL_CUED = CUES.add(("آدرس", "ادرس", "نشانی", "dres", "eshani"))


def _addresses_labelled(shadow: str) -> Iterator[tuple[int, int]]:
    labels = _ADDRESS_LABEL.finditer(shadow) if CUES.bits(shadow) & _ADDRESS_LABEL_CUED else ()
    for label in labels:
        if _INSTITUTION_LABEL.search(label.group()):
            continue  # "آدرس بیمارستان فارابی:": a public place
        run = _ADDRESS_RUN.match(shadow, label.end())
        if run and _ADDRESS_WORD.search(run.group()):
            yield run.start(), run.end() - len(run.group()) + len(run.group().rstrip())
    if has_latin(shadow) and _EN_ADDRESS_CUE.search(shadow):
        yield from _whole(_ADDRESS_FINGLISH)(shadow)


_EN_STREET_WORD = re.compile(r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Alley|Lane|Ln|Square|Sq|Highway)\b")


def _addresses_en(shadow: str) -> Iterator[tuple[int, int]]:
    if not _EN_STREET_WORD.search(shadow):
        return
    for start, end in _whole(_ADDRESS_EN)(shadow):
        if any(ch.isdigit() for ch in shadow[start:end]):
            yield start, end


# --------------------------------------------------------------------------------------------------------------------
# Finders: each yields (start, end) spans in the shadow


def _trimmed(pattern: re.Pattern, cue: str = "") -> Callable[[str], Iterator[tuple[int, int]]]:
    """The matches of ``pattern`` without their trailing punctuation. Texts whose lower case lacks ``cue`` are skipped:
    every match holds it lower-cased (ignoring case, re matches a Latin letter with no other character but for "i", "k"
    and "s", which such a cue must not hold)."""

    def find(shadow: str) -> Iterator[tuple[int, int]]:
        if cue not in lowered(shadow):
            return
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
    """Plain addresses (``a@b.tld``) and obfuscated ones whose top-level domain is a known one ("instagram @sara.mom"
    is a handle, not an address)."""
    if not any(map(shadow.__contains__, _EMAIL_CUES)):
        return
    if "@" in shadow:  # "email me at sarah.m@x.com": the plain address whatever an " at " before it reads like
        for m in _PLAIN_EMAIL.finditer(shadow):
            yield m.start(), m.start() + len(m.group().rstrip("."))
    for start, end in _whole(_EMAIL)(shadow):
        text = shadow[start:end]
        tld = _LAST_LABEL.search(text)
        if _PLAIN_EMAIL.fullmatch(text) or (tld and tld.group().lower().replace(" ", "") in _KNOWN_TLDS):
            yield start, end
        elif plain := _PLAIN_EMAIL.match(text):  # "a@b.com. Regards": the address without the next sentence
            yield start, start + len(plain.group().rstrip("."))
        elif known := _known_tld_end(text):  # "x [at] yahoo [dot] com. code ...": up to its last known top-level domain
            yield start, start + known


_DOT_LABEL = re.compile(_DOT + r"(" + _MAIL_TLD + r")(?![A-Za-z0-9_])")


def _known_tld_end(text: str) -> int:
    """The end of the last label of ``text`` (an address the pattern ran past) that is a known top-level domain
    after the "@"; 0 where none is."""
    at = re.search(_AT, text)
    ends = [m.end() for m in _DOT_LABEL.finditer(text, at.end() if at else 0)
            if m.group(1).lower().replace(" ", "") in _KNOWN_TLDS]
    return ends[-1] if ends else 0


def _handles(shadow: str) -> Iterator[tuple[int, int]]:
    if "@" in shadow:
        yield from _whole(_HANDLE)(shadow)
    for start, end in _whole(_HANDLE_KEYWORD, 1)(shadow):
        if _HANDLE_SHAPE.search(shadow, start, end) or _HANDLE_KEYWORD_COLON.search(shadow, max(0, start - 3), start):
            yield start, end  # "ID field", "telegram peyda kardam": a word, not a username
    if _JOINED_TOKEN.search(shadow):
        yield from _whole(_ACCOUNT_TOKEN, 1)(shadow)
    if "_" in shadow:
        yield from _whole(_USERNAME)(shadow)


def _cards(shadow: str) -> Iterator[tuple[int, int]]:
    for m in _CARD.finditer(shadow):
        digits = _NOT_DIGIT.sub("", m.group())
        grouped = len(m.group()) > 16
        if (luhn_valid(digits) or _CARD_KEYWORD.search(shadow, max(0, m.start() - 40), m.start())
                or (grouped and digits[:4] in _IRANIAN_CARD_PREFIXES)):
            yield m.span()


def _phone_number(digits: str, plus: bool, keyword: bool, unit_after: bool = False, grouped: bool = False) -> bool:
    """Whether ``digits`` (a candidate's digits, ``plus`` when written with ``+``) is a phone number."""
    if plus or digits.startswith("0098"):
        if plus and not digits.startswith("98"):
            return _valid_phone("+" + digits)  # a number abroad: "+1 (416) 555-0199"
        body = digits[2:] if plus else digits[4:]
        body = body[1:] if body.startswith("0") else body  # +98 (0) 912 ...
        return len(body) == 10 and _valid_phone("+98" + body)
    if digits.startswith("0"):
        return len(digits) == 11 and _valid_phone(digits)
    if len(digits) == 10 and digits.startswith("9") and not unit_after and (keyword or grouped):
        return _valid_phone("0" + digits)  # a mobile number written without its 0
    if not keyword:
        return False
    if len(digits) == 8:
        return digits[0] in "23456789"
    return len(digits) == 10 and _valid_phone(digits)


def _phones(shadow: str) -> Iterator[tuple[int, int]]:
    for run in _DIGIT_RUN.finditer(shadow):
        text = run.group()
        if len(text) < 8:
            continue  # (fewer than 8 characters, fewer than 8 digits: no phone number)
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
            for j in range(i, min(len(groups), i + 11)):
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
                unit_after = bool(_UNIT_AFTER.match(shadow, end))
                if _phone_number(digits, plus, keyword, unit_after, grouped=j > i):
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
    """10 digits with the keyword before them or a valid check digit, and never with a unit after them."""
    for m in _NATIONAL_ID.finditer(shadow) if _THREE_DIGITS.search(shadow) else ():
        digits = _NOT_DIGIT.sub("", m.group())
        keyword = _NATIONAL_ID_KEYWORD.search(shadow, max(0, m.start() - 40), m.start())
        if (keyword or national_id_valid(digits)) and not _UNIT_AFTER.match(shadow, m.end()):
            yield m.span()
    if "-" in shadow:
        yield from _grouped_national_ids(shadow)
    if ("/" in shadow or "|" in shadow or "(" in shadow) and _PATIENT_CUE.search(shadow):
        yield from (m.span() for m in _NATIONAL_ID_FIELD.finditer(shadow))
    if "ملی" not in shadow and not (has_latin(shadow) and _NATIONAL_CUE.search(shadow)):
        return
    for m in _NATIONAL_ID_SPACED.finditer(shadow):  # "۰۰۷ ۳۴۵ ۶۷۸ ۹" after its keyword
        if _NATIONAL_ID_KEYWORD.search(shadow, max(0, m.start() - 40), m.start()):
            yield m.span()


def _grouped_national_ids(shadow: str) -> Iterator[tuple[int, int]]:
    for m in _NATIONAL_ID_GROUPED.finditer(shadow):
        if len(_NOT_DIGIT.sub("", m.group())) == 10 and _NATIONAL_ID_KEYWORD.search(shadow, max(0, m.start() - 40),
                                                                                    m.start()):
            yield m.span()


def _caseless(cue: str) -> bool:
    """Whether a text holds ``cue`` exactly when the text lower-cased does: no character of ``cue`` has a case, and
    none is the combining dot that lower() adds to "İ" (the one caseless character it makes of another)."""
    return cue == cue.lower() == cue.upper() and "\u0307" not in cue


def _keyword_numbers(pattern: re.Pattern, keyword: re.Pattern, cues: tuple[str, ...], min_digits: int = 1,
                     reach: int = 45) -> Callable[[str], Iterator[tuple[int, int]]]:
    """Numbers of ``pattern`` (with ``min_digits`` digits or more) right after ``keyword`` (which starts at most
    ``reach`` characters before); texts that hold none of ``cues`` (lower case) are skipped."""
    # the caseless cues are looked for through CUES (with the other rules' cues), the Latin ones in the lower-cased
    # text when it has a Latin letter
    caseless_cued = CUES.add(tuple(filter(_caseless, cues))) if any(map(_caseless, cues)) else 0
    latin_cues = tuple(cue for cue in cues if not _caseless(cue))
    if not all(map(has_latin, latin_cues)):
        raise ValueError(f"a cue with a case must be Latin: {latin_cues}")

    def holds_cue(shadow: str) -> bool:
        if CUES.bits(shadow) & caseless_cued:
            return True
        text = lowered(shadow)
        return has_latin(text) and any(map(text.__contains__, latin_cues))

    def find(shadow: str) -> Iterator[tuple[int, int]]:
        if not holds_cue(shadow):
            return
        for m in pattern.finditer(shadow):
            if (m.group().startswith("09") and len(m.group()) == 11) or _UNIT_AFTER.match(shadow, m.end()) or (
                    _MONTH_AFTER.match(shadow, m.end())) or (
                    sum(ch.isdigit() for ch in m.group()) < min_digits):
                continue  # a mobile number (the phone rule names it), or an amount ("۱۲۰۰۰۰۰۰ تومان")
            if keyword.search(shadow, max(0, m.start() - reach), m.start()):
                yield m.span()
                continue
            digits = m.start() + next((i for i, ch in enumerate(m.group()) if ch.isdigit()), 0)
            if digits > m.start() and keyword.search(shadow, max(0, digits - reach), digits):
                yield (m.start() if m.group()[0] == "#" else digits), m.end()  # "MRN 00458213": the letters were the keyword

    return find


_code_ids = _keyword_numbers(_CODE_ID, _CODE_KEYWORD, ("کد", "code", "kod", "شماره", "number", "no", "#", "nobat", "نوبت",
                                                      "file", "case", "ref", "پرونده", "parvand"),
                             min_digits=3)


# a range of values ("ref range 150000-450000", "محدوده نرمال ۴۰۰۰-۱۰۰۰۰", "between 20-40"): no id
_PLAIN_RANGE = re.compile(r"\d+-\d+")
_RANGE_BEFORE = re.compile(
    r"(?i)(?:(?:range|interval|normal|between|from|محدوده|نرمال|طبیعی|بین|رنج|رفرنس)[^\d\n]{0,15}|\bref\s*[:：]?\s*)$")


def _range(shadow: str, start: int, end: int) -> bool:
    return bool(_PLAIN_RANGE.fullmatch(shadow, start, end)) and bool(
        _RANGE_BEFORE.search(shadow, max(0, start - 30), start))


def _codes(shadow: str) -> Iterator[tuple[int, int]]:
    """Ids shaped like ids after their keyword (:data:`_CODE_ID`): they all hold a dash; a range of values is none."""
    if "-" in shadow:
        yield from ((s, e) for s, e in _code_ids(shadow) if not _range(shadow, s, e))


_NUMBER_WORDS = (
    r"(?:صفر|یک|دو|سه|چهار|پنج|شش|شیش|هفت|هشت|نه|ده|یازده|دوازده|سیزده|چهارده|پانزده|پونزده|شانزده|شونزده|هفده|"
    r"هجده|هیجده|نوزده|بیست|سی|چهل|پنجاه|پنجا|شصت|هفتاد|هشتاد|نود|صد|یکصد|دویست|سیصد|چهارصد|پانصد|پونصد|ششصد|"
    r"هفتصد|هشتصد|نهصد)"
)
# a phone number spelt out in words: "صفر نهصد و سی و پنج، دویست و بیست، ..."
_PHONE_MIXED = re.compile(r"(?<![\w])(?:\d+|" + _NUMBER_WORDS + r")(?:(?:\s*[،,]\s*|\s+و\s+|\s+)(?:\d+|"
                          + _NUMBER_WORDS + r")(?![\w])){3,}")
_PHONE_IN_WORDS = re.compile(r"صفر\s+" + _NUMBER_WORDS + r"(?:(?:\s*[،,]\s*|\s+و\s+|\s+)" + _NUMBER_WORDS + r"){5,}")


_ZERO_CUED = CUES.add(("صفر",))
_PHONE_WORD_CUED = CUES.add(("شمار", "تلفن", "تماس", "موبایل", "همراه", "واتس"))


def _phones_in_words(shadow: str) -> Iterator[tuple[int, int]]:
    cued = CUES.bits(shadow)
    if cued & _ZERO_CUED:
        yield from _whole(_PHONE_IN_WORDS)(shadow)
    # digits and words mixed after a phone keyword: "شماره‌م ۰۹۱۲ سیصد و بیست و یک ۴۵ ۶۷"
    if not cued & _PHONE_WORD_CUED:
        return
    for m in _PHONE_MIXED.finditer(shadow):
        text = m.group()
        if (text.startswith(("0", "صفر")) and re.search(r"\d", text) and re.search(_NUMBER_WORDS, text)
                and _PHONE_KEYWORD.search(shadow, max(0, m.start() - 40), m.start())):
            yield m.span()


def _messaging(shadow: str) -> Iterator[tuple[int, int]]:
    if ".me/" in shadow or ".ir/" in shadow or ".com/" in shadow or "tg://" in shadow:
        yield from _trimmed(_MESSAGING)(shadow)


_ADDRESS_FA_CUED = CUES.add(("پلاک", "طبقه"))


def _address_fa(shadow: str) -> Iterator[tuple[int, int]]:
    if CUES.bits(shadow) & _ADDRESS_FA_CUED:
        yield from _whole(_ADDRESS, "address")(shadow)


# What a text must hold for a finder to have anything to find: Latin letters (asked through :func:`has_latin`, whose
# answer the name rules reuse), digits, or nothing (always run).
_LATIN = re.compile(r"[A-Za-z]")
_DIGIT = re.compile(r"\d")
_FINDERS: list[tuple[str, Callable[[str], Iterator[tuple[int, int]]], re.Pattern | None]] = [
    ("email", _emails, _LATIN),
    ("url", _trimmed(_URL_SCHEME, "://"), _LATIN),
    ("url", _messaging, _LATIN),
    ("url", _trimmed(_URL_WWW, "www."), _LATIN),
    ("url", _trimmed(_URL_BARE), _LATIN),
    ("handle", _handles, _LATIN),
    ("iban", _whole(_IBAN), _DIGIT),
    ("card", _cards, _DIGIT),
    ("record_number", _keyword_numbers(_RECORD_ID, _RECORD_KEYWORD, _RECORD_CUES), _DIGIT),
    ("postal_code", _keyword_numbers(_POSTAL_CODE, _POSTAL_KEYWORD, ("پستی", "ک.پ", "ک. پ", "post", "zip")), _DIGIT),
    ("phone", _phones, _DIGIT),
    ("phone", _phones_in_words, None),
    # after the phone rules: a phone number written with dashes is no id
    ("record_number", _codes, _DIGIT),
    ("record_number", _keyword_numbers(_TURN_NUMBER, _TURN_KEYWORD, ("نوبت", "ticket", "nobat", "شماره پرونده",
                                                                   "شماره پذیرش", "file", "case", "ref", "parvand",
                                                                   "paziresh"), reach=80),
     _DIGIT),
    ("national_id", _national_ids, _DIGIT),
    ("address", _address_fa, None),
    ("address", _addresses_en, _LATIN),
    ("address", _addresses_labelled, None),
    ("name", find_names, None),
]


# a public institution's web address (a government, international or academic body: "www.who.int", "es.tamin.ir"):
# no person's data
_INSTITUTION_DOMAIN = re.compile(
    r"(?i)(?:^|[./@])(?:[\w-]+\.)*(?:gov|ac|edu|mil)\.(?:ir|uk|au)$|\.(?:gov|int|edu|mil)$|"
    r"(?:^|[./@])(?:tamin|salamat\.gov|behdasht\.gov|ihio\.gov|irimc|who|cdc|nih)\.(?:ir|org|int|gov)$"
)


def _institutional(kind: str, found: str) -> bool:
    if kind != "url":  # a mailbox at such a domain is a person's ("msobhani@tums.ac.ir")
        return False
    host = re.sub(r"(?i)^(?:https?|ftp)://", "", found).split("/", 1)[0].split(":", 1)[0]
    return bool(_INSTITUTION_DOMAIN.search(host))


def find_personal_data(text: str, name_model: NameModel | str | None = SHIPPED) -> list[Span]:
    """Every piece of personal data in ``text``, as non-overlapping spans in text order (earlier rules win);
    ``name_model``: the learned name detector OR-ed with the name rules (the packaged one; ``None``: rules alone)."""
    if not text:
        return []
    shadow = fold_digits(text)
    taken: list[Span] = []
    public: list[Span] = []  # an institution's site or mailbox: no personal data, but no other rule reads inside it
    holds = {_LATIN: has_latin(shadow), _DIGIT: bool(_DIGIT.search(shadow)), None: True}
    for kind, finder, needs in _FINDERS:
        if not holds[needs]:
            continue
        found = finder(shadow, name_model) if finder is find_names else finder(shadow)
        for start, end in found:
            if any(start < s.end and s.start < end for s in taken) or any(
                    start < s.end and s.start < end for s in public):
                continue
            (public if _institutional(kind, shadow[start:end]) else taken).append(Span(kind, start, end))
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


SEALED_FILE = "redaction_sealed.json"


def sealed_figures() -> dict[str, Any]:
    """The SEALED figures (``redaction_sealed.json``, written by ``bench/redaction_bench.py --sealed ... --write``):
    ``status`` is "measured" or "not measured yet"; ``sealed`` holds recall, intervals, precision and negatives
    changed on batches written after the last rule change by writers who never saw the rules."""
    return json.loads(resources.files("hub_tools.data").joinpath(SEALED_FILE).read_text(encoding="utf-8"))


def labelled_set_figures() -> dict[str, Any]:
    """The committed figures of the labelled set (``redaction_eval.json``): recall, precision, sizes, method."""
    return json.loads(resources.files("hub_tools.data").joinpath(FIGURES_FILE).read_text(encoding="utf-8"))
