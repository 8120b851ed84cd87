"""Every interface text of the Space in Persian and English, served through ``gr.I18n`` (no logic but the table).

    i18n = build_i18n(settings)            # passed to demo.launch(i18n=...) by launch_options()
    gr.Textbox(label=T("chat_system_prompt"))

Gradio picks a language per browser: a Persian browser gets Persian, an English one English, and **every other
language gets Persian** (the Persian texts are registered under each of Gradio's other interface languages, since
Gradio itself falls back to English). The Space's own فارسی / English switch (``app.build_demo``) then sets every
label the app owns from :func:`text`, and the leaderboard's headers and cells from :func:`table_header` and
:func:`table_value`; the browser keeps the choice. Texts that the server writes while handling a request (toasts,
warnings, the chat's notes) are bilingual: Persian first, then English.
"""

from __future__ import annotations

import gradio as gr
from gradio.i18n import I18nData


# Gradio's own interface languages (its frontend translations) other than English and Persian.
OTHER_LOCALES = (
    "ar", "ca", "ckb", "de", "es", "et", "eu", "fr", "he", "id", "ja", "ko", "lt", "nb", "pt", "pt-BR", "ro", "ru",
    "sv", "ta", "th", "tr", "uk", "ur", "uz", "zh-CN", "zh-TW",
)  # fmt: skip

# key -> (Persian, English)
TEXTS: dict[str, tuple[str, str]] = {
    "tab_chat": ("گفتگو", "Chat"),
    "tab_leaderboard": ("جدول امتیازها", "Leaderboard"),
    "tab_about": ("درباره", "About"),
    "chat_label": ("گفتگو با گائوکرنا", "Chat with Gaokerena"),
    "chat_placeholder": ("پیام خود را بنویسید…", "Type your message…"),
    "chat_settings": ("تنظیمات", "Settings"),
    "chat_system_prompt": ("پیام سیستم", "System prompt"),
    "chat_max_new_tokens": ("بیشترین تعداد توکن پاسخ", "Max new tokens"),
    "chat_temperature": ("دما (۰ = قطعی)", "Temperature (0 = greedy)"),
    "chat_top_p": ("Top-p (نمونه‌برداری هسته‌ای)", "Top-p"),
    "chat_repetition_penalty": ("جریمه تکرار", "Repetition penalty"),
    "lb_intro": (
        "درستی پاسخ‌ها به درصد، با بازه اطمینان ۹۵٪ (ویلسون، از تعداد پاسخ درست و n). MMLU-fa: شش درس پزشکی و "
        "میانگین آن‌ها؛ IBMSEE: آزمون علوم پایه پزشکی ایران («قبول» فقط وقتی کران پایین بازه از نمره قبولی بالاتر "
        "باشد)؛ K-QA-fa: پاسخ‌های آزاد (ستون‌های ↓ هرچه کمتر بهتر). ستون «منبع» می‌گوید عدد از کجا آمده: بازنمره‌دهی "
        "خروجی‌های مقاله، همین نسخه، یا دیگر.",
        "Accuracy in percent with 95% intervals (Wilson, from the number correct and n). MMLU-fa: six medical "
        "subjects and their micro average; IBMSEE: Iranian Basic Medical Sciences Entrance Exam (\"pass\" only when "
        "the interval's lower bound clears the pass mark); K-QA-fa: free-form answers (columns marked ↓: lower is "
        "better). Source says where a number comes from: the paper's outputs re-scored, this release, or other.",
    ),
    "lb_search": ("جستجوی مدل", "Search models"),
    "lb_search_placeholder": ("نام یا شناسه؛ گزینه‌ها را با ; جدا کنید", "name or id; separate alternatives with ;"),
    "lb_protocol": ("روش چندگزینه‌ای", "Multiple-choice protocol"),
    "lb_sort": ("مرتب‌سازی بر پایه", "Sort by"),
    "lb_descending": ("بهترین اول", "Best first"),
    "lb_types": ("نوع مدل", "Model type"),
    "lb_columns": ("ستون‌ها", "Columns"),
    "lb_show_ci": ("نمایش بازه‌های ۹۵٪", "Show 95% intervals"),
    "lb_show_small": ("نمایش مدل‌هایی با پرسش‌های کم", "Show models scored on few questions"),
    "lb_table": ("جدول امتیازها", "Leaderboard"),
    "lb_refresh": ("به‌روزرسانی از هاب", "Refresh from the Hub"),
    "lb_export_table": ("جدول نمایش‌داده‌شده (CSV)", "Table as shown (CSV)"),
    "lb_export_records": ("پاسخ به‌ازای هر پرسش (CSV)", "Per-question records (CSV)"),
    "lb_download": ("دریافت CSV", "CSV download"),
    "lb_chart": ("نمودار", "Chart"),
    "language": ("زبان", "Language"),
}

