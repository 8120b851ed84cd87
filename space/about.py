"""Texts of the Space: header, About tab, citation (Markdown; no logic)."""

from __future__ import annotations

from hub_tools.folding import PERSIAN_DIGITS
from space.safety import (
    COUNSELLING_LINE, DISCLAIMER_EN, DISCLAIMER_FA, EMERGENCY_NUMBER, MEASURED, SOCIAL_EMERGENCY_NUMBER,
)  # fmt: skip
from space.settings import Settings


PAPER_URL = "https://arxiv.org/abs/2505.16000"
CODE_URL = "https://github.com/Mehrdadghassabi/Gaokerena"
BASE_MODEL = "CohereLabs/aya-expanse-8b"

CITATION = """@article{ghassabi2025gaokerena,
  title   = {Leveraging Online Data to Enhance Medical Knowledge in a Small Persian Language Model},
  author  = {Ghassabi, Mehrdad and others},
  journal = {arXiv preprint arXiv:2505.16000},
  year    = {2025},
  url     = {https://arxiv.org/abs/2505.16000}
}"""

DATASETS = (  # (repo, English, Persian)
    ("gaokerena/medical_corpus", "Persian medical text (about 90M tokens) used for continued pretraining",
     "متن پزشکی فارسی (حدود ۹۰ میلیون توکن) برای ادامه پیش‌آموزش"),
    ("gaokerena/MF3QA", "Persian medical question–answer pairs from Persian health sites, for instruction tuning",
     "پرسش و پاسخ‌های پزشکی از وبگاه‌های سلامت فارسی، برای تنظیم دستوری"),
    ("gaokerena/MMLU-fa", "Persian translation of six medical MMLU subjects (1,089 questions)",
     "ترجمه فارسی شش درس پزشکی MMLU (۱۰۸۹ پرسش)"),
    ("gaokerena/IBMSEE", "Iranian Basic Medical Sciences Entrance Exam, Sept 2023 (168 questions, pass mark 36%)",
     "آزمون علوم پایه پزشکی ایران، شهریور ۱۴۰۲ (۱۶۸ پرسش، نمره قبولی ۳۶٪)"),
    ("gaokerena/K-QA-fa", "Persian translation of K-QA, free-form answers with must-have statements (201 questions)",
     "ترجمه فارسی K-QA، پاسخ‌های آزاد با گزاره‌های ضروری (۲۰۱ پرسش)"),
)


def header_html(settings: Settings) -> str:
    """Title plus the bilingual medical disclaimer shown above the tabs."""
    return (
        "<div class='gk-header'>"
        "<h1>Gaokerena · گائوکرنا</h1>"
        "<p dir='rtl' lang='fa'>دستیار پزشکی فارسی‌زبان، بر پایه aya-expanse-8b</p>"
        f"<div class='gk-disclaimer' role='note'><p dir='rtl' lang='fa'>⚠️ {DISCLAIMER_FA}</p>"
        f"<p dir='ltr' lang='en'>⚠️ {DISCLAIMER_EN}</p></div></div>"
    )


def persian_digits(text: str) -> str:
    """``text`` with its ASCII digits written in Persian (۱۱۵ for 115)."""
    return text.translate(str.maketrans("0123456789", PERSIAN_DIGITS))


def _call(number: str, label: str) -> str:
    """A tap-to-call link (a phone dials it) showing ``label``."""
    return f"<a href='tel:{number}'>{label}</a>"


def emergency_line_html() -> str:
    """The emergency numbers, one short bilingual line kept above the message box at all times: medical emergency
    115; for self-harm the social emergency 123 and the counselling line 1480 (numbers from ``space.safety``)."""
    emergency, social, counselling = EMERGENCY_NUMBER, SOCIAL_EMERGENCY_NUMBER, COUNSELLING_LINE
    fa = (f"🚑 اورژانس: {_call(emergency, persian_digits(emergency))} · خودآزاری: "
          f"{_call(social, persian_digits(social))} و {_call(counselling, persian_digits(counselling))}")
    en = (f"Emergency: {_call(emergency, emergency)} · Self-harm: {_call(social, social)}, "
          f"{_call(counselling, counselling)}")
    return (f"<div class='gk-emergency-line' role='note' aria-label='Emergency numbers'>"
            f"<span dir='rtl' lang='fa'>{fa}</span><span class='gk-sep' aria-hidden='true'> | </span>"
            f"<span dir='ltr' lang='en'>{en}</span></div>")


