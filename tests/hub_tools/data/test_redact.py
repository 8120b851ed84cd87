"""Personal-data redaction: each kind, each digit script, and no false positives on medical numbers."""

from __future__ import annotations

import pytest

from hub_tools.data.redact import redact_personal_data


@pytest.mark.parametrize(
    "phone",
    [
        "09123456789",
        "0912 345 6789",
        "0912-345-6789",
        "۰۹۱۲۳۴۵۶۷۸۹",
        "۰۹۱۲ ۳۴۵ ۶۷۸۹",
        "٠٩١٢٣٤٥٦٧٨٩",
        "+98 912 345 6789",
        "+989123456789",
        "00989123456789",
        "۰۰۹۸۹۱۲۳۴۵۶۷۸۹",
        "021-88776655",
        "(021) 8877 6655",
        "۰۲۱۸۸۷۷۶۶۵۵",
        "+98 21 8877 6655",
        "031-32345678",
    ],
)
def test_phone_numbers(phone):
    text, counts = redact_personal_data(f"با شماره {phone} تماس بگیرید")
    assert text == "با شماره [PHONE] تماس بگیرید"
    assert counts == {"phone": 1}


def test_phone_after_keyword():
    text, counts = redact_personal_data("تلفن: ۸۸۷۷۶۶۵۵ و tel 88776655")
    assert text == "تلفن: [PHONE] و tel [PHONE]"
    assert counts["phone"] == 2


def test_email():
    text, counts = redact_personal_data("ایمیل من dr.ali_1@example.ir است.")
    assert text == "ایمیل من [EMAIL] است."
    assert counts == {"email": 1}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ببینید https://example.com/a?b=1.", "ببینید [URL]."),
        ("در http://drhast.com/q/12، پاسخ", "در [URL]، پاسخ"),
        ("سایت www.niniban.com/question/5 را", "سایت [URL] را"),
        ("آدرس example.ir/x را ببینید", "آدرس [URL] را ببینید"),
        ("از doctor-yab.ir بپرسید", "از [URL] بپرسید"),
    ],
)
def test_urls(raw, expected):
    text, counts = redact_personal_data(raw)
    assert text == expected
    assert counts == {"url": 1}


@pytest.mark.parametrize("code", ["0012345678", "۰۰۱۲۳۴۵۶۷۸", "٠٠١٢٣٤٥٦٧٨", "001-234567-8"])
def test_national_id(code):
    text, counts = redact_personal_data(f"کد ملی {code}")
    assert text == "کد ملی [NATIONAL_ID]"
    assert counts == {"national_id": 1}


@pytest.mark.parametrize(
    "text",
    [
        "500 mg هر ۸ ساعت",
        "فشار خون 120/80 mmHg",
        "فشار خون ۱۲۰/۸۰",
        "سال ۱۴۰۲ و سال 1402",
        "تاریخ 1402/06/15",
        "دوز 2.5 mg/kg",
        "HbA1c 6.5%",
        "WBC 12000/µL و پلاکت ۲۵۰۰۰۰",
        "ICD-10 F32.9",
        "ساعت 10:30",
        "e.g. آزمایش",
        "فایل report.pdf",
        "دوز 250-500 mg",
        "۰٫۵ میلی‌گرم",
        "شماره ۳ را ببینید",
        "اورژانس ۱۱۵",
        "1234567890.5",
        "کد پستی ۱۲۳۴۵-۶۷۸۹۰",
    ],
)
def test_no_false_positives(text):
    assert redact_personal_data(text) == (text, {})


def test_counts_per_kind_in_one_text():
    text, counts = redact_personal_data(
        "با ۰۹۱۲۱۱۱۲۲۳۳ یا 09351112233 تماس بگیرید، ایمیل a@b.ir، سایت www.x.ir و کد ملی 1234567890"
    )
    assert "[PHONE]" in text and "[EMAIL]" in text and "[URL]" in text and "[NATIONAL_ID]" in text
    assert counts == {"phone": 2, "email": 1, "url": 1, "national_id": 1}


def _redact_fold_per_rule(text):
    """The earlier implementation (digits folded once per rule), kept to check the single-fold version."""
    from collections import Counter

    from hub_tools.data.redact import _DIGIT_FOLD, _RULES, PLACEHOLDERS

    counts = Counter()
    if not text:
        return text, counts
    for kind, pattern, span_of in _RULES:
        shadow = text.translate(_DIGIT_FOLD)
        spans = [s for s in (span_of(m) for m in pattern.finditer(shadow)) if s[1] > s[0]]
        if not spans:
            continue
        pieces, last = [], 0
        for start, end in spans:
            pieces += [text[last:start], PLACEHOLDERS[kind]]
            last = end
        text = "".join(pieces + [text[last:]])
        counts[kind] += len(spans)
    return text, counts


def test_single_fold_matches_fold_per_rule():
    texts = [
        "تماس: ۰۹۱۲ ۳۴۵ ۶۷۸۹ یا info@clinic.ir و www.doctor.com/page، کد ملی ۰۰۱۲۳۴۵۶۷۸ و تلفن ٠٢١-٨٨٧٧٦٦٥٥",
        "دوز 500 mg، فشار 120/80، سال ۱۴۰۲/۰۶/۱۵، tel 88776655 و https://x.org/a?b=1). شماره همراه +98 912 345 6789",
        "بدون داده‌ی شخصی؛ HbA1c 6.5% و 12000/µL و 1234567890 و ۱۲۳-۴۵۶۷۸۹-۰ example.ir/x doctor.com.",
        "",
    ]
    for text in texts:
        assert redact_personal_data(text) == _redact_fold_per_rule(text)
