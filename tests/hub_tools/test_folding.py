"""The one Persian folding module: each table and option, and that the normaliser and dedup are built on it."""

from __future__ import annotations

import pytest

from hub_tools import folding
from hub_tools.data.dedup import match_text
from hub_tools.data.normalize import normalize_persian


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۳٫۵ میلی‌گرم", "3.5 میلی‌گرم"),
        ("٫ تنها", "٫ تنها"),  # not between digits: kept
        ("12", "12"),
    ],
)
def test_fold_digits(raw, folded):
    assert folding.fold_digits(raw) == folded


def test_fold_letters_default_keeps_hamza_and_teh_marbuta():
    assert folding.fold_letters("كيفيت") == "کیفیت"
    assert folding.fold_letters("ى") == "ی"
    assert folding.fold_letters("ۀ") == "هٔ"
    assert folding.fold_letters("مـــرد") == "مرد"
    assert folding.fold_letters("مسئله أ ة") == "مسئله أ ة"


def test_fold_letters_named_options():
    assert folding.fold_letters("صلاة", teh_marbuta=True) == "صلاه"
    assert folding.fold_letters("مسئله إسهال آب ۀ", hamza=True) == "مسیله اسهال اب ه"


def test_strip_bidi_removes_every_control():
    text = "\u202bقلب\u202c \u200fو\u200e \u2067عروق\u2069\u061c"
    assert folding.strip_bidi(text) == "قلب و عروق"


def test_presentation_forms_fold_to_base_letters():
    assert folding.fold_presentation_forms("\ufeb3\ufefc\ufee1") == "سلام"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("می‌شود", "می شود"),
        ("كبد ۲۰ ميلي گرم", "کبد 20 میلی گرم"),
        ("\u202bقلب و عروق\u202c", "قلب  و عروق"),
        ("Heart, Lungs!", "heart lungs"),
        ("دَرمان", "درمان"),
        ("۲\u200cبار", "2بار"),
    ],
)
def test_match_key_equal_forms(a, b):
    assert folding.match_key(a) == folding.match_key(b)


def test_match_key_options():
    assert folding.match_key("می‌شود", zwnj="") == "میشود"
    assert folding.match_key("A.B", punctuation=True) == "a.b"
    assert folding.match_key("ABC", casefold=False) == "ABC"
    assert folding.match_key("صلاة", teh_marbuta=True) == folding.match_key("صلاه")
    assert folding.match_key("") == ""


@pytest.mark.parametrize(
    "text",
    ["كيف حالك؟ ۱۲۳", "خانۀ   من\u200c\u200c است", "\u202bتست\u202c A.B", "معمولاً ً", "\ufeffسلام\u00a0دنیا"],
)
def test_dedup_match_text_is_match_key_and_stable_under_normalisation(text):
    assert match_text(text) == folding.match_key(text)
    assert match_text(normalize_persian(text)) == match_text(text)


def test_match_key_loanword_prefixes():
    assert folding.match_key("هایپرکالمی", loanwords=True) == folding.match_key("هیپرکالمی")
    assert folding.match_key("بیماری هایپوتیروئیدی", loanwords=True) == "بیماری هیپوتیروئیدی"
    assert folding.match_key("هایپرکالمی") == "هایپرکالمی"  # off by default
    assert folding.match_key("شهایپر", loanwords=True) == "شهایپر"  # only at the start of a word
