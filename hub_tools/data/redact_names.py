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
and stops at a stop word. Without such a context, a name is still found as a given name (no word of the crawl) and a
family name side by side (``عبدالله حسن‌زاده``, ``Mohammad Javadi``), and a given name after a kinship title, a role
or ``برای`` (``خاله پروین``, ``پرستار زینب``), before a first-person kinship word (``بردیا پسرم``), opening a message
when addressed or listed, beside a phone number, listed with a name found, or with a glued ``am`` (``من علیرضام``).
Names of hospitals and streets stay (``بیمارستان میلاد``). Names of public figures in medical text (historical physicians, eponyms such as
Hashimoto or Parkinson; ``public_figures.txt``) stay. Latin names (English and Finglish) follow the same contexts
with capitalised words or the gazetteer's Latin spellings.

:func:`find_names` ORs these rules with a small learned detector (:mod:`hub_tools.data.name_model`, token-level
logistic regression shipped as plain arrays); leaving one pool writer out, name recall goes from 95.7% (rules) to
98.0% (rules + model) with negatives changed 0.85% (``name_model_cv.json``). ``model=None`` runs the rules alone.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Iterator

from hub_tools.data.gazetteer import gazetteer
from hub_tools.data.name_model import EDGE_PUNCTUATION, SHIPPED, NameModel, plain_words, resolve, shipped_model
from hub_tools.evaluation.concepts import concept_words, fold_words

__all__ = ["CUES", "CueIndex", "find_names", "has_latin", "lowered", "NAME_STOP"]

