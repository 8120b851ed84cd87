"""People's names for :mod:`hub_tools.data.redact`: a gazetteer (:mod:`hub_tools.data.gazetteer`) used with context.

A word is taken for a name only where the text says a person follows or is meant, and how much the word itself
must look like a name depends on how sure the context is:

- **any word** (not a stop word) after a form label or an introduction: ``نام:``, ``نام بیمار:``,
  ``نام و نام خانوادگی:``, ``نام پدر:``, ``Name:``, ``اسمم``, ``اسم من``, ``اسم دخترم``, and after a sign-off
  with a title (``پاسخ از دکتر``, ``با احترام، دکتر``, ``Regards, Dr.``);
- **a given or family name of the gazetteer** after a title (``خانم``, ``آقای``, ``حاج``, ``دکتر``, ``Dr``,
  ``Mrs.``), a kinship word (``مادرم``, ``همسرم``, ``دخترخالم``, ``my husband``, ``mamanam``), an account holder
  (``به نام``, ``فرزند``), a self-introduction (``من``, ``منم``, ``اینجانب``, ``man ... hastam``), ``بیمار``,
  ``از طرف``, or a sign-off without a title (``با تشکر، مرتضی قاسمی``, ``Regards, Pouya Karimi``);
- **a given name** that is not also a common word, with the name's own cue: before ``هستم``, ``جان``/``جون``,
  ``خانم``, or alone at the end of a message.

A name runs over the following words while they are given names (a double name: ``محمد حسن``), family names,
family-name parts (``زاده``, ``نژاد``, ``پور``) or words shaped like family names (``…ی``, ``…یان``, ``…زاده``),
and stops at a stop word. Names of public figures in medical text (historical physicians, eponyms such as
Hashimoto or Parkinson; ``public_figures.txt``) stay. Latin names (English and Finglish) follow the same contexts
with capitalised words or the gazetteer's Latin spellings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hub_tools.data.gazetteer import gazetteer

__all__ = ["find_names", "NAME_STOP"]

_LETTERS = "\u0621-\u063a\u0641-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u0622\u0626\u06c0"
FA_WORD = f"[{_LETTERS}](?:[{_LETTERS}\u0654]|\u200c(?=[\u0621-\u06cc]))*"
_FA_WORD_RE = re.compile(FA_WORD)
_LATIN_WORD_RE = re.compile(r"[A-Za-z][a-z]+(?:-[A-Z][a-z]+)?")

NAME_STOP = frozenset(
    """
    متخصص متخصصین فوق تخصص عمومی جراح جراحی کارشناس کارشناسی ارشد مامایی مامای ماما زنان زایمان نازایی اطفال
    باردار حامله کودکان نوزادان قلب عروق پوست مو داخلی گوارش کلیه ریه مغز اعصاب روان روانپزشک روانشناس روانشناسی
    ارتوپد ارتوپدی چشم گوش حلق بینی اورولوژی اورولوژیست غدد تغذیه رژیم داروساز داروسازی دندانپزشک دندانپزشکی
    رادیولوژی رادیولوژیست بیهوشی عفونی خون انکولوژی سرطان دندان دندون دندونپزشک طب فیزیوتراپی فیزیوتراپ پرستار
    پزشک پزشکی دکتر داروخانه مراجعه مراجعه‌کنید مراجعه‌ای کنید کن کنم کردم کرد کردند کرده کنند نمایید بروید برید
    برو رفتم رفت رفتیم گفت گفته گفتند گفتن گفتم میگه می‌گه میگن می‌گویند می‌گوید نوشت داد داده دادند دادن بدید
    بدهید بپرسید بپرسم ویزیت ویزیتم معاینه مشورت تجویز نظر نظرش دستور است هست هستم هستند هستید بود بودم بودند شد
    شدم شده باشد نیست ام ای را به از با در و که این آن تا برای هم یا اما ولی چون اگر چه چرا کدام چند خیلی بسیار
    حتما حتماً بیمارستان درمانگاه کلینیک مطب مرکز دانشگاه خیابان بلوار کوچه میدان شهرک آزمایشگاه شما من ما او
    ایشان بنده عزیز عزیزم گرامی محترم جان جون خانم آقای آقا جناب سرکار همسرم دخترم پسرم بچه‌ام تیم گروه پشتیبانی
    مدیریت سایت طرف مشاوران همکاران کادر ببخشید هزینه ی باید برام براتون فرمودن فرمود فرمودند مشخص استفاده دوباره
    واهی درد میکنه روی دست اشتباه غلط درست ثبت چیه چیست چی رو نیز ه یادم یادش نمیدونم نمی‌دونم سلام پاسخ جواب
    ممنون مرسی تشکر باتشکر سپاس خوب بد نگران مریض بیمار ساله سال ماهه ماه روز هفته خودم خودش خود اینجا آنجا
    الان امروز دیروز فردا قبل بعد دیگر دیگه یک دو سه همه هیچ فقط حالا سالشه سالمه ماهشه هم‌اکنون هنوز اصلا
    خدا عوضتون مبتلا فرزند مادر پدر سن سیگار میکشه میخوره داره دارم دارد کوچولو عزیزم گفتن نوشتن گفتند
    """.split()
)
_EN_STOP = frozenset(
    """Dr Doctor Mr Mrs Ms Miss The A An You Your Please See Call Visit Thanks Thank Regards Best Sincerely Team
    Support Hi Hello Dear My I Im It Is He She We They This That And Or But Not No Yes Sir Madam MD Md Salam Hospital
    Clinic Patient Name Mother Father Husband Wife Son Daughter Tehran Shiraz Tabriz Mashhad Isfahan Toronto
    Doctor Goftan Hastam Daram Mikone""".split()
)
_SURNAME_PARTS = frozenset("زاده نژاد پور فر راد منش زاد نیا کیا وند لو".split())
_SURNAME_SHAPE = re.compile(r".{2,}(?:ی|یان|زاده|نژاد|پور|فر|راد|منش|نیا|کیا|وند|لو|آبادی)$")

_TITLE = r"(?:خانم|خانوم|آقای|آقا|آقاى|جناب|سرکار|حاج|حاجی|حاجیه|دکتر|دكتر|مهندس|استاد|سید|سیده)"
_KIN = (
    r"(?:مادرم|مامانم|مادر\s*بزرگم|مادربزرگم|پدرم|بابام|باباجونم|پدر\s*بزرگم|پدربزرگم|همسرم|شوهرم|خانمم|زنم|"
    r"پسرم|دخترم|بچه‌ام|بچم|فرزندم|نوه‌ام|نوه‌ام|نوم|برادرم|داداشم|خواهرم|آبجیم|عموم|عمه‌ام|عمم|داییم|خاله‌ام|"
    r"خالم|دخترخالم|دختر\s*خاله‌ام|پسرخالم|دخترعموم|پسرعموم|دختر\s*عموم|پسر\s*عموم|دخترداییم|پسرداییم|"
    r"عروسم|دامادم|مادرشوهرم|مادرزنم|پدرشوهرم|پدرزنم|دوستم|همکارم|همسایمون|همسایه‌مون|نامزدم|"
    r"شوهرش|همسرش|زنش|پسرش|دخترش|مادرش|پدرش|برادرش|خواهرش)"
)
# (pattern, what the first word must be): "any" | "person" (a given or family name) | "given"
_FA_CONTEXTS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(?:مشخصات(?:\s+بیمار)?|(?:نام|اسم)(?:\s+و\s+نام\s+خانوادگی|\s+(?:بیمار|پدر|مادر|همراه|همسر|کامل|خانوادگی))?)\s*[:：]\s*"
                r"(?:" + _TITLE + r"\s+)?"), "any"),
    (re.compile(r"(?<![\w])(?:اسمم|اسم\s+من|اسم\s+بنده|نام\s+من|نامم|نام\s+بنده|اسمش|اسم\s+(?:" + _KIN[3:-1] + r")|"
                r"نام\s+(?:" + _KIN[3:-1] + r"))\s*(?:هم\s+)?[:：]?\s*"), "any"),
    (re.compile(r"(?:پاسخ(?:\s+(?:از|توسط))?|با\s+احترام|با\s*تشکر|با\s+سپاس|ارادتمند|تهیه\s+(?:شده\s+)?توسط|"
                r"نوشته\s+(?:شده\s+)?توسط|مشاوره\s+(?:از|توسط)|مشاور|پاسخ[\s\u200c]*دهنده|پاسخ\u200c?گو)\s*[:：،,]?\s*"
                r"(?:(?:سرکار\s+)?خانم|(?:جناب\s+)?آقای|سرکار|جناب)?\s*(?:دکتر|دكتر)\s*"), "any"),
    (re.compile(r"(?<![\w])" + _TITLE + r"\s+(?:(?:دکتر|دكتر|سید|سیده)\s+)?"), "person"),
    (re.compile(r"(?<![\w])" + _KIN + r"\s*[،,:]?\s*(?:(?:به\s+)?(?:اسم|نام)\s+)?(?:" + _TITLE + r"\s+)?"), "person"),
    (re.compile(r"(?<![\w])(?:به\s*نام|بنام|صاحب\s+(?:حساب|کارت)|فرزند|از\s+طرف(?:\s+خانواده)?|خانواده|"
                r"بیمار|مریض|اینجانبه|اینجانب|این‌جانب|منم|من|بنده|پدر|مادر|همسر)(?![\w])\s*[:：]?\s*"
                r"(?:" + _TITLE + r"\s+)?"), "person"),
    (re.compile(r"(?:با\s*تشکر|با\s*سپاس|با\s+احترام|ارادتمند|ممنون|مرسی|قربان\s+شما|پاسخ)(?:\s+\S+){0,2}?\s*[،,:\-–—]\s*"),
     "person"),
]
_JAN = re.compile(r"\s(?:جان|جون)(?![\w])")
_FA_WORD_BEFORE = re.compile(r"(?<![\w\u200c])" + FA_WORD + r"$")
_NOT_A_PERSON_BEFORE = re.compile(
    r"(?:بیمارستان|درمانگاه|کلینیک|مرکز|دانشگاه|خیابان|بلوار|میدان|کوچه|بزرگراه|اتوبان|مدرسه|داروخانه|آزمایشگاه|"
    r"زایشگاه|پلی\s*کلینیک|خ\.)\s*$"
)
_GIVEN_CUE_AFTER = re.compile(r"\s*[،,]?\s*(?:هستم|هستش|ام(?![\w])|جان(?![\w])|جون(?![\w])|خانم(?![\w])|ه(?![\w])|"
                              r"عزیز(?![\w])|\d+\s*سال)")
_SENTENCE_START = re.compile(r"(?:^|(?<=[.!?؟\n]))\s*(?:سلام[،,.!]?\s*)?(?:(?:دکتر|خانم\s+دکتر)\s*(?:جان)?[،,.!]?\s*)?")
_EN_TITLE = r"(?:Dr|Mr|Mrs|Ms|Miss|dr|mr|mrs|ms)\.?"
_EN_KIN = (r"(?:[Mm]y\s+(?:mother|mom|mum|father|dad|husband|wife|son|daughter|brother|sister|baby|child|"
           r"grandmother|grandfather|friend|partner)|mamanam|babam|pedaram|madaram|hamsaram|shoharam|pesaram|"
           r"dokhtaram|baradaram|khaharam)")
_EN_CONTEXTS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"\b(?:[Nn]ame|[Pp]atient(?:\s+name)?|[Ff]ull\s+name|[Nn]am(?:e)?\s+bimar|[Nn]ame\s+bimar)\s*[:：]\s*"),
     "any"),
    (re.compile(r"(?:\b(?:[Mm]y name is|[Tt]his is|I am|I'm|[Ii]m|[Mm]an|[Ee]smam|[Ee]sme\s+man)|(?<![\w])من)\s+"),
     "given"),
    (re.compile(r"(?:(?<![A-Za-z])" + _EN_TITLE + r"|(?<![\w])(?:دکتر|خانم|آقای))\s+"), "latin"),
    (re.compile(r"\b" + _EN_KIN + r"\s*,?\s+"), "latin"),
    (re.compile(r"\b(?:[Rr]egards|[Bb]est wishes|[Ss]incerely|[Tt]hanks(?: a lot)?|[Cc]heers|[Bb]a tashakor|[Mm]ersi|"
                r"[Mm]amnoon|[Aa]ccount holder|[Ii]n the name of|[Bb]e name)\s*[,:]?\s+"), "latin"),
]
_EN_THANKS_END = re.compile(r"(?:[.!]\s+|\s[\-–—]\s*|\n)([A-Z][a-z]+)\s*[.!]?\s*$")
_FA_END = re.compile(r"(?:[.!؟?]\s*|\s[\-–—]\s*|\n)(" + FA_WORD + r"(?:\s+" + FA_WORD + r")?)\s*[.!]?\s*$")


def _is_name_word(word: str) -> bool:
    g = gazetteer()
    return g.is_given(word, ambiguous_ok=True) or g.is_family(word)


def _continues(word: str, count: int, words: list[str], need: str) -> bool:
    """Whether ``word`` (the ``count``-th) still belongs to a name that holds ``words``."""
    if word in NAME_STOP:
        return False
    g = gazetteer()
    if need == "any" and count == 1:
        return True
    if word in _SURNAME_PARTS or g.is_family(word):
        return True
    if count == 1 and g.is_given(word, ambiguous_ok=True) and not g.is_family(words[0]):
        return True  # a double given name, or a given name and a family name that is a given name too
    return bool(_SURNAME_SHAPE.match(word)) and word not in g.ambiguous and word not in g.common and count < 3


def _first_ok(word: str, need: str, next_word: str | None) -> bool:
    if word in NAME_STOP or len(word) < 2:
        return False
    g = gazetteer()
    if need == "any":
        return True
    if word in g.ambiguous:
        # a given name that is a word too ("امید") only with a family name after it
        return next_word is not None and next_word not in NAME_STOP and g.is_family(next_word)
    if need == "person":
        return g.is_given(word) or g.is_family(word)
    return g.is_given(word)


def _fa_name_at(shadow: str, pos: int, need: str, max_words: int = 3) -> tuple[int, int] | None:
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    cursor = pos
    while len(words) < max_words:
        m = _FA_WORD_RE.match(shadow, cursor)
        if not m:
            break
        words.append(m.group())
        spans.append(m.span())
        if not re.match(r"[ \u200c]", shadow[m.end() : m.end() + 1]):
            break
        cursor = m.end() + 1
    if not words:
        return None
    if not _first_ok(words[0], need, words[1] if len(words) > 1 else None):
        return None
    end = spans[0][1]
    for i in range(1, len(words)):
        if not _continues(words[i], i, words[:i], need):
            break
        end = spans[i][1]
    return pos, end


def _latin_name_at(shadow: str, pos: int, need: str) -> tuple[int, int] | None:
    g = gazetteer()
    end, count, cursor = None, 0, pos
    while count < 3:
        m = _LATIN_WORD_RE.match(shadow, cursor)
        if not m:
            break
        word = m.group()
        capital = word[0].isupper()
        if word in _EN_STOP or word.title() in _EN_STOP:
            break
        if count == 0:
            followed = re.match(r"\s*(?:[,.]|$|هستم|hastam)", shadow[m.end() :]) is not None
            if not (g.is_latin_given(word) or (capital and (need != "given" or followed))):
                return None
        elif not (capital or g.is_latin_given(word)):
            break
        end = m.end()
        count += 1
        if shadow[end : end + 1] != " ":
            break
        cursor = end + 1
    return (pos, end) if end else None


def _fa_names(shadow: str) -> Iterator[tuple[int, int]]:
    for pattern, need in _FA_CONTEXTS:
        for m in pattern.finditer(shadow):
            if _NOT_A_PERSON_BEFORE.search(shadow, max(0, m.start() - 15), m.start()):
                continue
            span = _fa_name_at(shadow, m.end(), need, max_words=2 if need == "any" else 3)
            if span:
                yield span
    # a given name with its own cue: "مریم هستم", "بهاره جان", "زری خانم"
    for m in _SENTENCE_START.finditer(shadow):
        span = _fa_name_at(shadow, m.end(), "given")
        if span and _GIVEN_CUE_AFTER.match(shadow, span[1]):
            yield span
    for m in _JAN.finditer(shadow):
        word = _FA_WORD_BEFORE.search(shadow, max(0, m.start() - 20), m.start())
        if word and gazetteer().is_given(word.group()):
            yield word.span()
    end = _FA_END.search(shadow[-60:])
    if end:
        offset = len(shadow) - len(shadow[-60:])
        span = _fa_name_at(shadow, offset + end.start(1), "given")
        if span:
            yield span


def _latin_names(shadow: str) -> Iterator[tuple[int, int]]:
    for pattern, need in _EN_CONTEXTS:
        for m in pattern.finditer(shadow):
            span = _latin_name_at(shadow, m.end(), need)
            if span:
                yield span
    end = _EN_THANKS_END.search(shadow[-40:])
    if end and gazetteer().is_latin_given(end.group(1)):
        offset = len(shadow) - len(shadow[-40:])
        yield offset + end.start(1), offset + end.end(1)


def find_names(shadow: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each person's name in ``shadow`` (spans may overlap; the caller keeps the first)."""
    g = gazetteer()
    found = list(_fa_names(shadow))
    if re.search(r"[A-Za-z]", shadow):
        found += list(_latin_names(shadow))
    merged: list[list[int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1] and shadow[merged[-1][1] : start].strip() == "":
            merged[-1][1] = max(merged[-1][1], end)
        elif merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    kept = [(start, end) for start, end in merged if not g.is_public_figure(shadow[start:end])]
    yield from kept
    # the same name elsewhere in the text ("خواهرم مهسا و شوهرش کامران ... اسپرموگرام کامران")
    for name in {shadow[start:end] for start, end in kept if end - start > 2}:
        for m in re.finditer(r"(?<![\w])" + re.escape(name) + r"(?![\w])", shadow):
            yield m.span()