LANGUAGES = ("fa", "en")
LANGUAGE_CHOICES = [("فارسی", "fa"), ("English", "en")]  # (label, value) of the language switch

# The leaderboard in Persian: phrases of its column headers, then whole cell values, English -> Persian. Benchmark
# names (MMLU-fa, IBMSEE, K-QA-fa) and protocol names stay as they are. Longer phrases come first.
TABLE_HEADER_FA = (
    ("IBMSEE pass", "قبولی IBMSEE"),
    ("MMLU-fa avg", "میانگین MMLU-fa"),
    ("(contradicted statements per answer)", "(گزاره‌های نقض‌شده در هر پاسخ)"),
    ("answers with a contradiction", "پاسخ‌های دارای تناقض"),
    ("win rate", "نرخ برد"),
    ("95% CI", "بازه ۹۵٪"),
    ("Clinical knowledge", "دانش بالینی"),
    ("College biology", "زیست‌شناسی دانشگاهی"),
    ("College medicine", "پزشکی دانشگاهی"),
    ("Medical genetics", "ژنتیک پزشکی"),
    ("Professional medicine", "پزشکی حرفه‌ای"),
    ("Anatomy", "آناتومی"),
    ("Model", "مدل"),
    ("Type", "نوع"),
    ("Source", "منبع"),
    ("Revision", "نسخه"),
)
TABLE_VALUE_FA = {
    "fine-tuned": "تنظیم‌شده",
    "base": "پایه",
    "general": "عمومی",
    "translation-pipeline": "زنجیره ترجمه",
    "paper re-score": "بازنمره‌دهی مقاله",
    "this release": "همین نسخه",
    "other": "دیگر",
    "pass ✅": "قبول ✅",
    "fail ❌": "مردود ❌",
    "uncertain ❔": "نامعلوم ❔",
    "MMLU-fa subjects": "درس‌های MMLU-fa",
}

# Server-side texts (toasts, warnings, status): bilingual strings, Persian first.
NO_RECORDS = "برای مدل‌های انتخاب‌شده پاسخی به‌ازای هر پرسش نیست. · No per-question records for the selected models."


SETTINGS_KEYS = ("about",)  # keys whose texts build_i18n receives as ``extra``


def T(key: str) -> I18nData:  # noqa: N802 (reads like the gettext "_" it stands for)
    """The translation key ``key`` (checked), for a component's label, placeholder or Markdown."""
    if key not in TEXTS and key not in SETTINGS_KEYS:
        raise KeyError(f"no interface text {key!r} in space.texts.TEXTS")
    return I18nData(key)


def language(value: str | None) -> str:
    """"en" for English, "fa" for anything else (Persian is the Space's first language)."""
    return "en" if value == "en" else "fa"


def text(key: str, lang: str | None) -> str:
    """The text ``key`` in one language ("fa" or "en"), for labels the server sets when the visitor switches."""
    fa, en = TEXTS[key]
    return en if language(lang) == "en" else fa


def table_header(header: str, lang: str | None) -> str:
    """A leaderboard column header in ``lang`` (English headers are the table's own)."""
    if language(lang) == "en":
        return header
    for english, persian in TABLE_HEADER_FA:
        header = header.replace(english, persian)
    return header


def table_value(value: str, lang: str | None) -> str:
    """A leaderboard cell or choice (model type, source, IBMSEE verdict, column group) in ``lang``."""
    return value if language(lang) == "en" else TABLE_VALUE_FA.get(value, value)


def bilingual(key: str) -> str:
    """"Persian · English" for texts the server writes."""
    fa, en = TEXTS[key]
    return f"{fa} · {en}"


def build_i18n(extra: dict[str, tuple[str, str]] | None = None) -> gr.I18n:
    """The ``gr.I18n`` of the Space: Persian under "fa" and every other Gradio language, English under "en".
    ``extra`` adds keys whose texts depend on the settings (the About tab)."""
    table = {**TEXTS, **(extra or {})}
    persian = {key: fa for key, (fa, _) in table.items()}
    english = {key: en for key, (_, en) in table.items()}
    return gr.I18n(fa=persian, en=english, **{locale: persian for locale in OTHER_LOCALES})