_LETTERS = "\u0621-\u063a\u0641-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u0622\u0626\u06c0"
FA_WORD = f"[{_LETTERS}](?:[{_LETTERS}\u0654]|\u200c(?=[\u0621-\u06cc]))*"
_FA_WORD_RE = re.compile(FA_WORD)
_LATIN_WORD_RE = re.compile(r"[A-Z]\.|[A-Z]['’][A-Z][a-z]+|[A-Z]{2,}(?![a-z])|[A-Za-zÀ-Þ][a-zß-ÿ]+(?:[A-Z][a-z]+)?"
                            r"(?:-[A-Z][a-z]+)?")

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
    ذکر نشده نامشخص ندارد مرد زن پسر دختر کودک نوزاد بچه خانمی آقایی
    ایتا روبیکا سروش بله تلگرام واتساپ اینستاگرام اینستا داداش آبجی خان انشالله ایشالا انشاالله
    """.split()
)
_EN_STOP = frozenset(
    """Dr Doctor Mr Mrs Ms Miss The A An You Your Please See Call Visit Thanks Thank Regards Best Sincerely Team
    Support Hi Hello Dear My I Im It Is He She We They This That And Or But Not No Yes Sir Madam MD Md Salam Hospital
    Clinic Patient Name Mother Father Husband Wife Son Daughter Tehran Shiraz Tabriz Mashhad Isfahan Toronto
    Doctor Goftan Hastam Daram Mikone Iranian Persian American British Canadian German Afghan Kurdish Armenian
    Turkish Arab Australian Indian French Italian Sorry Sure Just Not Also Iran Persia Karaj Rasht Ahvaz Kerman Qom
    Yazd Dubai Turkey Germany London Canada Europe""".split()
)
_SURNAME_PARTS = frozenset("زاده نژاد پور فر راد منش زاد نیا کیا وند لو".split())
# words a given name is compounded with ("فاطمه السادات", "نصرت الله", "شمس الدین", "عزت الملوک")
_GIVEN_PARTICLES = frozenset("السادات سادات الله الدین الملوک السلطنه".split())
_STRONG_SURNAME_END = re.compile(r"(?:یان|زاده|\u200cزاد|نژاد|پور|فر|راد|منش|نیا|کیا|وند|لو)$")
_SURNAME_SHAPE = re.compile(r".{2,}(?:ی|یان|زاده|نژاد|پور|فر|راد|منش|نیا|کیا|وند|لو|آبادی)$")

_TITLE = r"(?:خانم|خانوم|آقای|آقا|آقاى|اقای|اقا|جناب|سرکار|حاج|حاجی|حاجیه|دکتر|دكتر|مهندس|استاد|سید|سیده|کاک|کاکا|ماموستا)"
# kinship: a stem and a possessive ending ("مادرم", "دایی‌ام", "عروسمون", "خواهرزاده‌ام", "شوهرش")
_KIN_STEMS = (
    r"(?:مادر\s*بزرگ|پدر\s*بزرگ|مادر\s*شوهر|مادر\s*زن|پدر\s*شوهر|پدر\s*زن|مادر|مامان|پدر|بابا|باباجون|همسر|شوهر|"
    r"خانم|زن|پسر\s*(?:عمو|عمه|خاله|خال|دایی)|دختر\s*(?:عمو|عمه|خاله|خال|دایی)|خواهر\s*زاده|برادر\s*زاده|پسر|دختر|بچه|"
    r"نوزاد|کودک|زن\s*(?:داداش|برادر)|(?:خواهر|برادر)\s*(?:شوهر|زن|خانم)|شوهر\s*(?:خواهر|عمه|خاله)|"
    r"فرزند|نوه|برادر|داداش|خواهر|آبجی|عمو|عمه|دایی|خاله|عروس|داماد|نامزد|دوست|همکار|همسایه|جاری|باجناق)"
)
_KIN = (r"(?:" + _KIN_STEMS + r"(?:م|\u200cام|ام|\u200cم|مون|\u200cمون|مان|\u200cمان|ش|\u200cاش|شون|\u200cشون|شان|"
        r"\u200cشان|تون|\u200cتون|\u200cی)|دوقلوهام|دوقلوهای|"
        r"دوقلوها|سه\s*قلوهام)(?![\w])")
# labels of a form or a letter head whose value is a person: "نام:", "بیمه‌شده:", "مسئول فنی:", "پزشک معالج:"
_FORM_LABEL = (
    r"(?:مشخصات(?:\s+بیمار)?|(?:نام|اسم)(?:\s+و\s+نام\s+خانوادگی|\s+(?:بیمار|پدر|مادر|همراه|همسر|شوهر|کامل|خانوادگی|"
    r"کودک|فرزند|نوزاد|بچه|پزشک|دکتر|مراجعه\s*کننده|متقاضی|بیمه[\s\u200c]*شده(?:\s+اصلی)?))?|"
    r"بیمه[\s\u200c]*شده(?:\s+اصلی)?|مسئول\s+فنی|پزشک\s+معالج|صاحب\s+(?:حساب|کارت)|گیرنده|فرستنده)"
)
# (pattern, what the first word must be): "any" | "titled" (a given or family name) | "person" (a given name; an
# ambiguous one only before a family name or a name's cue) | "kin" (a given name, ambiguous ones too unless a verb
# follows)
_FA_CONTEXTS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(?<![\w])" + _FORM_LABEL + r"\s*[:：]\s*(?:" + _TITLE + r"\s+)?(?:دکتر\s+)?"), "any"),
    (re.compile(r"(?<![\w])(?:اسمم|اسم\s+من|اسم\s+بنده|نام\s+من|نامم|نام\s+بنده|(?:اسم|نام)\s+" + _KIN + r")"
                r"\s*(?:هم\s+)?[:：]?\s*"), "any"),
    (re.compile(r"(?:پاسخ(?:\s+(?:از|توسط))?|با\s+احترام|با\s*تشکر|با\s+سپاس|ارادتمند|تهیه\s+(?:شده\s+)?توسط|"
                r"نوشته\s+(?:شده\s+)?توسط|مشاوره\s+(?:از|توسط)|مشاور|پاسخ[\s\u200c]*دهنده|پاسخ\u200c?گو)\s*[:：،,]?\s*"
                r"(?:(?:سرکار\s+)?خانم|(?:جناب\s+)?آقای|سرکار|جناب)?\s*(?:دکتر|دكتر)\s*"), "any"),
    (re.compile(r"(?<![\w])از\s+طرف\s+خانواده(?![\w])\s*"), "any"),
    (re.compile(r"(?<![\w])" + _TITLE + r"\s+(?:" + _TITLE + r"\s+){0,2}"), "titled"),  # "حاج آقا", "خانم دکتر سیده"
    (re.compile(r"(?<![\w])(?:ممنون|تشکر|سپاس|متشکرم)\s+از\s+"), "titled"),
    (re.compile(r"(?<![\w])" + _KIN + r"\s*[،,:]?\s*(?:(?:به\s+)?(?:اسم|نام)\s+)?(?:" + _TITLE + r"\s+)?"), "kin"),
    (re.compile(r"[–—|]\s*نام\s+(?![^\s:：]+(?:\s+[^\s:：]+)?\s*[:：])"), "any"),
    (re.compile(r"(?<![\w])(?:من|ما|بنده)\s+و\s+"), "kin"),  # "من و بهار": the writer and a person
    # a sender's label: "از عاطفه:", "از سارا کریمی:"
    (re.compile(r"از(?<!\wاز)\s+(?=" + FA_WORD + r"(?:\s+" + FA_WORD + r")?\s*[:：])"), "person"),  # "کد ملی ... – نام سکینه کرمی –"
    (re.compile(r"(?<![\w])(?:به\s*نام|بنام|به\s+اسم|فرزند|از\s+طرف|(?:تماس|هماهنگی|هماهنگ)\s+با|اسمش\s+(?:را|رو)|اسمشو|اسمش|اسمشون|نامش|"
                r"بپرسید|سراغ)(?![\w])\s*[:：]?\s*(?:" + _TITLE + r"\s+)?"),
     "person"),
    (re.compile(r"(?<![\w])(?:بیمار|مریض|اینجانبه|اینجانب|این‌جانب|منم|من|بنده|پدر|مادر|مامان|بابا|همسر|خودم)(?![\w])\s*[:：]?\s*"
                r"(?:" + _TITLE + r"\s+)?"), "person"),
    (re.compile(r"(?:با\s*تشکر|با\s*سپاس|با\s+احترام|ارادتمند|ممنون|مرسی|قربان\s+شما|پاسخ)(?:\s+\S+){0,2}?\s*[،,:\-–—]\s*"),
     "person"),
    (re.compile(r"\s[\-–—|]\s*"), "person"),  # "(بانک سامان – مژگان رحمانی)", "کارت ... - لیلا"
]
# words one of which a text must hold for each context to match (in the order of _FA_CONTEXTS; () = always scan)
_FA_CONTEXT_CUES: tuple[tuple[str, ...], ...] = (
    (":", "："),
    ("اسم", "نام"),
    ("دکتر", "دكتر"),
    ("خانواده",),
    ("خانم", "خانوم", "آقا", "اقا", "جناب", "سرکار", "حاج", "دکتر", "دكتر", "مهندس", "استاد", "سید", "کاک", "ماموستا"),
    ("ممنون", "تشکر", "سپاس"),  # (not "از", in nearly every text: the thanks word is as necessary; "متشکرم" holds "تشکر")
    ("مادر", "مامان", "پدر", "بابا", "همسر", "شوهر", "خانم", "زن", "پسر", "دختر", "بچه", "فرزند", "نوه", "برادر",
     "داداش", "خواهر", "آبجی", "عمو", "عمه", "دایی", "خاله", "خال", "عروس", "داماد", "نامزد", "دوست", "همکار", "همسای",
     "جاری", "باجناق", "قلو", "نوزادم", "نوزادش", "کودکم", "کودکش", "نوزاد‌م", "کودک‌م"),
    ("نام",),
    ("من و", "ما و", "بنده و"),
    (":", "："),
    ("نام", "اسم", "فرزند", "طرف", "بپرسید", "سراغ", "تماس با", "هماهنگی با", "هماهنگ با"),
    ("بیمار", "مریض", "اینجانب", "این\u200cجانب", "من", "بنده", "پدر", "مادر", "مامان", "بابا", "همسر", "خودم"),
    ("تشکر", "سپاس", "احترام", "ارادتمند", "ممنون", "مرسی", "قربان", "پاسخ"),
    ("-", "–", "—", "|"),
)
# contexts after which a name the gazetteer lacks is still a name when a family-name-shaped word follows it
# ("آقای وارطان پطروسیان", "مادربزرگم آرمینه هاکوپیان", "اینجانب ائلچین قلی‌زاده")
_OPEN_NEEDS = frozenset({"titled", "kin", "person"})
_CLAUSE_END = re.compile(r"\s*(?:[.!?؟،,;؛\n]|$)")
_CLAUSE_START = re.compile(r"(?:^|[.!?؟،,;؛:\n]|(?<![\w])(?:من|بنده|اینجانب|اینجانبه|سلام|منم))\s*$")
_VERBISH = frozenset(
    """داره دارد دارم داشت شد شده شدم میشه میشد می‌شود کرد کرده کردم میکنه می‌کنه میکند است هست نیست بود باشه باشد
    زیادی کمی""".split()
)
# a given name's own cue after it ("بهاره جان", "سهیلا خانم")
_JAN_WORDS = ("جان", "جون", "جونم", "جانم", "خانم", "خانمه", "خانوم", "آقا", "خان", "کوچولو", "کوچولوی", "کوچولومون")
_JAN = re.compile(r"\s(?:" + "|".join(_JAN_WORDS) + r")(?![\w])")
_HASTAM = re.compile(r"(?<=\s)(?:هستم|هستش|هستیم)(?![\w])")
_FA_WORD_BEFORE = re.compile(r"(?<![\w\u200c])" + FA_WORD + r"$")
_NOT_A_PERSON_BEFORE = re.compile(
    r"(?<![\w\u200c])(?:بیمارستان|درمانگاه|کلینیک|مرکز|دانشگاه|خیابان|بلوار|میدان|کوچه|بزرگراه|اتوبان|مدرسه|داروخانه|آزمایشگاه|"
    r"زایشگاه|پلی\s*کلینیک|خ\.|داروسازی|شرکت|برند|محصولات|کرم|قرص)\s*$"
)
_GIVEN_CUE_AFTER = re.compile(r"\s*[،,]?\s*(?:هستم|هستش|ام(?![\w])|جان(?![\w])|جون(?![\w])|خانم(?![\w])|ه(?![\w])|"
                              r"عزیز(?![\w])|\d+\s*سال)")
_SENTENCE_END = re.compile(r"[.!?؟\n]")
_SENTENCE_START = re.compile(r"\s*(?:سلام[،,.!]?\s*)?(?:(?:دکتر|خانم\s+دکتر)\s*(?:جان)?[،,.!]?\s*)?")
_EN_TITLE = (r"(?:(?:Dr|Mr|Mrs|Ms|Miss|dr|mr|mrs|ms)\.?|(?:[Kk]hano?o?u?m(?:-?eh?)?|[Aa]gha(?:-?ye?)?|[Dd]o[ck]tor|[Nn]urse|"
             r"[Rr]esident|[Aa]ttending|[Kk]hanevade|[Ff]amily)(?![A-Za-z]))")
_EN_KIN = (r"(?:[Mm]y\s+(?:(?!name\b)[a-z]+\s+|[A-Z][a-z]+\s+(?=[a-z]))?(?:mother|mom|mum|father|dad|husband|wife|son|daughter|brother|sister|baby|child|"
           r"grandmother|grandfather|friend|partner|mother-in-law|father-in-law|cousin|aunt|uncle|niece|nephew|"
           r"grandson|granddaughter|fianc[eé]e?|boyfriend|girlfriend|colleague|neighbou?r|hubby|mum|mom|mommy|"
           r"daddy|kid|baby\s+(?:girl|boy))|(?:maman|baba|pedar|madar|hamsar|shohar|pesar|dokhtar|baradar|khahar|"
           r"dadash|abji|amoo|khale|dayi|ame|doost|dust|bache|hamkar)-?(?:am|m|esh|ash|emoon|amoon|ye|e)\b|mamanam|babam|pedaram|"
           r"madaram|hamsaram|shoharam|pesaram|"
           r"dokhtaram|baradaram|khaharam)")
_EN_CONTEXTS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(?:(?<![\w])(?:نام|اسم)(?:\s+بیمار)?\s*[:：]\s*(?=[A-Za-z])|\b(?:[Nn]ame|[Pp]atient(?:\s+name)?|[Ff]ull\s+name|[Nn]am(?:e)?\s+bimar|[Nn]ame\s+bimar|[Ii]nsured|"
                r"[Rr]ef(?:erring)?\.?\s+(?:[Dd]r|[Dd]octor|[Pp]hysician)\.?|[Pp]hysician|[Cc]ontact(?:\s+person)?|"
                r"[Ee]sme?|[Ff]amil[iy]?|[Nn]am(?:-?e)?\s+khanevadegi|[Ll]ast\s+name|[Ff]irst\s+name|[Ss]urname)"
                r"\s*[:：]\s*)"),
     "any"),
    (re.compile(r"(?:\b(?:[Mm]y name is|[Tt]his is|I am|I'm|[Ii]m|[Mm]an|[Ee]smam|[Ee]sme\s+man)|(?<![\w])من)\s+"),
     "intro"),
    (re.compile(r"\b(?:[Mm]y|[Hh]is|[Hh]er|[Oo]ur)\s+(?:\w+'s\s+)?name(?:'s|\s+is)\s+"), "latin"),
    (re.compile(r"(?:(?<![A-Za-z])" + _EN_TITLE + r"|(?<![\w])(?:دکتر|خانم|آقای))\s+"), "title"),
    (re.compile(r"\b" + _EN_KIN + r"\s*,?\s+"), "latin"),
    # a Persian kinship word or thanks before a Latin name: "برادرم Behnam Ahmadzadeh", "ممنون از Jessica"
    (re.compile(r"(?<![\w])(?:" + _KIN + r"|(?:ممنون|تشکر|سپاس|متشکرم)\s+از)\s*[،,:]?\s*(?=[A-Z])"), "latin"),
    (re.compile(r"(?:\s[–—|-]|\b(?:[Aa]ttention|[Aa]ttn\.?|[Tt]ell|[Aa]sk for|[Cc]all|[Tt]ext|[Mm]essage|[Ii]t's|"
                r"[Ii]t is))\s+(?=[A-Z])"), "given"),
    (re.compile(r"\b(?:[Aa]z\s+tarafe?|[Bb]e\s+esme?|[Ee]smesh(?:\s+ham)?|[Bb]araye|[Tt]amas\s+ba|[Bb]a|[Ff]or|[Ww]ith|"
                r"[Tt]o|[Aa]nd|[Vv]a|[Bb]e|[Jj]aye|[Ss]on|[Dd]aughter|[Hh]is\s+\w+|[Hh]er\s+\w+|[Aa]z|"
                # kinship words used as titles and roles ("baba Ahmad", "khahar zadam Ayda", "monshi Sanaz")
                r"[Bb]aba|[Mm]aman|[Aa]m(?:oo|u)|[Kk]hale?h?|[Dd]a[iy]i|[Aa]mmeh?|[Dd]adash|[Aa]bji|"
                r"(?:[Kk]hahar|[Bb]aradar)[ -]?zade?(?:am|m|esh)?|[Mm]onshi(?:-?ash|-?ye?)?|[Pp]arastar(?:-?e)?|"
                r"[Tt]ahvil\s+(?:dahande|girande))\s+(?=[A-Z][a-z])"), "lgiven"),
    (re.compile(r"\b(?:[Rr]egards|[Bb]est wishes|[Ss]incerely|[Tt]hanks(?: a lot)?|[Cc]heers|[Bb]a tashakor|[Mm]ersi|"
                r"[Mm]amnoon|[Aa]ccount holder|[Ii]n the name of|[Bb]e name)\s*[,:]?\s+"), "latin"),
]
_EN_CONTEXT_CUES: tuple[tuple[str, ...], ...] = (  # (lower case) in the order of _EN_CONTEXTS
    (":", "："),  # (the Finglish labels "esm:", "famil:" hold a colon too)
    ("name is", "this is", "i am", "i'm", "im ", "man ", "esm", "من"),
    ("name",),
    ("dr", "mr", "ms", "miss", "دکتر", "خانم", "آقای", "khan", "agha", "doctor", "doktor", "nurse", "resident",
     "attending", "family"),
    ("my ", "maman", "bab", "pedar", "madar", "hamsar", "shohar", "pesar", "dokhtar", "baradar", "khahar", "dadash",
     "abji", "amoo", "khale", "dayi", "doost", "dust", "bache", "hamkar"),
    ("مادر", "مامان", "پدر", "بابا", "همسر", "شوهر", "خانم", "زن", "پسر", "دختر", "بچه", "فرزند", "نوه", "برادر",
     "داداش", "خواهر", "آبجی", "عمو", "عمه", "دایی", "خاله", "عروس", "داماد", "نامزد", "دوست", "همکار", "همسای",
     "ممنون", "تشکر", "سپاس", "متشکر"),
    (" -", " –", " —", " |", "attention", "attn", "tell", "ask for", "call", "text", "message", "it's", "it is"),
    ("az ", "be esm", "esmesh", "baraye", "tamas", "ba ", "for ", "with ", "to ", "and ", "va ", "be ", "jaye", "son ",
     "daughter", "his ", "her ", "baba", "maman", "amoo", "amu", "khale", "dai", "dayi", "amme", "dadash", "abji",
     "zad", "monshi", "parastar", "tahvil"),
    ("regards", "best wishes", "sincerely", "thanks", "cheers", "tashakor", "mersi", "mamnoon", "account holder",
     "name of", "be name"),
)
# "Rose here", "Gevorg Manukyan here", "mahsa hastam"
_EN_HERE = re.compile(r"(?:^|(?<=[.!?,;]\s)|(?<=[\n]))([A-Z][a-z]+(?:\s[A-Z][a-z]+)?|[a-z]+)\s+(?:here\b|hastam\b)")
_EN_THANKS_END = re.compile(r"(?:[.!]\s+|\s[\-–—]\s*|\n)([A-Z][a-z]+)\s*[.!]?\s*$")
_FA_END = re.compile(r"(?:[.!؟?،,]\s*|\s[\-–—]\s*|\n|[^\w\s\u200c.!؟?،,:؛;()«»\-–—]\s*)(" + FA_WORD + r"(?:\s+" + FA_WORD
                     + r")?)\s*[.!]?\s*$")


def _is_name_word(word: str) -> bool:
    g = gazetteer()
    return g.is_given(word, ambiguous_ok=True) or g.is_family(word)


# stop words that are family names too: a family name right after a given name ("خانم پریسا آقایی")
_STOP_FAMILY_NAMES = frozenset({"آقایی"})


def _continues(word: str, count: int, words: list[str], need: str) -> bool:
    """Whether ``word`` (the ``count``-th) still belongs to a name that holds ``words``."""
    g = gazetteer()
    if word in NAME_STOP:
        return word in _STOP_FAMILY_NAMES and count == 1 and g.is_given(words[0])
    if need == "any" and count == 1:
        return True
    if count == 1 and word in _GIVEN_PARTICLES:
        return True  # a form or a sign-off names one person: its second word is theirs whatever it is
    if word in _SURNAME_PARTS or g.is_family(word):
        return True
    if count == 1 and g.is_given(word, ambiguous_ok=True) and g.is_given(words[0], ambiguous_ok=True):
        return True  # a double given name, or a given name and a family name that is a given name too
    return bool(_SURNAME_SHAPE.match(word)) and word not in g.ambiguous and word not in g.common and count < 3


# a Persian verb form: a past stem and a person ending ("نوشتید", "گفتیم", "رفتند"), or a present one with "می"/"نمی"
# or "ب" before ("می‌نویسید", "نمیدونم", "بنویسید"); the gazetteer's names of this shape ("امید") are judged before
_VERB_FORM = re.compile(r"(?:^ن?می\u200c?.{2,}(?:ید|یم|ند|ین|م|ی|ه)|^ب.{2,}(?:ید|یم|ند|ین)|.{2,}[تد](?:ید|یم|ند|ین|م|ی))$")


def _not_a_name_shape(word: str) -> bool:
    """A word the gazetteer lacks that is no name whatever its shape: a verb form (``نوشتید``) or a drug, disease or
    test of the concept lexicon (:func:`hub_tools.evaluation.concepts.concept_words`: ``ریواستیگمین``)."""
    return bool(_VERB_FORM.match(word)) or _is_concept(word)


def _is_concept(word: str) -> bool:
    folded = fold_words(word)
    return len(folded) == 1 and folded[0] in concept_words()


def _unknown_name_pair(first: str, second: str) -> bool:
    """Two words the gazetteer lacks that read as a given and a family name: the first no word of the crawl, the
    second shaped like a family name ("وارطان پطروسیان")."""
    g = gazetteer()
    if first in NAME_STOP or second in NAME_STOP or first in g.common or second in g.common or len(first) < 3:
        return False
    if g.is_given(first, ambiguous_ok=True) or second in _VERBISH:
        return False  # a name of the gazetteer was judged already ("مادرم امید زیادی ...")
    if _not_a_name_shape(first) or _not_a_name_shape(second):
        return False  # "دکتر نوشتید روزی ...", "دکتر ریواستیگمین چسبی نوشته"
    return bool(_SURNAME_SHAPE.match(second)) or g.is_family(second)


def _unknown_family_name(word: str) -> bool:
    """A word the gazetteer lacks that reads as a family name after a title: shaped like one ("صدری", "نیک‌پور")
    and no word of the crawl."""
    g = gazetteer()
    if word in NAME_STOP or word in g.common or len(word) < 4 or g.is_given(word, ambiguous_ok=True):
        return False
    if _not_a_name_shape(word):
        return False
    if _STRONG_SURNAME_END.search(word):
        return True
    # "...ی" is as often an adjective ("پریمتری", "هفته‌ای"): only after a name ("صدری", "یزدانی")
    if not word.endswith("ی") or "\u200c" in word:
        return False
    stems = (word[:-1], word[:-3] + "ی") if word.endswith("ایی") else (word[:-1],)  # "صدری", "مجتبایی"
    return any(g.is_given(stem, ambiguous_ok=True) or g.is_family(stem) for stem in stems)


def _first_ok(word: str, need: str, next_word: str | None, cue_after: bool = False) -> bool:
    if word in NAME_STOP or len(word) < 2:
        return False
    g = gazetteer()
    if need == "any":
        return True
    if need == "titled" and g.is_family(word) and word not in g.name_words:
        return True  # after a title a family name alone is a person ("دکتر نوری"), unless a word first ("امید")
    if word in g.ambiguous and need != "kin":
        # a given name that is a word too ("امید") only with a family name or a name's cue after it
        return (cue_after and word in g.name_words) or (
            next_word is not None and next_word not in NAME_STOP and (
                (g.is_family(next_word) and (need != "person" or next_word not in g.ambiguous))
                or (need != "person" and _unknown_family_name(next_word))))
    if need == "titled":  # after a title a family name alone is a person too ("دکتر رحیمی")
        return g.is_given(word) or g.is_family(word)
    if need == "kin":  # "پسرم امید" is a name, "مادرم امید داره" is not
        return g.is_given(word) or (word in g.name_words and (next_word or "") not in _VERBISH)
    return g.is_given(word)


@functools.lru_cache(maxsize=1 << 16)
def _may_be_given(word: str) -> bool:
    """A given name (an ambiguous one too), or one with a glued "is" ("داووده"); cached per word, as most contexts
    and sentences start with an ordinary word, judged again and again."""
    g = gazetteer()
    return g.is_given(word, ambiguous_ok=True) or (word.endswith("ه") and g.is_given(word[:-1]))


def _fa_name_at(shadow: str, pos: int, need: str, max_words: int = 3) -> tuple[int, int] | None:
    first = _FA_WORD_RE.match(shadow, pos)
    if not first or first.group() in NAME_STOP:
        return None  # (most contexts are followed by an ordinary word: rejected before reading further)
    word = first.group()
    if need in ("person", "given") and not _may_be_given(word):
        return None
    g = gazetteer()
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    cursor = pos
    while len(words) < max_words:
        m = _FA_WORD_RE.match(shadow, cursor)
        if not m:
            break
        words.append(m.group())
        spans.append(m.span())
        if shadow[m.end() : m.end() + 1] not in (" ", "\u200c"):
            break
        cursor = m.end() + 1
    if need in ("any", "person", "kin") and not g.is_given(words[0], ambiguous_ok=True) and words[0].endswith("ه") \
            and g.is_given(words[0][:-1]) and _CLAUSE_END.match(shadow, spans[0][1]):
        return pos, spans[0][1] - 1  # "اسمش داووده.": the name and a glued "is"
    cue_after = bool(_GIVEN_CUE_AFTER.match(shadow, spans[0][1]))
    if not _first_ok(words[0], need, words[1] if len(words) > 1 else None, cue_after):
        if not (need in _OPEN_NEEDS and len(words) > 1 and _unknown_name_pair(words[0], words[1])) and not (
                need == "titled" and _unknown_family_name(words[0])):
            return None
    end = spans[0][1]
    for i in range(1, len(words)):
        if not _continues(words[i], i, words[:i], need):
            break
        end = spans[i][1]
    return pos, end


_HONORIFIC_BEFORE = re.compile(r"(?<![\w\u200c])(?:سید|سیده|میر)\s+$")
_POSSESSIVE = re.compile(r"'s\b")
_DR_BEFORE = re.compile(r"(?i)dr\.?\s+$")
_FOLLOWS_A_RUN = re.compile(r"\s*(?:[,;]|from\b|and\b|here\b|هستم|hastam|از\s)")
_FOLLOWS_A_NAME = re.compile(r"\s*(?:[,.;]|$|هستم|hastam|from\b|and\b|here\b|[A-Z][a-z]+\s*[,.;])")


def _latin_name_at(shadow: str, pos: int, need: str) -> tuple[int, int] | None:
    g = gazetteer()
    end, count, cursor, pending = None, 0, pos, False
    while count < 3:
        m = _LATIN_WORD_RE.match(shadow, cursor)
        if not m:
            break
        word = m.group()
        capital = word[0].isupper()
        if word in _EN_STOP or word.title() in _EN_STOP:
            break
        if count == 0 and _POSSESSIVE.match(shadow, m.end()) and _DR_BEFORE.search(shadow, max(0, pos - 5), pos):
            return None  # "Dr. Reddy's", "Dr. Scholl's": a brand ("Mrs. Ahmadi's results" is a person)
        if count == 0 and need == "lgiven" and not (capital and g.is_latin_given(word)):
            return None
        if count == 0 and shadow[m.end() : m.end() + 1] == "-" and shadow[m.end() + 1 : m.end() + 2].islower():
            return None  # "Dr. House-style": a word made from a name
        if count == 0 and need != "any" and word.isalpha() and len(word) > 1 and word.isupper() and (
                not g.is_latin_given(word)):
            return None  # "pesaram ADHD dare": an acronym
        if count == 0 and need == "title" and not capital and _ENGLISH_TITLE_BEFORE.search(shadow, max(0, pos - 12), pos):
            return None  # "the nurse said", "the doctor told": an English noun and a word, no title and a name
        if count == 0 and need == "title" and not capital and _LATIN_SURNAME.search(word) and len(word) > 4 and (
                not word.endswith("y")):
            capital = True  # "dr bahrami salam": a family name written in lower case
        if count == 0:
            followed = _FOLLOWS_A_NAME.match(shadow, m.end()) is not None
            if not (g.is_latin_given(word) or (capital and (need not in ("given", "intro") or followed))):
                if not capital or need != "intro":
                    return None
                pending = True  # "I'm Karwan Ahmed from Erbil": a capitalised run that a name's follower ends
        elif not (capital or g.is_latin_given(word)):
            break
        end = m.end()
        count += 1
        if shadow[end : end + 1] != " ":
            break
        cursor = end + 1
    if pending and (count < 2 or not _FOLLOWS_A_RUN.match(shadow, end)):
        return None
    return (pos, end) if end else None


# Persian family names in Latin letters end so ("Rezaei", "Farahani", "Ahmadzadeh", "Karimpour", "Tehrani")
_LATIN_SURNAME = re.compile(r"(?:[aeiou]i|[^aeiou ]i|y|ian|yan|zadeh|zade|pour|poor|nia|far|rad|nejad|nezhad|lou|loo|vand|"
                            r"doost|dust|khah|manesh|kia|abadi)$")
_LATIN_PAIR = re.compile(r"\b([A-Z][a-z]+)(?= ([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\b)")
_LATIN_CUE_AFTER = re.compile(r"\b([A-Za-z]{3,})(?:-|\s+)(?:jan|joon|jun|joun|khano+u?m|khanum|agha|dadash(?:am|esh)|"
                              r"(?:maman|baba|pesar|dokhtar|khahar|baradar|doost|hamsar|shohar)(?:am|esh|emoon))\b")
_LATIN_GLUED_AM = re.compile(r"\b(?:[Mm]an|[Mm]n)\s+([A-Za-z]{3,}?)-?(?:am|m)\b")
_NAME_BEFORE_NUMBER = re.compile(r"(?<![\w\u200c])(" + FA_WORD + r"|[A-Z][a-z]+)\s*[,،]?\s*$")
_NUMBER = re.compile(r"\+?\(?\d[\d \-]{6,}\d")


def _latin_surname(word: str) -> bool:
    g = gazetteer()
    return len(word) > 3 and word not in _EN_STOP and (g.is_latin_given(word) or bool(_LATIN_SURNAME.search(word.lower())))


# family names in Latin letters whose ending is Persian beyond doubt ("Farahani", "Hosseini", "Ahmadzadeh")
_STRONG_LATIN_SURNAME = re.compile(r"(?:[^aeiou]ani|[^aeiou]ini|eini|[^aeiou]avi|zadeh|zade|pour|poor|nejad|nezhad|doost)$")


def _unlisted_latin_given(first: str, second: str) -> bool:
    """A capitalised word the Latin lists lack ("Darius", "Ilia") before a family name of a Persian ending beyond
    doubt: a given name spelled some other way, unless the pair is a place or brand of the not-a-name list."""
    g = gazetteer()
    return (len(first) > 2 and first[1:].islower() and len(second) > 6 and second[1:].islower()
            and bool(_STRONG_LATIN_SURNAME.search(second.lower())) and not g.is_not_a_name(f"{first} {second}"))


def _latin_full_names(shadow: str) -> Iterator[tuple[int, int]]:
    """A Latin given name of the gazetteer and a word shaped like a Persian family name, wherever they stand
    ("Patient Mohammad Javadi", "Thanks to nurse Fereshteh Amini", "baraye Sina Farahani")."""
    g = gazetteer()
    for m in _LATIN_PAIR.finditer(shadow):
        first, second = m.group(1), m.group(2)
        if first in _EN_STOP or not _latin_surname(second.split("-")[0]):
            continue
        if not (g.is_latin_given(first) or _unlisted_latin_given(first, second.split("-")[0])):
            continue
        end = m.end(1) + 1 + len(second)
        third = _LATIN_WORD_RE.match(shadow, end + 1) if shadow[end : end + 1] == " " else None
        if third and third.group()[0].isupper() and _latin_surname(third.group()):
            end = third.end()  # "Mohammad Reza Ghorbani"
        yield m.start(1), end


_GLUED_CUE_WORDS = ("دکتر", "آقای", "خانم", "مادرم", "پدرم", "همسرم", "پسرم", "دخترم", "شوهرم", "خواهرم", "برادرم")
_GLUED_CUE = re.compile(r"(?:" + "|".join(_GLUED_CUE_WORDS) + ")(" + FA_WORD + r")")
_SELF_WORDS = ("من", "بنده")
_GLUED_AM = re.compile(r"(?:" + "|".join(_SELF_WORDS) + ") (" + FA_WORD + r"م)(?![\w\u200c])")
_GLUED_AM_CUES = tuple(word + " " for word in _SELF_WORDS)
_LATIN_MESSAGE_START = re.compile(r"\s*(?:(?:[Ss]alam|[Hh]i|[Hh]ello|[Hh]ey)\s*[,!.]?\s*)?([A-Z][a-z]+)\b(?![.'’-])")


def _cued_names(shadow: str) -> Iterator[tuple[int, int]]:
    """Given names with a cue of their own in Latin letters ("Negar jan", "man arasham") or a glued "am" in Persian
    ("من علیرضام"), and a given name right before a phone number ("Arezoo 0935-221-4411", "تماس با حمید ۰۹۱۲")."""
    g = gazetteer()
    if has_latin(shadow):
        start = _LATIN_MESSAGE_START.match(shadow)  # "Arash jozve ro gozashte", "Sara az dishab tab dare"
        if start and start.group(1) not in _EN_STOP and g.is_latin_given(start.group(1)) and (
                not g.is_latin_word_name(start.group(1))):
            yield start.span(1)
        for m in _LATIN_CUE_AFTER.finditer(shadow):
            if g.is_latin_given(m.group(1)):
                yield m.span(1)
        for m in _LATIN_GLUED_AM.finditer(shadow):
            if g.is_latin_given(m.group(1)):
                yield m.span(1)
    for m in _GLUED_CUE.finditer(shadow) if CUES.bits(shadow) & _GLUED_CUE_CUED else ():
        # a title or a kinship word typed without its space: "دکترکریمی"
        word = m.group(1)
        if len(word) > 2 and (m.start() == 0 or not _WORD_CHAR.match(shadow[m.start() - 1])) and (
                word in g.unambiguous_given or (m.group()[0] in "دآخ" and g.is_family(word) and word not in g.common
                                                and word not in g.ambiguous)):
            yield m.span(1)
    for m in _GLUED_AM.finditer(shadow) if any(map(shadow.__contains__, _GLUED_AM_CUES)) else ():
        word = m.group(1)
        if word[:-1] in g.unambiguous_given and word not in NAME_STOP and word not in g.common and len(word) > 3 and (
                m.start() == 0 or not _WORD_CHAR.match(shadow[m.start() - 1])):
            yield m.start(1), m.end(1) - 1
    for number in _NUMBER.finditer(shadow) if _CONTACT_NUMBER.search(shadow) else ():
        m = _NAME_BEFORE_NUMBER.search(shadow, max(0, number.start() - 25), number.start())
        word = m.group(1) if m else ""
        if m and word not in NAME_STOP and word not in _EN_STOP and (g.is_given(word) or g.is_latin_given(word)):
            yield m.span(1)


_LIST_NEXT = re.compile(r"(?:\s*[،,]\s*|\s+(?:و|and|va|&)\s+)(" + FA_WORD + r"|[A-Z][a-z]+)(?![\w\u200c])")
_LIST_PREVIOUS = re.compile(r"(?<![\w\u200c])(" + FA_WORD + r"|[A-Z][a-z]+)(?:\s*[،,]\s*|\s+(?:و|and|va|&)\s+)$")


def _listed_with(shadow: str, names: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Given names listed with a name found ("دوقلوهام حسنا و حنانه", "رسول، حامد، مجید پورعلی، شبنم و ...",
    "Niloofar va Behnaz"): the list is followed both ways while its words are given names."""
    g = gazetteer()

    def given(word: str) -> bool:
        return word not in NAME_STOP and word not in _EN_STOP and (g.is_given(word) or (
            word[0].isupper() and g.is_latin_given(word)))

    found: list[tuple[int, int]] = []
    for start, end in names:
        cursor = end
        while (m := _LIST_NEXT.match(shadow, cursor)) and given(m.group(1)):
            found.append(m.span(1))
            cursor = m.end(1)
        cursor = start
        while (m := _LIST_PREVIOUS.search(shadow, max(0, cursor - 30), cursor)) and given(m.group(1)):
            found.append(m.span(1))
            cursor = m.start(1)
    return found