def safety_figures_markdown() -> tuple[str, str]:
    """(Persian, English) paragraphs stating the emergency net's measured recall and false-alarm rate."""
    recall, alarms = 100 * MEASURED["recall"], 100 * MEASURED["false_alarm_rate"]
    blind = 100 * MEASURED["blind_recall"]
    fa = (
        f"پیش از پاسخ مدل، پیام‌ها برای نشانه‌های اورژانسی (درد قفسه سینه، سکته مغزی، تنگی نفس، آنافیلاکسی، "
        f"مسمومیت، خونریزی، تشنج و بیهوشی، سوختگی، اورژانس بارداری، تب نوزاد، خودکشی) بررسی می‌شوند. روی مجموعه "
        f"برچسب‌خورده ما ({MEASURED['messages']} پیام فارسی، انگلیسی و آمیخته) این بررسی **{recall:.1f}٪** "
        f"موارد اورژانسی را پیدا می‌کند و در **{alarms:.1f}٪** پیام‌های غیراورژانسی هشدار نابه‌جا می‌دهد. "
        f"قواعد با همین مجموعه نوشته شده‌اند؛ روی پیام‌های تازه‌ای که پیش‌تر ندیده بودند فقط حدود {blind:.0f}٪ "
        "را پیدا کردند. پس این یک تور ایمنی است، نه تریاژ: در اورژانس همیشه با ۱۱۵ تماس بگیرید."
    )
    en = (
        "Before the model answers, each message is checked for emergency red flags (chest pain, stroke, "
        "breathing, anaphylaxis, poisoning, bleeding, seizure or unconsciousness, burns, pregnancy emergencies, "
        f"fever in a young baby, suicide). On our labelled set ({MEASURED['messages']} Persian, English and mixed "
        f"messages) it catches **{recall:.1f}%** of emergencies with **{alarms:.1f}%** false alarms. The rules were "
        f"written with that set in view; on new phrasings they had not seen, they caught only about {blind:.0f}%. "
        "It is a safety net, not triage: in an emergency always call 115."
    )
    return fa, en


def about_markdown(settings: Settings) -> str:
    """The About tab in English: model, safety figures, datasets, paper, licence, citation; links on the given Hub."""
    hub = settings.hub_url
    revision = f" (revision `{settings.revision}`)" if settings.revision else ""
    datasets = "\n".join(f"- [{repo}]({hub}/datasets/{repo}): {text}" for repo, text, _ in DATASETS)
    return f"""
## The model

**Gaokerena** is a Persian medical language model: [{BASE_MODEL}]({hub}/{BASE_MODEL}) adapted with LoRA in two
stages (continued pretraining on a Persian medical corpus, then instruction tuning on medical questions and
answers) and merged. This Space serves [{settings.model_id}]({hub}/{settings.model_id}){revision}.

{DISCLAIMER_EN}

## Emergency safety net

{safety_figures_markdown()[1]}

## Datasets

{datasets}

Leaderboard results are read from [{settings.results_repo}]({hub}/datasets/{settings.results_repo}) (`results/*.json`).

## Paper

Ghassabi et al., *Leveraging Online Data to Enhance Medical Knowledge in a Small Persian Language Model*,
[arXiv:2505.16000]({PAPER_URL}). Code and data: [{CODE_URL}]({CODE_URL}).

## Licence

The model weights are released under **CC BY-NC-SA 4.0** (non-commercial, share-alike), on top of
aya-expanse-8b's **CC BY-NC 4.0** licence; use must also follow
[Cohere's acceptable use policy](https://docs.cohere.com/docs/c4ai-acceptable-use-policy). The datasets are
CC BY-NC-SA 4.0. Not for clinical use.

## Privacy

Conversations are not stored: no flagging, no chat history on the server, and message contents are not logged.

## Citation

```bibtex
{CITATION}
```
"""


def about_markdown_fa(settings: Settings) -> str:
    """The About tab in Persian (same facts as :func:`about_markdown`; the citation stays in English)."""
    hub = settings.hub_url
    revision = f" (نسخه `{settings.revision}`)" if settings.revision else ""
    datasets = "\n".join(f"- [{repo}]({hub}/datasets/{repo}): {fa}" for repo, _, fa in DATASETS)
    return f"""
<div dir="rtl" lang="fa">

## مدل

**گائوکرنا** یک مدل زبانی پزشکی فارسی است: [{BASE_MODEL}]({hub}/{BASE_MODEL}) که در دو مرحله با LoRA تطبیق داده
شده (ادامه پیش‌آموزش روی پیکره پزشکی فارسی، سپس تنظیم دستوری با پرسش و پاسخ‌های پزشکی) و ادغام شده است. این Space
مدل [{settings.model_id}]({hub}/{settings.model_id}){revision} را اجرا می‌کند.

{DISCLAIMER_FA}

## تور ایمنی اورژانس

{safety_figures_markdown()[0]}

## مجموعه‌داده‌ها

{datasets}

نتایج جدول امتیازها از [{settings.results_repo}]({hub}/datasets/{settings.results_repo}) (`results/*.json`)
خوانده می‌شود.

## مقاله

Ghassabi et al., *Leveraging Online Data to Enhance Medical Knowledge in a Small Persian Language Model*،
[arXiv:2505.16000]({PAPER_URL}). کد و داده‌ها: [{CODE_URL}]({CODE_URL}).

## مجوز

وزن‌های مدل با مجوز **CC BY-NC-SA 4.0** (غیرتجاری، اشتراک یکسان) بر پایه مجوز **CC BY-NC 4.0** مدل aya-expanse-8b
منتشر شده‌اند و استفاده از آن باید با
[سیاست استفاده مجاز Cohere][aup] نیز سازگار باشد. مجموعه‌داده‌ها CC BY-NC-SA 4.0 هستند. برای استفاده بالینی نیست.

## حریم خصوصی

گفتگوها ذخیره نمی‌شوند: نه علامت‌گذاری، نه تاریخچه گفتگو روی سرور، و متن پیام‌ها در لاگ‌ها نوشته نمی‌شود.

[aup]: https://docs.cohere.com/docs/c4ai-acceptable-use-policy

## ارجاع

</div>

```bibtex
{CITATION}
```
"""
