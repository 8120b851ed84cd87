"""The Persian normaliser: one test per rule, digits kept by default, folded on request."""

from __future__ import annotations

import pytest

from hub_tools.data.normalize import NormalizerConfig, normalize_persian

ZWNJ = "\u200c"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("علي", "علی"),  # Arabic yeh
        ("مصطفى", "مصطفی"),  # alef maksura
        ("كتاب", "کتاب"),  # Arabic kaf
        ("ڪتاب", "کتاب"),  # swash kaf
        ("خانۀ من", "خانهٔ من"),  # heh with yeh above -> heh + hamza above
        ("ە", "ه"),  # ae
        ("ﻋﻠﻲ", "علی"),  # presentation forms
    ],
)
def test_letters(raw, expected):
    assert normalize_persian(raw) == expected


def test_tatweel_removed():
    assert normalize_persian("تزریـــق") == "تزریق"


def test_diacritics_stripped_but_meaningful_marks_kept():
    assert normalize_persian("مُدَرِّس") == "مدرس"
    assert normalize_persian("معمولاً") == "معمولاً"  # fathatan after alef is Persian orthography
    assert normalize_persian("کتابً") == "کتاب"  # stray fathatan
    assert normalize_persian("خانهٔ") == "خانهٔ"  # hamza above kept
    assert normalize_persian("مسئله و مؤسسه") == "مسئله و مؤسسه"  # hamza letters kept


def test_zwnj_cleanup():
    assert normalize_persian(f"می{ZWNJ}شود") == f"می{ZWNJ}شود"
    assert normalize_persian(f"می{ZWNJ}{ZWNJ}{ZWNJ}شود") == f"می{ZWNJ}شود"
    assert normalize_persian(f"کتاب {ZWNJ}ها") == "کتاب ها"
    assert normalize_persian(f"{ZWNJ}کتاب{ZWNJ}") == "کتاب"
    assert normalize_persian(f"کتاب{ZWNJ}.") == "کتاب."
    assert normalize_persian("می\u200bشود") == f"می{ZWNJ}شود"  # zero-width space read as ZWNJ
    assert normalize_persian("می\u200dشود") == "میشود"  # ZWJ removed
    assert normalize_persian("\u200fسلام\u200e") == "سلام"  # bidi marks removed


def test_whitespace():
    assert normalize_persian("  سلام \t\u00a0 دنیا  ") == "سلام دنیا"
    assert normalize_persian("الف \r\n ب\n\n\n\nج") == "الف\nب\n\nج"


def test_digits_kept_by_default_and_folded_on_request():
    text = "دوز ۵۰۰ میلی‌گرم، ٤ بار، 2 روز، ۱۲٫۵"
    assert normalize_persian(text) == text
    assert normalize_persian(text, fold_digits=True) == "دوز 500 میلی‌گرم، 4 بار، 2 روز، 12.5"
    assert normalize_persian(text, config=NormalizerConfig(fold_digits=True)) == normalize_persian(
        text, fold_digits=True
    )


def test_idempotent_and_ascii_untouched():
    text = "Lexapro (SSRI) 10 mg — كاهش فشار خون ١٢٠/٨٠"
    once = normalize_persian(text)
    assert normalize_persian(once) == once
    assert normalize_persian("HbA1c 6.5% e.g. DNA") == "HbA1c 6.5% e.g. DNA"


def test_config_switches_rules_off():
    cfg = NormalizerConfig(letters=False)
    assert normalize_persian("علي", config=cfg) == "علي"
    with pytest.raises(TypeError):
        normalize_persian(None)  # type: ignore[arg-type]