_CONTACT_NUMBER = re.compile(r"\d(?:[\d \-.]?\d){7,}")  # a message that gives a number and ends with a name
_THANKS = re.compile(r"ممنون|مرسی|تشکر|سپاس|متشکر|قربان|خدا\s*(?:خیر|حفظ)|التماس\s+دعا")


def _signature(text: str) -> bool:
    """A message's last words that are its writer's name without thanks before them ("... بیاید. جمالی", "🙏 رویا"):
    a given name no word of the crawl, or a family name made from a name (:func:`_family_from_a_name`), and no
    word of the crawl after it."""
    g = gazetteer()
    words = text.split()
    plain = [w for w in words if w not in g.ambiguous and w not in g.common and w not in g.name_words]
    return len(plain) == len(words) and (words[0] in g.unambiguous_given or _family_from_a_name(words[0]))


def _family_from_a_name(word: str) -> bool:
    """A family name of the gazetteer shaped as one beyond doubt: a strong ending (``…زاده``, ``…پور``, ``…یان``) or
    a name and ``ی`` (``جمالی``: ``جمال``); family names that are words (``تنها``, ``عالی``) are neither."""
    g = gazetteer()
    if not g.is_family(word) or word in g.common or word in g.ambiguous:
        return False
    if len(word) > 4 and _STRONG_SURNAME_END.search(word):
        return True
    stem = word[:-1]
    return word.endswith("ی") and len(stem) > 2 and (g.is_given(stem) or g.is_family(stem))


