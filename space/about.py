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


def _share(caught: int, n: int, ci: list[float]) -> str:
    return f"{caught}/{n} ({100 * caught / n:.1f}%, 95% CI {100 * ci[0]:.1f}–{100 * ci[1]:.1f}%)"


def safety_figures_markdown(figures: dict | None = None) -> tuple[str, str]:
    """(Persian, English) paragraphs stating the emergency net's method and measured figures, from
    ``space/safety_figures.json`` (:data:`space.safety.MEASURED`): the sealed (blind) figures when measured, "not
    measured yet" otherwise, then the cross-validated and in-pool ones."""
    figures = MEASURED if figures is None else figures
    pool, sealed, cv = figures.get("pool"), figures.get("sealed"), figures.get("cross_validated")
    if sealed:
        sealed_en = (f"On sealed batches written blind after the last change ({sealed['messages']} messages), it "
                     f"caught {_share(sealed['caught'], sealed['emergencies'], sealed['recall_ci95'])} of emergencies "
                     f"with {_share(sealed['false_alarms'], sealed['non_emergencies'], sealed['false_alarm_ci95'])} "
                     "false alarms.")  # fmt: skip
        sealed_fa = (f"روی دسته‌های مهروموم‌شده‌ای که پس از آخرین تغییر، بی‌خبر از قواعد نوشته شدند ({sealed['messages']} "
                     f"پیام)، {_share(sealed['caught'], sealed['emergencies'], sealed['recall_ci95'])} از موارد اورژانسی "
                     f"را پیدا کرد و هشدار نابه‌جا {_share(sealed['false_alarms'], sealed['non_emergencies'], sealed['false_alarm_ci95'])} بود.")  # fmt: skip
    else:
        sealed_en = "Sealed (blind) figures: not measured yet."
        sealed_fa = "ارقام دسته‌های مهروموم‌شده (نوشته‌شده بی‌خبر از قواعد): هنوز اندازه‌گیری نشده است."
    pool_en = pool_fa = ""
    if cv:
        pool_en += (f" Cross-validated by writer on our labelled pool (trained on the other writers, measured on one; "
                    f"{len(cv['writers'])} writers): recall {_share(cv['caught'], cv['emergencies'], cv['recall_ci95'])}, "
                    f"false alarms {_share(cv['false_alarms'], cv['non_emergencies'], cv['false_alarm_ci95'])}.")  # fmt: skip
        pool_fa += (f" با اعتبارسنجی متقابل به تفکیک نویسنده روی مجموعه برچسب‌خورده ({len(cv['writers'])} نویسنده): "
                    f"بازیابی {_share(cv['caught'], cv['emergencies'], cv['recall_ci95'])}، هشدار نابه‌جا "
                    f"{_share(cv['false_alarms'], cv['non_emergencies'], cv['false_alarm_ci95'])}.")  # fmt: skip
    if pool:
        pool_en += (f" On the pool itself ({pool['messages']} messages, written or trained with it in view, so "
                    f"optimistic): recall {100 * pool['recall']:.1f}%, false alarms {100 * pool['false_alarm_rate']:.1f}%.")
        pool_fa += (f" روی خود مجموعه ({pool['messages']} پیام، که قواعد و مدل با دیدن آن ساخته شده‌اند و پس خوش‌بینانه "
                    f"است): بازیابی {100 * pool['recall']:.1f}٪ و هشدار نابه‌جا {100 * pool['false_alarm_rate']:.1f}٪.")
    fa = (
        "پیش از پاسخ مدل، هر پیام برای نشانه‌های اورژانسی بررسی می‌شود (درد قفسه سینه، سکته مغزی، تنگی نفس، "
        "آنافیلاکسی، مسمومیت، خونریزی، تشنج و بیهوشی، سوختگی، اورژانس بارداری، تب نوزاد، خودکشی و آسیب به خود، ضربه "
        "به سر، عفونت خون، مننژیت، اورژانس دیابت، پیچ‌خوردگی بیضه، درد حاد شکم، درد آئورت یا لخته ریه، گزش، "
        "غرق‌شدگی، گرمازدگی، کم‌آبی کودک): واژگانی از مفاهیم به فارسی، فینگلیش و انگلیسی، همراه با یک مدل کوچک "
        f"آموخته. {sealed_fa}{pool_fa} این یک تور ایمنی است، نه تریاژ: در اورژانس همیشه با ۱۱۵ تماس بگیرید."
    )
    en = (
        "Before the model answers, each message is checked for emergency red flags (chest pain, stroke, breathing, "
        "anaphylaxis, poisoning, bleeding, seizure or unconsciousness, burns, pregnancy, fever in a young baby, "
        "suicide and self-harm, head injury, sepsis, meningitis, diabetic emergencies, torsion, acute abdomen, "
        "aortic or clot pain, bites and stings, drowning, heat stroke, a dehydrated child): a lexicon of concepts in "
        f"Persian, Finglish and English, and a small learned model. {sealed_en}{pool_en} "
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
