"""Red-flag detection and the emergency guidance shown before the model answers (pure, no model, no network).

    >>> detect_red_flags("درد قفسه سینه دارم و عرق سرد کرده‌ام")
    ['chest_pain']

Matching is keyword based on a normalised text: Arabic letter forms are mapped to Persian ones (ي→ی, ك→ک, …),
diacritics and tatweel are removed, and Persian keywords are compared with spaces and ZWNJ removed, so
"می‌خواهم بمیرم", "میخواهم بمیرم" and "مي خواهم بميرم" all match. English keywords match on word boundaries.
A miss is possible; a keyword list is a safety net, not a triage system, and the disclaimer says so.

Emergency numbers (Iran):
- 115: the national medical emergency number (Emergency Medical Services, Iran's Ministry of Health and Medical
  Education, Emergency Medical Management Center, https://ems.behdasht.gov.ir).
- 123: "Social Emergency" (اورژانس اجتماعی) and 1480: the "Voice of the Counsellor" (صدای مشاور) telephone
  counselling line, both run and published by Iran's State Welfare Organization (https://www.behzisti.ir).
No other numbers are given: only those above come from sources we are confident about.
"""

from __future__ import annotations

import re
import unicodedata


EMERGENCY_NUMBER = "115"
SOCIAL_EMERGENCY_NUMBER = "123"
COUNSELLING_LINE = "1480"

# Arabic letter forms commonly typed on Arabic keyboards -> the Persian letters the keywords use.
_LETTER_MAP = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ك": "ک",
        "ة": "ه",
        "ۀ": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
    }
)
# Harakat, superscript alef and tatweel carry no meaning for matching.
_DROP = re.compile("[\u064b-\u065f\u0670\u0640]")
_SPACES = re.compile(r"[\s\u200c\u200d\u200e\u200f\u00a0]+")

# category -> (Persian keywords, English keywords). Persian keywords are normalised like the text at import.
RED_FLAGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "suicide": (
        ("خودکشی", "خودم را بکشم", "خودمو بکشم", "خودم رو بکشم", "می‌خواهم بمیرم", "میخوام بمیرم",
         "نمی‌خواهم زنده باشم", "نمیخوام زنده باشم", "به زندگی‌ام پایان", "به زندگیم پایان", "آرزوی مرگ",
         "رگم را بزنم", "رگمو بزنم", "به خودم آسیب"),
        ("suicide", "suicidal", "kill myself", "end my life", "want to die", "self-harm", "self harm",
         "hurt myself", "no reason to live"),
    ),
    "chest_pain": (
        ("درد قفسه سینه", "درد سینه", "سینه‌ام درد", "سینه درد", "فشار در سینه", "فشار روی سینه", "حمله قلبی",
         "سکته قلبی", "تنگی قفسه سینه"),
        ("chest pain", "chest pains", "chest tightness", "pressure in my chest", "heart attack", "crushing chest"),
    ),
    "stroke": (
        ("سکته مغزی", "سکته کرده", "افتادگی صورت", "کج شدن صورت", "کجی صورت", "کج شدن دهان", "بی‌حسی یک طرف",
         "ضعف یک طرف", "فلج یک طرف", "بی‌حسی ناگهانی", "ضعف ناگهانی", "زبانش بند آمده", "نمی‌تواند حرف بزند",
         "اختلال ناگهانی تکلم"),
        ("stroke", "face drooping", "facial droop", "slurred speech", "sudden numbness", "sudden weakness",
         "one side of my body", "one side of his body", "one side of her body", "can't speak suddenly"),
    ),
    "poisoning": (
        ("مسمومیت", "مسموم", "سم خورده", "سم خوردم", "اوردوز", "قرص زیادی خورده", "قرص زیاد خورده",
         "تعداد زیادی قرص", "گازگرفتگی", "گاز گرفتگی", "مونوکسید کربن", "متانول", "الکل تقلبی",
         "سفیدکننده خورده", "وایتکس خورده", "نفت خورده"),
        ("poison", "poisoned", "poisoning", "overdose", "overdosed", "carbon monoxide", "swallowed bleach",
         "drank bleach", "too many pills", "methanol"),
    ),
    "bleeding": (
        ("خونریزی شدید", "خونریزی زیاد", "خونریزی بند نمی‌آید", "خونریزی بند نمیاد", "خونریزی قطع نمی‌شود",
         "خون بند نمی‌آید", "خون بند نمیاد", "استفراغ خونی", "استفراغ خون", "خون بالا آوردم", "خون بالا آورده",
         "سرفه خونی"),
        ("heavy bleeding", "bleeding heavily", "severe bleeding", "bleeding a lot", "won't stop bleeding",
         "bleeding won't stop", "bleeding that won't stop", "can't stop the bleeding", "vomiting blood",
         "coughing up blood"),
    ),
}

# Shown in the chat header and the About tab.
DISCLAIMER_FA = (
    "گائوکرنا یک مدل زبانی پژوهشی است و جایگزین پزشک نیست. پاسخ‌ها ممکن است نادرست باشند. "
    "برای تشخیص و درمان به پزشک مراجعه کنید. در موارد اورژانسی با ۱۱۵ تماس بگیرید."
)
DISCLAIMER_EN = (
    "Gaokerena is a research language model, not a doctor. Its answers can be wrong. "
    "See a physician for diagnosis and treatment. In an emergency in Iran, call 115."
)

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
}


def normalize_text(text: str) -> str:
    """NFKC, Arabic→Persian letter forms, no diacritics/tatweel, lower case, whitespace and ZWNJ as one space."""
    text = unicodedata.normalize("NFKC", text).translate(_LETTER_MAP)
    text = _DROP.sub("", text).lower()
    return _SPACES.sub(" ", text).strip()


def _squash(text: str) -> str:
    return text.replace(" ", "")


_PERSIAN = {cat: tuple(_squash(normalize_text(k)) for k in fa) for cat, (fa, _) in RED_FLAGS.items()}
_ENGLISH = {
    cat: re.compile(r"\b(?:" + "|".join(re.escape(normalize_text(k)) for k in en) + r")\b")
    for cat, (_, en) in RED_FLAGS.items()
}


def detect_red_flags(text: str) -> list[str]:
    """The red-flag categories ``text`` mentions, in the order of :data:`RED_FLAGS` (empty for benign text)."""
    normal = normalize_text(text)
    squashed = _squash(normal)
    found = []
    for category in RED_FLAGS:
        if any(k in squashed for k in _PERSIAN[category]) or _ENGLISH[category].search(normal):
            found.append(category)
    return found


def emergency_message(categories: list[str]) -> str:
    """Markdown emergency guidance (Persian, then English) for the detected categories; "" when none."""
    if not categories:
        return ""
    fa = "\n".join(f"- {_GUIDANCE[c][0]}" for c in categories)
    en = "\n".join(f"- {_GUIDANCE[c][1]}" for c in categories)
    return (
        "**⚠️ هشدار اورژانسی — اورژانس پزشکی: ۱۱۵**\n\n"
        f"{fa}\n\n"
        "**⚠️ Emergency — Iran medical emergency: 115**\n\n"
        f"{en}\n\n---\n\n"
    )