def _all_names(text: str) -> bool:
    """Every word of ``text`` is a given or family name (a message that ends with its writer's name)."""
    g = gazetteer()
    return all(g.is_given(w) or g.is_family(w) or w in _SURNAME_PARTS for w in text.split())


def _name_before(shadow: str, end: int) -> Iterator[tuple[int, int]]:
    """The name that ends at ``end`` (up to three words): a given name, then family names or family-name-shaped
    words."""
    words = list(_FA_WORD_RE.finditer(shadow, max(0, end - 60), end))
    words = [w for w in words if w.end() <= end][-3:]
    for i, first in enumerate(words):
        if shadow[first.end() : words[i + 1].start() if i + 1 < len(words) else end].strip(" \u200c،,"):
            continue  # not one run of words up to the cue
        before = shadow[max(0, first.start() - 12) : first.start()]
        if not _CLAUSE_START.search(before):
            continue  # "درد عادی هستم" describes; "، گلاره هستم" names
        span = _fa_name_at(shadow, first.start(), "person")
        if span and span[1] >= words[-1].end():
            yield span
            return


_MAX_CACHED_WORDS = 200_000


def _in_one_word(cue: str) -> bool:
    return not any(ch.isspace() or ch in EDGE_PUNCTUATION for ch in cue)


