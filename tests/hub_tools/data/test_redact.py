"""Personal-data redaction: each kind, each digit script, no false positives on medical numbers, and the
recall/precision on the labelled set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub_tools.data.redact import (
    find_personal_data,
    labelled_set_figures,
    luhn_valid,
    national_id_valid,
    redact_personal_data,
)
from hub_tools.data.redaction_eval import evaluate, load_pool, pool_digest, pool_figures

POOL = Path(__file__).with_name("redaction_pool")


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


@pytest.mark.parametrize("code", ["0830166130", "۰۸۳۰۱۶۶۱۳۰", "٠٨٣٠١٦٦١٣٠", "083-016613-0"])
def test_national_id(code):
    text, counts = redact_personal_data(f"کد ملی {code}")
    assert text == "کد ملی [NATIONAL_ID]"
    assert counts == {"national_id": 1}
    # without the keyword the check digit decides
    assert redact_personal_data(f"عدد {code}")[0] == "عدد [NATIONAL_ID]"


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
        "شمارش 1234567890 در نمونه",  # a 10-digit count that fails the national-ID check
        "همراه 1000000 واحد ویتامین D",
        "Na.K.Ca طبیعی بود",
        "به دکتر مراجعه کنید",
        "دکتر متخصص قلب گفت",
        "بیمارستان دکتر شریعتی",
        "پلاکت ۲۵۰۰۰۰",
        "0.9123456789",
        "کشت ادرار 1500000000 CFU/ml اشرشیا کلی",  # a 10-digit bacteria count with its unit is not an ID
        "کشت خلط: 1500000000 CFU/ml",
        "سریال دارو 4121547280 روی جعبه",
        "بیماری هاشیموتو دارم و لووتیروکسین میخورم",
        "پارکینسون پدرم بدتر شده",
        "طبق نظر ابن سینا",
        "دکتر محمد قریب پدر طب کودکان ایران است",
        "Hashimoto thyroiditis, Dr. Parkinson described it",
        "مادرم خیلی نگران است",
        "به نام خدا",
        "این بچه به من امید دوباره داده",
        "I'm Iranian and 30 years old",
        "This is Tuesday's result",
        "هزینه بستری ۱۲۰۰۰۰۰۰ تومان شد",  # an amount after a record keyword
        "file size 12000 bytes",
        "مادرم امید زیادی به درمان دارد",
        "Dr. Reddy's atorvastatin",  # a brand
        "نام دارو: استامینوفن",
        "تاریخ بستری ۱۴۰۱/۰۳/۱۲",
        # names of places and remedies, lab values, code standards, countries
        "بیمارستان میلاد تهران نوبت اینترنتی داره؟",
        "I was admitted to Masih Daneshvari Hospital",
        "دمنوش مریم گلی برای گرگرفتگی خوبه؟",
        "رابرت کخ باسیل سل را کشف کرد",
        "کد ICD-10 برای این بیماری چیه؟",
        "Ferritin 9 (Ref: 13-150)",
        "I moved back to Iran last year",
        "من خانم ۳۲ ساله هستم",
        "آدرس بیمارستان امام: تهران، بلوار کشاورز",
        "Thyroxine7.5@TSH4.7@Fsh25",
    ],
)
def test_no_false_positives(text):
    assert redact_personal_data(text) == (text, {})


def test_counts_per_kind_in_one_text():
    text, counts = redact_personal_data(
        "با ۰۹۱۲۱۱۱۲۲۳۳ یا 09351112233 تماس بگیرید، ایمیل a@b.ir، سایت www.x.ir و کد ملی 0830166130"
    )
    assert "[PHONE]" in text and "[EMAIL]" in text and "[URL]" in text and "[NATIONAL_ID]" in text
    assert counts == {"phone": 2, "email": 1, "url": 1, "national_id": 1}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ممنون۰۹۳۷۱۲۳۴۵۶۷ لطفا", "ممنون[PHONE] لطفا"),
        ("بدید.۰۹۱۲۳۴۵۶۷۸۹", "بدید.[PHONE]"),
        ("تماس (0912) 345 6789 عصر", "تماس [PHONE] عصر"),
        ("شماره 0935.123.4567", "شماره [PHONE]"),
        ("شماره 0912  345  6789", "شماره [PHONE]"),
        ("شماره مطب ۳۲۲۳۴۵۶۷", "شماره مطب [PHONE]"),
        ("09123456789 09351112233", "[PHONE] [PHONE]"),
        ("ali.r @ gmail.com", "[EMAIL]"),
        ("پیج @sara_mom2020 رو ببینید", "پیج [HANDLE] رو ببینید"),
        ("شبا IR86 0120 0187 8017 5989 8347 88", "شبا [IBAN]"),
        ("کارت 6037-9904-7439-5759", "کارت [CARD]"),
        ("پاسخ از دکتر نوشین نظری، متخصص زنان", "پاسخ از دکتر [NAME]، متخصص زنان"),
        ("سلام من مریم هستم", "سلام من [NAME] هستم"),
        ("آدرس: تهران، خیابان ولیعصر، کوچه ۵، پلاک ۱۲ بیایید", "آدرس: [ADDRESS] بیایید"),
    ],
)
def test_formats_from_the_issue(raw, expected):
    assert redact_personal_data(raw)[0] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # names: forms, kinship, account holders, introductions without "من", sign-offs, Dr in a message, English
        ("نام: زهرا کریمی سن: ۴۵", "نام: [NAME] سن: ۴۵"),
        ("نام بیمار: محمدعلی کریمی / بخش CCU", "نام بیمار: [NAME] / بخش CCU"),
        ("مادرم فاطمه رضایی ۶۵ سالشه", "مادرم [NAME] ۶۵ سالشه"),
        ("شوهرم ممد سیگار میکشه", "شوهرم [NAME] سیگار میکشه"),  # a nickname (the registry names have it)
        ("برادرم خیلی نگرانه", "برادرم خیلی نگرانه"),
        ("برادرم امیرحسین ۱۶ سالشه", "برادرم [NAME] ۱۶ سالشه"),
        ("دخترم فاطمه‌زهرا زردی داره", "دخترم [NAME] زردی داره"),
        ("کارت ۶۰۳۷۹۹۱۸۷۶۵۴۳۲۱۰ به نام زهرا احمدی", "کارت [CARD] به نام [NAME]"),
        ("حمید هستم از اهواز", "[NAME] هستم از اهواز"),
        ("با تشکر، مرتضی قاسمی", "با تشکر، [NAME]"),
        ("دکتر رحیمی گفتن آنژیو کنم", "دکتر [NAME] گفتن آنژیو کنم"),
        ("My husband Babak has low sperm motility", "My husband [NAME] has low sperm motility"),
        ("Name: Sara Mohammadi, Dx: anemia", "Name: [NAME], Dx: anemia"),
        ("Regards, Pouya Karimi", "Regards, [NAME]"),
        ("My son's name is Arian and he is 5.", "My son's name is [NAME] and he is 5."),
        ("Contact person: Mina Rostami", "Contact person: [NAME]"),
        ("baba-m Hossein 70 salesh e", "baba-m [NAME] 70 salesh e"),
        ("Find me on instagram @sara.mom", "Find me on instagram [HANDLE]"),
        ("send it to p.karimi1990@outlook.com. Regards", "send it to [EMAIL]. Regards"),
        ("The address: Unit 7, 3rd floor, No. 18, Vanak Sq., Tehran", "The address: [ADDRESS]"),
        ("خواهرم مهسا و شوهرش کامران، اسپرموگرام کامران نرمال",
         "خواهرم [NAME] و شوهرش [NAME]، اسپرموگرام [NAME] نرمال"),
        # the other kinds
        ("کد پستی ۱۲۳۴۵-۶۷۸۹۰", "کد پستی [POSTAL_CODE]"),
        ("کدپستی 3198765432", "کدپستی [POSTAL_CODE]"),
        ("شماره پرونده: 98-554321، تاریخ ۱۴۰۱/۰۳/۱۲", "شماره پرونده: [RECORD_NUMBER]، تاریخ ۱۴۰۱/۰۳/۱۲"),
        ("Patient ID: PT-2023-004512", "Patient ID: [RECORD_NUMBER]"),
        ("MRN 00458213, colonoscopy", "MRN [RECORD_NUMBER], colonoscopy"),
        ("Lab No: 1402/11/2356", "Lab No: [RECORD_NUMBER]"),
        ("Mrs. Ahmadi's results came back", "Mrs. [NAME]'s results came back"),
        ("نام کودک: آوا سن: ۳", "نام کودک: [NAME] سن: ۳"),
        ("حاج آقا رضایی گفت", "حاج آقا [NAME] گفت"),
        ("maryam.k1365 at yahoo dot com", "[EMAIL]"),
        ("ali_r[at]gmail[dot]com", "[EMAIL]"),
        ("niloofar89 ات جیمیل دات کام", "[EMAIL]"),
        ("sina . rahmani @ yahoo . com", "[EMAIL]"),
        ("شماره 0912/876/5432", "شماره [PHONE]"),
        ("با ۹۱۲ ۴۵۶ ۷۸ ۹۰ تماس بگیرید", "با [PHONE] تماس بگیرید"),
        ("شماره 0 9 1 2 3 4 5 6 7 8 9", "شماره [PHONE]"),
        ("شمارم صفر نهصد و سی و پنج، دویست و بیست، سی و سه، چهل و چهار هست", "شمارم [PHONE] هست"),
        ("شماره‌م ۰۹۱۲ سیصد و بیست و یک ۴۵ ۶۷ هست", "شماره‌م [PHONE] هست"),
        ("شماره ۳ و ۴ و ۵ را ببینید", "شماره ۳ و ۴ و ۵ را ببینید"),
        ("کد ملیم ۰۰۷ ۳۴۵ ۶۷۸ ۹ هست", "کد ملیم [NATIONAL_ID] هست"),
        ("کانال t.me/dr_sadeghi_clinic", "کانال [URL]"),
        ("Address: No. 14, Golestan Alley, Vali-e-Asr St., Tehran", "Address: [ADDRESS]"),
        ("Address: unit 5, 23 Farahzadi Blvd, Shahrak-e Gharb", "Address: [ADDRESS]"),
        # categories of the misses of new writers (examples written for the test, not pool lines)
        ("گزارش سونوگرافی، حمیدرضا کریم‌زاده، ۴۲ ساله", "گزارش سونوگرافی، [NAME]، ۴۲ ساله"),  # a full name alone
        ("Lab results for Maryam Rezaei are ready", "Lab results for [NAME] are ready"),
        ("عمه منصوره دیابت داره", "عمه [NAME] دیابت داره"),  # a kinship word as a title
        ("کوثر دخترم تب داره", "[NAME] دخترم تب داره"),  # a kinship word after the name
        ("سلام من مهشیدم از قم", "سلام من [NAME]م از قم"),  # a glued "am"
        ("Golnar jan salam, javab amade shod?", "[NAME] jan salam, javab amade shod?"),
        ("salam khanoom Tehrani, nobat daram", "salam khanoom [NAME], nobat daram"),
        ("پدرم رحیم و عمو کاظم رو ببرید", "پدرم [NAME] و عمو [NAME] رو ببرید"),
        ("سلام دکترصدری، جواب آماده است", "سلام دکتر[NAME]، جواب آماده است"),  # a title without its space
        ("نوبت امروز: آقای فرهادی، کیوان و سپیده", "نوبت امروز: آقای [NAME]، [NAME] و [NAME]"),  # a list
        ("email me at nima.asadi@example.com please", "email me at [EMAIL] please"),
        ("کاربر tina_mamy عزیز سلام", "کاربر [HANDLE] عزیز سلام"),
        ("نوبتش با کد K-55120 ثبت شد", "نوبتش با کد [RECORD_NUMBER] ثبت شد"),
        ("نوبت شماره ۱۴ هستیم", "نوبت شماره [RECORD_NUMBER] هستیم"),
        ("آدرس ما: قزوین، کوچه لاله، واحد ۳", "آدرس ما: [ADDRESS]"),
        ("send it to Tabriz, Valiasr, Kooche 12, Pelak 4 please", "send it to [ADDRESS] please"),
    ],
)
def test_names_and_the_new_kinds(raw, expected):
    assert redact_personal_data(raw)[0] == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # classes of the misses of new writers, by class (sentences written for the test, not pool lines)
        # spellings of one name: a compound family name, the Azeri/Kurdish hamza, a family name made from a given name
        ("دکتر رضایی‌پناه گفتن آنژیو لازم نیست", "دکتر [NAME] گفتن آنژیو لازم نیست"),
        ("اینجانب ائلناز رحیمی از تبریز", "اینجانب [NAME] از تبریز"),
        ("ئاراس هستم از سنندج", "[NAME] هستم از سنندج"),
        ("آقای مولایی جواب رو گرفتن", "آقای [NAME] جواب رو گرفتن"),
        ("خانم مینا آقایی ترخیص شد", "خانم [NAME] ترخیص شد"),  # a family name that is a stop word too
        # gazetteer gaps: names given since the 2000s, the older generation's names in Latin letters
        ("دخترم آرتمیس ۵ سالشه", "دخترم [NAME] ۵ سالشه"),
        ("esmesh Sakineh Ahmadi, 70 sale", "esmesh [NAME], 70 sale"),
        ("Zeinab khanoom salam", "[NAME] khanoom salam"),
        # Finglish: form labels, a title with its ezafe, kinship titles and roles before a given name
        ("esm: Hamed, famil: Karimi, sen: 40", "esm: [NAME], famil: [NAME], sen: 40"),
        ("khanoome Robabeh Karimi", "khanoome [NAME]"),
        ("nobat baraye baba Hassan mikhastam", "nobat baraye baba [NAME] mikhastam"),
        ("monshi-ye Mahsa javab nemide", "monshi-ye [NAME] javab nemide"),
        # handover notes and messages: a bed, a role, a ZWNJ possessive, brackets, a verb of passing on, a signature
        ("تخت ۴ بردیا ۵ ساله، تب دارد", "تخت ۴ [NAME] ۵ ساله، تب دارد"),
        ("تحویل‌دهنده فرناز، تحویل‌گیرنده مهناز", "تحویل‌دهنده [NAME]، تحویل‌گیرنده [NAME]"),
        ("بچه‌م آیهان تب داره", "بچه‌م [NAME] تب داره"),
        ("خواهرم (شبنم، ۳۰ ساله) هم میگرن داره", "خواهرم ([NAME]، ۳۰ ساله) هم میگرن داره"),
        ("نسخه رو با سامان بفرستید", "نسخه رو با [NAME] بفرستید"),
        ("جواب رو فردا بفرستید. کاظمی", "جواب رو فردا بفرستید. [NAME]"),
        ("فردا شیفتم رو عوض کنید 🙏 فرشته", "فردا شیفتم رو عوض کنید 🙏 [NAME]"),
    ],
)
def test_name_classes_of_new_writers(raw, expected):
    assert redact_personal_data(raw)[0] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Omid daram ke khoob beshe",  # a Latin name that is a word first ("hope"), opening a message
        "The nurse said it is fine",  # an English noun before a verb, no title and a name
        "Dr Google says it is cancer",  # a web service after a title
        "I was discharged from Masih Daneshvari",  # a hospital's namesake
        "جواب آزمایش خوب بود. عالی",  # a family name that is a word, ending a message
        "ستاره‌ها تنها نیستند. خیلی ممنون",
        "saloroz e veladat e hazrat e Zeynab mobarak",  # a religious figure
        "resident neurology hastam",  # a specialty after a role
        "عمل آب مروارید همسرم کی انجام میشه؟",  # a term's first word before a given name
    ],
)
def test_no_false_alarms_of_the_new_classes(text):
    assert redact_personal_data(text) == (text, {})


def test_name_spellings_in_the_gazetteer():
    from hub_tools.data.gazetteer import gazetteer, spellings

    g = gazetteer()
    assert spellings("نیک\u200cبخت") == ("نیکبخت", "نیک بخت") and spellings("ائلچین") == ("ایلچین",)
    assert g.is_family("نیک\u200cبخت") and g.is_family("حسینی\u200cنسب") and g.is_family("پاشایی")
    assert not g.is_family("زردی\u200cنسب") and not g.is_family("تنهایی")
    assert g.is_given("ئاسو") and g.is_given("آرسام") and g.is_latin_given("Zeynab") and g.is_latin_given("Kobra")
    assert g.is_latin_word_name("Omid") and not g.is_latin_word_name("Hamed")


def test_gazetteer_sizes_and_allow_list():
    from hub_tools.data.gazetteer import gazetteer

    g = gazetteer()
    assert len(g.given) >= 10_000 and len(g.family) >= 5_000 and len(g.latin) >= 500
    assert {"محمدرضا", "محمد رضا", "محمد\u200cرضا"} <= g.given and g.is_latin_given("Hossein")
    # Latin spellings of one name fold to one key; a hamza ending of the Arabic spelling is dropped
    assert g.is_latin_given("Arezoo") and g.is_latin_given("Arezu") and g.is_given("حوراء")
    assert g.is_public_figure("Hashimoto") and g.is_public_figure("محمد قریب") and not g.is_public_figure("مریم")


def test_checksums():
    assert luhn_valid("6037990474395759") and not luhn_valid("6037990474395758")
    assert national_id_valid("0830166130") and not national_id_valid("0830166131")
    assert not national_id_valid("1111111111")


def test_pool_figures_as_achieved():
    """The pool (one file per writer; definitions in hub_tools.data.redaction_eval): the figures it achieves today.
    The rules were tuned on it, so these are no measure of unseen text (the cards quote the sealed figures)."""
    pool = load_pool([POOL])
    assert set(pool) >= {"dev-2026-11", "writer-p1", "writer-p2", "writer-p3", "writer-p4", "writer-p5"}
    # sealed-s1/-s2: the sealed batches, measured before they joined (README: recall 86.5%, names 82.9%); writer-p4
    # and -p5 joined later (measured before their misses were read: recall 0.776, names 0.724). The categories of
    # their misses were fixed since (recall 0.945 -> 0.976, names 0.918 -> 0.959 on the whole pool).
    # sealed round 2 (batch-s3/-s4, 280 texts written blind after commit 1a6a846), measured before joining as
    # sealed-s3/-s4: recall 0.947 (95% CI 0.923-0.964), names 0.960, precision 0.980, negatives changed 4/140 = 2.9%
    # (limit 2%: missed), record_number 47/59 = 0.797, card 8/9, address 14/15. With them the pool has 1140 negatives
    # and 6 of them changed (0.53%); after the not-a-name lexicon, dates after "نوبت" and the record-id shapes: 3 (0.26%);
    # public institutions' web addresses (www.who.int, es.tamin.ir) kept: 1 (0.09%).
    # sealed round 3 (batch-s5/-s6, 280 texts written blind after commit 075ce9f), measured before joining as
    # sealed-s5/-s6: recall 0.925 (95% CI 0.896-0.946; target 0.95: missed), names 0.914, negatives changed 2/140,
    # record_number 35/42 = 0.833, email 11/12. With them the whole pool reads recall 0.975, names 0.965,
    # precision 0.997, 3 of 1280 negatives changed (0.23%); after fixing their misses by category: recall 0.981,
    # names 0.970, 3 negatives changed.
    # sealed round 4 (batch-s7/-s8, 280 texts written blind after commit 57f8470, the shipped redactor), measured
    # before joining as sealed-s7/-s8: recall 0.939 (95% CI 0.912-0.959), names 0.921, negatives changed 3/140; no
    # rule changed after it, so its misses stay in the pool as found: the whole pool (2,674 texts, 2,752 secrets,
    # 1,420 negatives) reads recall 0.975, names 0.962, precision 0.996, 6 negatives changed (0.42%).
    # Issue #20 fixed the classes of the misses by class (spellings of one name, gazetteer gaps, Finglish labels,
    # titles and roles, handover notes, signatures) and retrained the name model: recall 0.988, names 0.985,
    # precision 0.999, 1 negative changed (0.07%); leaving one writer out, the name model's gain over the rules is
    # name recall 0.957 -> 0.980 with 12 of 1,420 negatives changed (name_model_cv.json).
    # sealed round 5 (batch-s9/-s10, 280 texts written blind after commit 9180f4b), measured before joining as
    # sealed-s9/-s10: recall 0.939 (95% CI 0.910-0.959), names 0.938, precision 0.992, negatives changed 2/140
    # (1.4%), national_id 12/15, record_number 30/35. Joined as found: recall 0.982, names 0.979, precision 0.998,
    # 3 of 1,560 negatives changed (0.19%); the name model retrained on the pool with them: recall 0.983, names
    # 0.980, precision 0.998, 2 negatives changed (0.13%). Their misses fixed by class (national ids: a word after
    # the keyword, NID, other dash groupings, slash-set fields; record ids with letters and slashes, Pt/Adm/Sample/
    # Ref keywords; value ranges no ids; given-name particles, ‌زاد, hyphenated Latin given names, form labels) and the
    # name model retrained: recall 0.987, names 0.982, precision 0.999, 1 negative changed (0.06%).
    # sealed round 6 (batch-s11/-s12, 280 texts written blind after commit b9e6cde, the shipped redactor), measured
    # before joining as sealed-s11/-s12: recall 0.960 (95% CI 0.936-0.975), names 0.970, precision 0.982, negatives
    # changed 4/140 (2.9%; limit 2%: missed). Joined as found (the name model not retrained on them, so the shipped
    # redactor stays the one measured): recall 0.984, names 0.981, precision 0.997, 5 of 1,700 negatives changed.
    # Its false alarms fixed by class (public figures: several hundred eponyms and historical physicians, a full name
    # with a listed surname; words of the concept lexicon and Persian verb forms no names on their shape alone; a
    # ZWNJ compound of two words that are words first no given name): recall 0.984, names 0.981, precision 0.999,
    # 1 of 1,700 negatives changed (0.06%).
    # sealed round 7 (batch-s13/-s14, 280 texts written blind after commit eee520f, the shipped redactor), measured
    # before joining as sealed-s13/-s14: recall 0.955 (95% CI 0.928-0.972), names 0.949, precision 0.988, negatives
    # changed 2/140 (1.4%): the issue's three bars met. Joined as found (the name model not retrained on them):
    # recall 0.9815, names 0.978, precision 0.998, 3 of 1,840 negatives changed (0.16%).
    # sealed round 8 (batch-s15/-s16, 280 texts written blind after commit 8c479bf, the shipped redactor: a
    # speed-only change with identical outputs, and words of the concept lexicon added since round 7), measured
    # before joining as sealed-s15/-s16: recall 0.985 (95% CI 0.958-0.995), names 0.990, precision 1.000, negatives
    # changed 0/140. Joined as found: recall 0.9816, names 0.9785, precision 0.998, 3 of 1,980 negatives changed.
    # The limits below are what it achieves, not targets.
    figures = evaluate([item for items in pool.values() for item in items])
    assert figures["labelled_spans"] >= 2700 and figures["items_with_personal_data"] >= 1250
    assert figures["spans_by_kind"]["name"] >= 1500 and figures["items_without_personal_data"] >= 1400
    assert figures["recall"] >= 0.981, figures["misses"]
    assert figures["names_recall"] >= 0.977
    assert figures["precision"] >= 0.997, figures["false_positives"]
    assert figures["false_alarm_rate"] <= 0.002, figures["false_positives"]
    assert figures["recall_interval"][0] < figures["recall"] < figures["recall_interval"][1]
    # the writer the rules were written alongside, and the first independent writer
    assert evaluate(pool["dev-2026-11"])["recall"] == 1.0 and evaluate(pool["writer-p1"])["recall"] >= 0.97


def test_committed_figures_are_current():
    """hub_tools/data/redaction_eval.json matches the pool and the code; regenerate with
    `python -m hub_tools.data.redaction_eval tests/hub_tools/data/redaction_pool --write`."""
    committed = labelled_set_figures()
    assert committed["sha256"] == pool_digest([POOL])
    fresh = json.loads(json.dumps(pool_figures([POOL])))
    assert committed == fresh


def test_readme_quotes_the_packaged_sealed_figures():
    import importlib.util

    root = Path(__file__).resolve().parents[3]
    spec = importlib.util.spec_from_file_location("redaction_bench", root / "bench" / "redaction_bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert bench.readme_block() in readme
    assert "recall 99.5%" not in readme.lower()


def test_cards_quote_sealed_figures_or_say_not_measured():
    from hub_tools.data.redact import sealed_figures
    from hub_tools.data.report import redaction_quality

    figures = sealed_figures()
    assert figures["status"] in ("measured", "not measured yet")
    quality = redaction_quality()
    assert ("sealed" in quality) == (figures["status"] == "measured")


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("Policy no. SAMAN-HL-0098213 / dependents", "record_number", "SAMAN-HL-0098213"),
        ("Please move my visit (booking #40217) to Monday.", "record_number", "#40217"),
        ("Reminder: patient (file F-20931) called.", "record_number", "F-20931"),
        ("کد اهداکننده: ت-۳۳۸۱۹۰ — گروه خونی", "record_number", "ت-۳۳۸۱۹۰"),
        ("سفارش شماره ۷۷۶۵۴۳ — گیرنده", "record_number", "۷۷۶۵۴۳"),
        ("shomare parvande 3321. mamnoon", "record_number", "3321"),
        ("kod e rahgiri: LB77120", "record_number", "LB77120"),
        ("shomare card baraye variz e hazine visit: 6274121193456781 lotfan", "card", "6274121193456781"),
    ],
)
def test_record_ids_and_cards_by_keyword_and_shape(text, kind, expected):
    found = {(span.kind, text[span.start : span.end]) for span in find_personal_data(text)}
    assert (kind, expected) in found


@pytest.mark.parametrize(
    "text",
    [
        "لطفا نوبت ۱۸ آذر رو ثبت کنید.",  # a date after "نوبت"
        "Ferritin: 9 ng/mL (Ref: 13-150)",  # a reference range
        "doktor baraye pesaram Augmentin 400 neveshte, har 12 saat 5cc.",  # a drug brand
        "نیلوفر آبی برای زخم معده خوبه؟",  # a plant
        "نام خانوادگی: ................ نام همراه: ........",  # form labels
        "راهنمای تغذیه در سایت سازمان جهانی بهداشت www.who.int موجوده.",  # a public institution's site
        "نوبتش از طریق سامانه es.tamin.ir گرفته میشه؟",
    ],
)
def test_no_personal_data_in_dates_ranges_drugs_plants_labels(text):
    assert find_personal_data(text) == []


def test_an_ordinary_word_given_name_is_not_repeated():
    text = "سلام دکتر، من امید هستم. امید دارم این دفعه جواب خوب باشه"
    names = [text[span.start : span.end] for span in find_personal_data(text) if span.kind == "name"]
    assert names == ["امید"]


def test_a_persons_mailbox_at_an_institution_is_still_redacted():
    text = "ایمیل دکتر: dr.parisa.nouri@tums.ac.ir و سایت https://www.tums.ac.ir/about"
    assert [(span.kind, text[span.start : span.end]) for span in find_personal_data(text)] == [
        ("email", "dr.parisa.nouri@tums.ac.ir")]


def _found(text: str) -> list[tuple[str, str]]:
    return [(span.kind, text[span.start : span.end]) for span in find_personal_data(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a word between the keyword and the number, Arabic-Indic digits (folded before the checks)
        ("کد ملی پدربزرگ: ٠٠٤١٣٦٧٢٥٨", [("national_id", "٠٠٤١٣٦٧٢٥٨")]),
        # ten digits grouped otherwise, after NID
        ("Mr X (NID 1983-204-776) was seen.", [("national_id", "1983-204-776")]),
        # a form's field set off by slashes in a patient's line
        ("ثبت‌نام بیمار: / ۴۱۲۰۵۵۸۷۳۹ / بیمه سلامت", [("national_id", "۴۱۲۰۵۵۸۷۳۹")]),
        # the same digits in running text with no keyword are a count
        ("در این نمونه 4120558739 عدد باکتری دیده شد", []),
    ],
)
def test_national_id_shapes_and_fields(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Policy: KT/40917726", [("record_number", "KT/40917726")]),
        ("Adm no. B-17/30452.", [("record_number", "B-17/30452")]),
        ("Ref: LB-7712-08.", [("record_number", "LB-7712-08")]),
        ("Pt ID ۰۰۷۷۱۲۹۴ | Ward 3", [("record_number", "۰۰۷۷۱۲۹۴")]),
        ("شماره پرونده ۴۵۱۲/۸۸۳ ثبت شد", [("record_number", "۴۵۱۲/۸۸۳")]),
        ("Sample ID: HB-2211-5530", [("record_number", "HB-2211-5530")]),
        # ranges of values are no ids
        ("WBC ref range 4000-11000", []),
        ("Ferritin 9 ng/mL (Ref: 13-150)", []),
    ],
)
def test_record_ids_with_letters_and_slashes(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("بیمار زهرا السادات کاظمی بستری شد", [("name", "زهرا السادات کاظمی")]),
        ("نوبت دکتر مهر‌زاد رو گرفتم", [("name", "مهر‌زاد")]),
        ("Bed 4 | Ali-Reza Karimi | Ward 2", [("name", "Ali-Reza Karimi")]),
        ("خواهرم شهره خیلی نگرانه", [("name", "شهره")]),
        # a form label after "— نام" is no name
        ("فرم — نام بیمه‌شده: کاوه رستمی", [("name", "کاوه رستمی")]),
    ],
)
def test_name_particles_and_contexts(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # historical physicians and eponyms, with the given names they are cited with
        "Dr. Robert Koch identified the tubercle bacillus in 1882.",
        "William Harvey described the circulation of the blood.",
        "ادوارد جنر اولین واکسن آبله را ساخت و لویی پاستور واکسن هاری را.",
        "Sir William Osler wrote that the good physician treats the disease.",
        "سندرم ورنیکه کورساکوف در الکلی‌ها دیده می‌شود.",
        # drugs, diseases and tests of the concept lexicon after "دکتر", and verb forms after a title
        "دکتر گالانتامین نوشته، با غذا بخورم؟",
        "خانم دکتر ممانتین شبی یک عدد نوشتن، عوارضش چیه؟",
        "آقای دکتر گفتید روزی دو بار بخورم یا یک بار؟",
        "دکتر نوشتید بعد از غذا، ولی داروخانه گفت ناشتا.",
        # a ZWNJ compound of two words that are words first
        "بدین‌وسیله گواهی می‌شود که آزمایش‌ها طبیعی است.",
    ],
)
def test_public_figures_drugs_and_verbs_are_no_names(text):
    assert find_personal_data(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a listed surname named as a person of the message (a personal title, a kinship word) is still a name
        ("my neighbour Mr Barnard called about the results", "Barnard"),
        ("Hi, this is Mr Koch, my daughter has a fever since last night", "Koch"),
        ("My husband Harvey Smith has had diabetes for ten years", "Harvey Smith"),
        # a gazetteer name after a title is still one where the verb and drug rules apply
        ("آقای دکتر رحیمی گفتند روزی دو بار بخورم", "رحیمی"),
    ],
)
def test_names_beside_public_figures_drugs_and_verbs_stay_names(text, name):
    redacted, _ = redact_personal_data(text)
    assert name not in redacted