class CueIndex:
    """Which rules' cues a text holds, for the rules that scan a text only when it holds one of their cues: each rule
    adds its cues (:meth:`add`) and gets a bit, set in :meth:`bits` when the text holds one of them (or when the rule
    has none). A rule may add a test of words instead (:meth:`add_word_test`): its bit is set when one of the text's
    plain words passes it.

    A cue without a space or an edge punctuation mark is in a text only if one of the text's plain words
    (:func:`plain_words`, which the name model and the full names split the text into too) holds it, and which bits a
    word sets is kept, as most words come back text after text: one look-up a word for all the rules instead of a
    search of the text for each cue. The other cues (":", "من و") are searched for in the text."""

    def __init__(self) -> None:
        self._word_cues: list[tuple[int, tuple[str, ...]]] = []
        self._word_tests: list[tuple[int, Callable[[str], bool]]] = []
        self._text_cues: list[tuple[int, tuple[str, ...]]] = []
        self._always = 0
        self._count = 0
        self._word_bits: dict[str, int] = {}
        self.bits = functools.lru_cache(maxsize=4)(self._bits)  # (the few texts in flight: each rule asks)

    def _new_bit(self) -> int:
        self._count += 1
        self._word_bits.clear(), self.bits.cache_clear()  # (read without the new rule)
        return 1 << (self._count - 1)

    def add(self, cues: tuple[str, ...]) -> int:
        """Add a rule's cues (case-sensitive); returns the rule's bit."""
        bit = self._new_bit()
        self._word_cues.append((bit, tuple(cue for cue in cues if _in_one_word(cue))))
        if text_cues := tuple(cue for cue in cues if not _in_one_word(cue)):
            self._text_cues.append((bit, text_cues))
        if not cues:
            self._always |= bit
        return bit

    def add_word_test(self, test: Callable[[str], bool]) -> int:
        """Add a rule's test of words (a function of the word alone); returns the rule's bit."""
        bit = self._new_bit()
        self._word_tests.append((bit, test))
        return bit

    def _bits_of_word(self, word: str) -> int:
        return sum(bit for bit, cues in self._word_cues if any(map(word.__contains__, cues))) | sum(
            bit for bit, test in self._word_tests if test(word))

    def _bits(self, shadow: str) -> int:
        words = plain_words(shadow)[1]
        word_bits = self._word_bits
        if len(word_bits) > _MAX_CACHED_WORDS:  # a bounded memory over a whole corpus
            word_bits.clear()
        known = list(map(word_bits.get, words))  # (one look-up a word: most words are met again and again)
        if None in known:  # words met for the first time
            for word in words:
                if word not in word_bits:
                    word_bits[word] = self._bits_of_word(word)
            known = list(map(word_bits.__getitem__, words))
        bits = functools.reduce(operator.or_, known, self._always)
        for bit, cues in self._text_cues:
            if not bits & bit and any(map(shadow.__contains__, cues)):
                bits |= bit
        return bits


# the cues of the rules that scan a text only when it holds one of them, here and in hub_tools.data.redact
CUES = CueIndex()
_CONTEXT_CUED = tuple(CUES.add(cues) for cues in _FA_CONTEXT_CUES)
_JAN_CUED = CUES.add(_JAN_WORDS)
_GLUED_CUE_CUED = CUES.add(_GLUED_CUE_WORDS)
# a word the shipped name model scores in context (its own score reaches the gate), and a given name no word of the
# crawl: a text with neither leaves the model and the full names nothing to look at (the model is read on the first
# text, for the rules alone too)
_SHIPPED_MODEL_WORD = CUES.add_word_test(lambda word: shipped_model().own_score(word) >= shipped_model().gate)
_UNAMBIGUOUS_GIVEN_WORD = CUES.add_word_test(lambda word: word in gazetteer().unambiguous_given)


def _fa_names(shadow: str) -> Iterator[tuple[int, int]]:
    cued = CUES.bits(shadow)
    for (pattern, need), bit in zip(_FA_CONTEXTS, _CONTEXT_CUED):
        if not cued & bit:
            continue  # none of the words this context starts from: no need to scan
        for m in pattern.finditer(shadow):
            span = _fa_name_at(shadow, m.end(), need)
            # (the name is read first: most contexts are followed by no name, and then the words before don't matter)
            if span and not _NOT_A_PERSON_BEFORE.search(shadow, max(0, m.start() - 15), m.start()):
                yield span
    # a given name with its own cue: "مریم هستم", "بهاره جان", "زری خانم"
    for start in [0] + [m.end() for m in _SENTENCE_END.finditer(shadow)]:
        m = _SENTENCE_START.match(shadow, start)
        span = _fa_name_at(shadow, m.end(), "given") if m else None
        if span and _GIVEN_CUE_AFTER.match(shadow, span[1]):
            yield span
    for m in _JAN.finditer(shadow) if cued & _JAN_CUED else ():
        # "بهاره جان", "سهیلا خانم": the cue allows a given name that is a word too
        word = _FA_WORD_BEFORE.search(shadow, max(0, m.start() - 20), m.start())
        if word and word.group() not in NAME_STOP and (gazetteer().is_given(word.group()) or (
                word.group() in gazetteer().name_words and shadow[m.start() + 1 : m.start() + 3] in ("جا", "جو"))):
            yield word.span()  # a word-name before "جان" ("باران جان") is a name too
    if "هست" in shadow:
        for m in _HASTAM.finditer(shadow):  # "، گلاره هستم", "فرزانه عبدالله زاده هستم"
            yield from _name_before(shadow, len(shadow[: m.start()].rstrip(" ،,")))
    end = _FA_END.search(shadow[-60:])
    if end:
        offset = len(shadow) - len(shadow[-60:])
        thanked = _THANKS.search(shadow[-120:]) or _CONTACT_NUMBER.search(shadow)
        span = _fa_name_at(shadow, offset + end.start(1), "given" if thanked else "titled")
        if span and _all_names(shadow[span[0] : span[1]]) and (thanked or _signature(shadow[span[0] : span[1]])):
            yield span


_FA_PAIR_AFTER = re.compile(r" (" + FA_WORD + r")(?![\w\u200c])")
_WORD_CHAR = re.compile(r"[\w\u200c]")
# ... and before a pair: an eye disease's first word ("آب مروارید تاری دید", cataract: مروارید + an ordinary word)
_NOT_A_PERSON_BEFORE_PAIR = re.compile(r"(?<![\w\u200c])(?:شهید|امام|حضرت|امامزاده|آیت\s*الله|بیمارستان|کوچه|خیابان|آب)\s*$")






_ZWNJ_WORD = re.compile(r"[^\s\u200c]{2,}\u200c[^\s\u200c]{2,}(?!\S)")


def _given_words(shadow: str) -> frozenset[str]:
    """The words of ``shadow`` (split at spaces and at the punctuation at their edges: "«مرتضی" is "مرتضی") that are
    given names no word of the crawl, double names joined by a ZWNJ included ("نازنین‌زهرا")."""
    g = gazetteer()
    text, words = plain_words(shadow)
    found = g.unambiguous_given.intersection(words) if CUES.bits(shadow) & _UNAMBIGUOUS_GIVEN_WORD else frozenset()
    if "\u200c" in text:  # two given names joined by a ZWNJ that the lists hold spaced or not at all ("نازنین‌زهرا")
        found |= {w for w in _ZWNJ_WORD.findall(text) if w not in g.common and g.is_given(w)}
    return found


def _full_names(shadow: str) -> Iterator[tuple[int, int]]:
    """A given name and a family name side by side, wherever they stand ("پرونده ۴۷۸۲۳۱، عبدالله حسن‌زاده،"): the
    given name no word of the crawl, the second word a family name of the gazetteer (and no given name) or shaped
    like one by a strong ending (``…زاده``, ``…پور``, ``…یان``)."""
    for first in _given_words(shadow):
        start = shadow.find(first)
        while start >= 0:
            end = start + len(first)
            whole = (start == 0 or not _WORD_CHAR.match(shadow[start - 1])) and not _WORD_CHAR.match(
                shadow[end : end + 1] or " ")
            pair = _FA_PAIR_AFTER.match(shadow, end) if whole else None
            if pair:
                yield from _full_name_at(shadow, start, first, pair.group(1))
            if whole and first not in NAME_STOP and _given_in_context(shadow, start, end) and not (
                    _NOT_A_PERSON_BEFORE_PAIR.search(shadow, max(0, start - 15), start)):
                yield start, end
            start = shadow.find(first, end)


# words right before a given name that make it a person's: a preposition of a message about someone ("برای آیلار
# هم نوبت بدید", "تبریک به علیرضا"; not "به"/"با", which the name lists' word-like entries follow too often), a kinship word used as a title ("خاله پروین", "عمو جمشید",
# "داداش سهیل"), a role ("پرستار زینب"); words right after it: a kinship word ("بردیا پسرم", "مرتضی پسرخاله‌ام")
_CUE_BEFORE_GIVEN = frozenset(
    """برای واسه واسه‌ی تبریک شفای خاله عمو عمه دایی داداش آبجی مامان بابا زن‌عمو زن‌دایی شوهرخاله شوهرعمه
    مادربزرگ پدربزرگ مامان‌بزرگ بابابزرگ پرستار منشی همکار همکارم دوستم عزیزم تحویل‌دهنده تحویل‌گیرنده
    همراه‌ش همراهش همراهشون""".split()
)
# a bed or a room of a ward right before a given name: "تخت ۲ یاسین ۴ ساله" (a handover note names its patients so)
_BED_BEFORE = re.compile(r"(?<![\w\u200c])(?:تخت|اتاق)\s*\d{1,3}\s*[،,:]?\s*$")
# "به نیلوفر بگو", "با نیما بفرست": a given name between "به"/"با" and a verb of passing something on
_PASS_ON_AFTER = re.compile(r"\s+(?:هم\s+)?(?:بگو|بگید|بگین|بگه|بفرست|بفرستید|بده|بدید|زنگ|پیام|خبر|اطلاع|هماهنگ)(?![\w])")
# a kinship word of someone's right before a given name (no word of the crawl), its age between or not
_KIN_BEFORE = re.compile(r"(?<![\w\u200c])" + _KIN_STEMS + r"(?:م|\u200cم|\u200cام|ام|ش|\u200cاش|مون|\u200cمون|شون|\u200cشون)?"
                         r"(?:\s+\d{1,3}\s*ساله)?(?:\s+|\s*[(«]\s*)$")
_PREVIOUS_WORD = re.compile(r"(?<![\w\u200c])(" + FA_WORD + r")[ ]$")
_CONGRATULATE_BEFORE = re.compile(r"(?:تبریک|سلام\s+برسون(?:ید|ین)|بگید|بگین|خبر\s+بدید)\s*$")
_KIN_AFTER = re.compile(r"\s*[،,]?\s*" + _KIN_STEMS + r"(?:م|\u200cام|ام|\u200cم|مون|\u200cمون)(?![\w\u200c])")
_ADDRESSED_AFTER = re.compile(r"\s*[،,:!]|\s+و\s")
_MESSAGE_START = re.compile(r"\s*(?:[«\"(]\s*)?(?:(?:سلام|درود|salam|hi|hello)\s*[،,!.]?\s*)?", re.IGNORECASE)


def _given_in_context(shadow: str, start: int, end: int) -> bool:
    """Whether the given name at ``shadow[start:end]`` (no word of the crawl) stands where a person is meant: after
    a word of :data:`_CUE_BEFORE_GIVEN`, before a kinship word, or opening the message ("سارا و سامان
    دوقلوهامن", "نازنین‌زهرا دخترم ۴ سالشه")."""
    before = _PREVIOUS_WORD.search(shadow, max(0, start - 14), start)
    if before and before.group(1) in _CUE_BEFORE_GIVEN:
        return True
    if _KIN_BEFORE.search(shadow, max(0, start - 25), start):
        return True  # "پسرم آرسام ۳ سالشه", "مادر سحر", "بچه ۴ ساله آیلین", "برادر (فرامرز، ۳۵ سالگی)"
    if _BED_BEFORE.search(shadow, max(0, start - 12), start):
        return True
    if before and before.group(1) in ("به", "با") and _PASS_ON_AFTER.match(shadow, end):
        return True
    if before and before.group(1) == "به" and _CONGRATULATE_BEFORE.search(shadow, max(0, start - 25), before.start()):
        return True  # "تبریک به علیرضا", "سلام برسونید به مریم"
    if _KIN_AFTER.match(shadow, end):
        return True
    # opening the message, addressed or listed: "سارا و سامان دوقلوهامن", "رویا، فردا میای؟"
    return _MESSAGE_START.match(shadow).end() == start and bool(_ADDRESSED_AFTER.match(shadow, end))


def _full_name_at(shadow: str, start: int, first: str, second: str) -> Iterator[tuple[int, int]]:
    g = gazetteer()
    # a family name that is also an ordinary word ("مقدم", "جعفری", "صدر") still counts after a given name no word
    # of the crawl; the ambiguous words that are no family name do not
    if first in NAME_STOP or second in NAME_STOP or second in g.common or (
            second in g.ambiguous and not g.is_family(second)):
        return
    if not (g.is_family(second) or (len(second) > 4 and _STRONG_SURNAME_END.search(second))
            or _unknown_family_name(second)):
        return
    if _NOT_A_PERSON_BEFORE.search(shadow, max(0, start - 15), start) or \
            _NOT_A_PERSON_BEFORE_PAIR.search(shadow, max(0, start - 15), start):
        return
    span = _fa_name_at(shadow, start, "person")
    if span:
        yield span


def _latin_names(shadow: str) -> Iterator[tuple[int, int]]:
    text = lowered(shadow)
    for (pattern, need), cues in zip(_EN_CONTEXTS, _EN_CONTEXT_CUES):
        if not any(map(text.__contains__, cues)):
            continue
        for m in pattern.finditer(shadow):
            if need == "title" and _POSTPOSED_TITLE.match(m.group()) and _LATIN_NAME_BEFORE.search(
                    shadow, max(0, m.start() - 20), m.start()):
                continue  # "Mahboobeh khanum preeklampsi": the title follows its name
            span = _latin_name_at(shadow, m.end(), need)
            if span:
                yield span
    g = gazetteer()
    for m in _EN_HERE.finditer(shadow) if "here" in text or "hastam" in text else ():
        name = m.group(1)
        if name[0].isupper() and name.split()[0] not in _EN_STOP or g.is_latin_given(name):
            yield m.span(1)
    end = _EN_THANKS_END.search(shadow[-40:])
    if end and gazetteer().is_latin_given(end.group(1)):
        offset = len(shadow) - len(shadow[-40:])
        yield offset + end.start(1), offset + end.end(1)


# Persian titles written after the name in Finglish ("Mahboobeh khanum", "Reza agha"), and the name before one
_POSTPOSED_TITLE = re.compile(r"(?i)(?:khano?o?u?m|agha)\s")
_LATIN_NAME_BEFORE = re.compile(r"\b[A-Z][a-z]+\s+$")
_ENGLISH_TITLE_BEFORE = re.compile(r"\b(?:doctor|nurse|resident|attending|family)\s+$")


_INSTITUTION_AFTER = re.compile(r" (?:[Hh]ospital|[Cc]linic|[Ss]treet|[Aa]venue|[Bb]oulevard|[Ss]quare|[Uu]niversity|"
                                r"[Cc]ent(?:er|re)|[Ll]aboratory|[Pp]harmacy|[Mm]edical [Cc]ent|[Ii]nstitute|[Ff]oundation)\b")


_INSTITUTION_BEFORE = re.compile(_NOT_A_PERSON_BEFORE.pattern.removesuffix(r"\s*$")
                                 + r"\s*(?:(?:دکتر|شهید|آیت\s*الله|امام|حضرت)\s+)?$")


_INSTITUTION_BEFORE_LATIN = re.compile(r"(?i)\b(?:bimarestan|hospital|clinic|kelinik|daneshgah|khiaboo?n|kooche|"
                                       r"meydan|boulevard|markaz|darmangah|hazrat|emam|imam|shahid)(?:-?e|\s+e)?\s+$")


# a personal title, a kinship word or a self-introduction right before a name: a person of the message, whatever
# the public figure of the same name ("my neighbour Mr Barnard", "همسایه‌مون آقای بارنارد"); "Dr"/"دکتر" are not
# (the historical physicians are cited with it: "Dr. Paul Langerhans")
_PERSONAL_BEFORE = re.compile(
    r"(?:(?<![A-Za-z])(?:Mr|Mrs|Ms|Miss|mr|mrs|ms)\.?|\b(?:[Tt]his is|I am|I'm)|\b" + _EN_KIN + r"\s*,?"
    r"|(?<![\w\u200c])(?:آقای|آقا|خانم|جناب|سرکار|من|اینجانب|" + _KIN + r"))\s+$")


def _public_figure(shadow: str, start: int, end: int) -> bool:
    """A public figure of the allow-list (``Paul Langerhans``, ``ابن سینا``) not named as a person of the message."""
    return gazetteer().is_public_figure(shadow[start:end]) and not _PERSONAL_BEFORE.search(
        shadow, max(0, start - 40), start)


def _institution(shadow: str, start: int, end: int) -> bool:
    """The words name a hospital, a street or a clinic ("بیمارستان میلاد", "Masih Daneshvari Hospital")."""
    return bool(_INSTITUTION_BEFORE.search(shadow, max(0, start - 30), start)
                or _INSTITUTION_BEFORE_LATIN.search(shadow, max(0, start - 20), start)
                or _INSTITUTION_AFTER.match(shadow, end))


_ANY_LATIN = re.compile(r"[A-Za-z]")


@functools.lru_cache(maxsize=4)
def has_latin(shadow: str) -> bool:
    """Whether ``shadow`` holds a Latin letter; cached for the few texts in flight, as the redaction's finders and the
    name rules ask it of the same text (a scan of the whole text each time otherwise)."""
    return _ANY_LATIN.search(shadow) is not None


@functools.lru_cache(maxsize=4)
def lowered(shadow: str) -> str:
    """``shadow`` in lower case (``shadow`` itself when that changes nothing, whose :func:`has_latin` is known then);
    cached for the few texts in flight, as several rules look for their cues in it."""
    lower = shadow.lower()
    return shadow if lower == shadow else lower


def _occurrences(shadow: str, name: str) -> Iterator[tuple[int, int]]:
    """Where ``name`` stands as a whole word (a str.find scan: no pattern compiled per name)."""
    start = shadow.find(name)
    while start >= 0:
        end = start + len(name)
        if (start == 0 or not shadow[start - 1].isalnum() and shadow[start - 1] != "_") and (
                end == len(shadow) or not shadow[end].isalnum() and shadow[end] != "_"):
            yield start, end
        start = shadow.find(name, start + 1)


def find_names(shadow: str, model: NameModel | str | None = SHIPPED) -> Iterator[tuple[int, int]]:
    """(start, end) of each person's name in ``shadow`` (spans may overlap; the caller keeps the first): the rules,
    OR-ed with the learned ``model`` (:mod:`hub_tools.data.name_model`; the packaged one by default, ``None`` for
    the rules alone)."""
    g = gazetteer()
    found = list(_fa_names(shadow))
    learned = resolve(model)
    if learned is not None and (model != SHIPPED or CUES.bits(shadow) & _SHIPPED_MODEL_WORD):
        found += list(learned.find(shadow))
    found += list(_full_names(shadow))
    if has_latin(shadow):
        found += list(_latin_names(shadow))
        found += list(_latin_full_names(shadow))
    found += list(_cued_names(shadow))
    merged: list[list[int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1] and shadow[merged[-1][1] : start].strip() == "":
            merged[-1][1] = max(merged[-1][1], end)
        elif merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    kept = [(start, end) for start, end in merged
            if not _public_figure(shadow, start, end) and not g.is_not_a_name(shadow[start:end])
            and not _institution(shadow, start, end)]
    for i, (start, end) in enumerate(kept):  # "سید جواد موسوی‌نژاد": the honorific is part of the name
        prefix = _HONORIFIC_BEFORE.search(shadow, max(0, start - 8), start)
        if prefix:
            kept[i] = (prefix.start(), end)
    kept += _listed_with(shadow, kept)
    yield from kept
    # the same name elsewhere in the text ("خواهرم مهسا و شوهرش کامران ... اسپرموگرام کامران")
    # (not a given name that is an ordinary word first: "من امید هستم. امید دارم ...")
    for name in {shadow[start:end] for start, end in kept if end - start > 2} - g.ambiguous:
        yield from _occurrences(shadow, name)
