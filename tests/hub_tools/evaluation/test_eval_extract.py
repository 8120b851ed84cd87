"""extract_choice: every accepted answer form, the tie-break rule, and the outputs that must be "invalid"."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub_tools.evaluation.extract import INVALID, decision_trace, explain_choice, extract_choice
from hub_tools.evaluation.extraction_pool import FIRST_SET_WRITER, PoolError, measure, read_jsonl, read_pool


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # bracketed letters (the paper's own option format) and bold
        ("[A]", "A"),
        ("پاسخ صحیح گزینه [D] است.", "D"),
        ("پاسخ صحیح **[B]** است.", "B"),
        ("پاسخ صحیح این است که **A** : مثانه.", "A"),
        ("[ C ] : فلج عضلات صورت", "C"),
        ("(B)", "B"),
        ("[c] فلکشن", "C"),
        ("[Ｃ] : زائده های فک بالا", "C"),  # full-width letter
        # A)  A.  A:  at a line start
        ("A) فلج عضلات صورت", "A"),
        ("B. مثانه", "B"),
        ("توضیح کوتاه\nC: کلیه", "C"),
        ("- D - غدد عرق", "D"),
        # گزینه + letter / digit (ASCII, Persian, Arabic-Indic) / Persian letter / ordinal
        ("گزینه A درست است", "A"),
        ("گزینه ۲ درست است", "B"),
        ("گزینه 3", "C"),
        ("گزینه ٤ صحیح است", "D"),
        ("گزینه‌ی ب صحیح است", "B"),
        ("گزینه الف", "A"),
        ("گزینه ج درست است", "C"),
        ("گزینه د", "D"),
        ("گزینه شماره ۱", "A"),
        ("گزینه دوم صحیح است", "B"),
        ("گزينه ۴", "D"),  # Arabic yeh in گزینه
        # answer keywords
        ("پاسخ: ج", "C"),
        ("جواب درست: ۱", "A"),
        ("پاسخ صحیح د است", "D"),
        ("Answer: B", "B"),
        ("The correct answer is (C).", "C"),
        ("I choose option D because", "D"),
        # the whole output is a single option
        ("B", "B"),
        ("  ب  ", "B"),
        ("۳", "C"),
        ("٢.", "B"),
        ("الف", "A"),
        ("D.", "D"),
        # line-start Persian letters and digits with a parenthesis
        ("الف) نورون های حرکتی", "A"),
        ("۴) غدد عرق", "D"),
        ("2) ماهیچه های اسکلتی", "B"),
    ],
)
def test_accepted_forms(text, expected):
    assert extract_choice(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        None,
        42,
        "پاسخ صحیح کدام است؟",
        "پاسخ:",
        "کمبود ویتامین A باعث شب‌کوری می‌شود.",  # a letter in prose is not an answer
        "گلومرول (بخش B) مجموعه‌ای از مویرگ‌ها است",
        "1. علت اول\n2. علت دوم",  # a numbered list is not an answer
        "گزینه‌های دیگر نادرست هستند",  # plural "options"
        "گزینه 5",
        "[E]",
        "بزاقِِِِِِِِِِِِِِِِِِِ",
        "دوز ۱.۵ میلی‌گرم",
        "<|END_OF_TURN_TOKEN|>",
        "AB",
    ],
)
def test_invalid_outputs(text):
    assert extract_choice(text) == "invalid"


def test_decisive_statement_not_first_marker():
    text = "پاسخ صحیح گزینه [D] است.\n\nگزینه [A] و [B] صحیح نیستند. گزینه [C] نیز کامل نیست."
    assert extract_choice(text) == "D"
    assert extract_choice("[A] و [B] هر دو درست به نظر می‌رسند") == "invalid"  # ambiguous
    # the issue's three cases: an echoed option list, a negation, a letter inside a name
    assert extract_choice("A) آپاندیس\nB) کیسه صفرا\nC) طحال\nD) مثانه\n\nگزینه C درست است") == "C"
    assert extract_choice("گزینه A نادرست است. گزینه C درست است.") == "C"
    assert extract_choice("ویتامین D : در جذب کلسیم نقش دارد.") == "invalid"
    assert extract_choice("A) آپاندیس\nB) کیسه صفرا\nC) طحال\nD) مثانه") == "invalid"  # only the echo


def test_answer_statement_beats_an_earlier_walkthrough_of_the_options():
    text = "[A] : کام سخت\nتوضیح.\n[B] : لب بالا\nتوضیح.\n\nبنابراین، پاسخ صحیح گزینه [D] است."
    assert extract_choice(text) == "D"


def test_mixed_digits_and_letter_forms():
    assert extract_choice("پاسخ: ۲ (یعنی گزینه B)") == "B"
    assert extract_choice("گزینه ٣ و نه گزینه 1") == "C"
    assert extract_choice("**۴**") == "D"
    assert extract_choice("**ب**") == "B"


DATA = Path(__file__).parent / "data"
LABELLED = DATA / "extraction_labelled.tsv"
POOL_DIR = DATA / "extraction_pool"


def _labelled() -> list[tuple[str, str]]:
    rows = []
    for line in LABELLED.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        label, text = line.split("\t", 1)
        rows.append((label, text.replace("\\n", "\n")))
    return rows


def scores(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """accuracy; precision = right among the outputs given an option; recall = options recovered among the outputs
    labelled with one; false_answer_rate = outputs labelled invalid that got an option."""
    answered = [(gold, got) for gold, got in pairs if got != "invalid"]
    labelled = [(gold, got) for gold, got in pairs if gold != "invalid"]
    negatives = [(gold, got) for gold, got in pairs if gold == "invalid"]
    return {
        "n": len(pairs),
        "accuracy": sum(g == p for g, p in pairs) / len(pairs),
        "precision": sum(g == p for g, p in answered) / len(answered),
        "recall": sum(g == p for g, p in labelled) / len(labelled),
        "false_answer_rate": sum(p != "invalid" for _, p in negatives) / len(negatives),
    }


def test_first_labelled_set_precision_and_recall():
    """The first hand-labelled set (writer dev-2026-11, written with the extractor, no options)."""
    pairs = [(label, extract_choice(text)) for label, text in _labelled()]
    wrong = [(label, got, text[:80]) for (label, got), (_, text) in zip(pairs, _labelled()) if label != got]
    result = scores(pairs)
    assert result["n"] == 205 and sum(g == "invalid" for g, _ in pairs) == 80  # one relabelled: see its comment
    assert result["accuracy"] == 1.0 and result["precision"] == 1.0 and result["recall"] == 1.0, wrong
    assert result["false_answer_rate"] == 0.0


#: The pool's figures as measured (README "Answer extraction"); each writer's file was also measured on arrival,
#: before any change it prompted (FIRST_SIGHT), which is the blind figure.
#: sealed-s1 and sealed-s2: the sealed batches, written blind after the extractor's last change and measured before
#: they joined the pool (bench/results/extract_sealed.json: 125/130 and 124/130). Kinds of phrasing their misses showed
#: are now read (self-corrections, a last sentence that is one option or "→ X.", a lone line continuing a cut-off
#: option list, "option:" before a list, a number with a unit, an abbreviation of one option's words, an option's
#: text named alone in the opening sentence before other options' texts): 10 of 11.
#: sealed-s3 and sealed-s4: the second sealed round, written after that change and measured before joining
#: (bench/results/extract_sealed-2.json: 123/130 and 130/130, with 2 wrong letters: sealed-s3:26 and :36, the answer
#: given by an option's text while another option was named by its letter in passing).
#: Since then extraction weighs the evidence against its decision and abstains on a conflict (module docstring, step
#: 7): sealed-s3:36 is read (its "So the answer here is A." is an answer statement), sealed-s3:26 is abstained on.
#: writer-p4 (/work/pools/extraction, 150 outputs written to probe conflicting evidence): measured blind on arrival
#: at 120/150 with 5 wrong letters (:44, :89, :100, :123, :145), then studied; its 22 labels written as JSON null
#: (the output gives no answer) are folded in as "invalid", every other label as written.
#: implementer-s4-23: conflict cases written by the implementer of the conflict rules (not an independent writer; a
#: check of the categories, not a blind figure): 43/49 with 1 wrong letter when written, before the rules it prompted.
#: sealed-s5 and sealed-s6: the third sealed round, written blind after commit dbf77c5 (the conflict rules) and
#: measured there before joining (bench/results/extract_sealed-3.json: 118/130 with 1 wrong letter and 129/130);
#: labels as written (null = invalid, as for writer-p4). Their misses showed abstentions on outputs that state their
#: answer plainly; since then an answer statement (an opening label, label and text, or text as a heading; an explicit
#: conclusion, the later winning) is not voided by later talk of other options, and two abstentions were removed.
#: sealed-s7 and sealed-s8: the fourth sealed round, written blind after commit 349394f (answer statements) and
#: measured there before joining (bench/results/extract_sealed-4.json: 126/130 and 122/130, 0 wrong letters, 3 false
#: answers); labels as written (null = invalid). Their misses prompted rules by concept (README): the question's
#: polarity (an option called false answers a question asking for the false statement or the exception), retractions,
#: a check mark, an opening label with a heading, a conceded option, an option's head word, and abstention on outputs
#: that need more information or offer two options as acceptable: both files 130/130 since (not a blind figure).
#: sealed-s9 and sealed-s10: the fifth sealed round, written blind after commit 86ea307 (those rules) and measured
#: there before joining (bench/results/extract_sealed-5.json: 121/130 with 2 wrong letters and 126/130 with 1; 247/260
#: = 0.950). Labels as written (null = invalid). No rule was changed after this round: the shipped extractor is the
#: one measured, and its three wrong letters stay in the pool as found (sealed-s9:55 and :111, a hedged "Hmm ... But"
#: reading; sealed-s10:50, a two-word output close to another option's text).
POOL_WRITERS = {FIRST_SET_WRITER: 205, "writer-p1": 140, "writer-p2": 140, "writer-p3": 140, "sealed-s1": 130,
                "sealed-s2": 130, "sealed-s3": 130, "sealed-s4": 130, "writer-p4": 150,
                "implementer-s4-23": 49, "sealed-s5": 130, "sealed-s6": 130,
                "sealed-s7": 130, "sealed-s8": 130, "sealed-s9": 130, "sealed-s10": 130,
                "sealed-s11": 130, "sealed-s12": 130, "sealed-s13": 130, "sealed-s14": 130, "sealed-s15": 130,
                "sealed-s16": 130, "sealed-s17": 130, "sealed-s18": 130, "sealed-s19": 130,
                "sealed-s20": 130, "sealed-s21": 130, "sealed-s22": 130, "sealed-s23": 130,
                "sealed-s24": 130, "sealed-s25": 130, "sealed-s26": 130, "sealed-s27": 130,
                "sealed-s28": 130, "sealed-s29": 130, "sealed-s30": 130, "sealed-s31": 130,
                "sealed-s32": 130, "sealed-s33": 130, "sealed-s34": 130, "sealed-s35": 130,
                "sealed-s36": 130, "sealed-s37": 130, "sealed-s38": 130, "sealed-s39": 130,
                "sealed-s40": 130, "sealed-s41": 130, "sealed-s42": 130, "sealed-s43": 130,
                "sealed-s44": 130, "sealed-s45": 130, "sealed-s46": 130,
                "sealed-s47": 130, "sealed-s48": 130, "sealed-s49": 130, "sealed-s50": 130}  # fmt: skip
FIRST_SIGHT = {"writer-p1": (128, 140), "writer-p2": (136, 140), "writer-p3": (126, 140), "sealed-s1": (125, 130),
               "sealed-s2": (124, 130), "sealed-s3": (123, 130), "sealed-s4": (130, 130), "writer-p4": (120, 150),
               "implementer-s4-23": (43, 49), "sealed-s5": (118, 130), "sealed-s6": (129, 130),
               "sealed-s7": (126, 130), "sealed-s8": (122, 130), "sealed-s9": (121, 130),
               "sealed-s10": (126, 130), "sealed-s11": (112, 130), "sealed-s12": (82, 130),
               "sealed-s13": (110, 130), "sealed-s14": (105, 130), "sealed-s15": (120, 130),
               "sealed-s16": (114, 130), "sealed-s17": (97, 130), "sealed-s18": (106, 130),
               "sealed-s19": (110, 130), "sealed-s20": (115, 130), "sealed-s21": (117, 130),
               "sealed-s22": (122, 130), "sealed-s23": (109, 130), "sealed-s24": (113, 130),
               "sealed-s25": (107, 130), "sealed-s26": (121, 130), "sealed-s27": (113, 130),
               "sealed-s28": (119, 130), "sealed-s29": (119, 130), "sealed-s30": (122, 130),
               "sealed-s31": (115, 130), "sealed-s32": (115, 130), "sealed-s33": (124, 130),
               "sealed-s34": (121, 130), "sealed-s35": (114, 130), "sealed-s36": (119, 130),
               "sealed-s37": (110, 130), "sealed-s38": (117, 130), "sealed-s39": (113, 130),
               "sealed-s40": (116, 130), "sealed-s41": (114, 130), "sealed-s42": (120, 130),
               "sealed-s43": (115, 130), "sealed-s44": (118, 130), "sealed-s45": (115, 130),
               "sealed-s46": (115, 130), "sealed-s47": (119, 130), "sealed-s48": (120, 130),
               "sealed-s49": (113, 130), "sealed-s50": (123, 130)}  # fmt: skip
#: Since then (issue #23) an answer given as a loose form of an option's text is scored (hub_tools/evaluation/
#: option_match.py: distinctive terms weighted by how few options share them, numbers however written, the other
#: script by consonant skeleton, a clear lead required; thresholds checked leave-one-writer-out, bench/extract_lowo.py)
#: and "I'll say/choose X" states X: sealed-s9 125/130 and sealed-s10 127/130 with no wrong letter (not blind figures);
#: sealed-s10:50 ("کم‌خونی فقر آهن", once read C) is abstained on.
# still missed (never a wrong letter): sealed-s2:29 ("جواب گزینه ۱" while the explanation names option 2's text: the
# writer labels it invalid, read A); sealed-s3:26; sealed-s5:77 ("قرص‌های OCP ترکیبی": a partial match with another
# word beside it, abstained); sealed-s10:50, :77, :92; sealed-s9:9, :65, :85, :90, :113; writer-p4: 19 outputs,
# most naming the answer by a synonym, a translation or an abbreviation ("VZV", "X-linked recessive", "Battle sign"),
# or where the conflict rules abstain; implementer-s4-23: 4
#: sealed-s11 and sealed-s12: the sixth sealed round, written blind after commit 827e57c (the option scorer) and
#: measured there before joining (bench/results/extract_sealed-6.json: 112/130 with 2 wrong letters and 82/130 with 2;
#: 194/260 = 0.746). Their writers were asked to favour answers given as the option's content in other words: most
#: misses name the answer by a synonym, a brand, a translation or an abbreviation ("Tegretol", "High potassium",
#: "پروزاک", "PTU"), which no string method reads. Labels as written; misses and wrong letters left as found.
#: Since then (not blind figures): a retraction ("Actually, wait —", "sorry, correction:", "صبر کن") withdraws the
#: answer before it, and the rest is read alone (sealed-s11:42, sealed-s12:36); an opening letter set off by a dash or
#: a comma is a statement and outweighs option texts after it (sealed-s11:83, :116, :123, sealed-s12:11); a near
#: spelling counts only between words longer than 8 letters ("Rubeola" is not "Rubella", sealed-s12:22, now a miss);
#: "the answer is most likely B", "change my answer to D", "گزینه چهارمه", "جواب من نقرس حاده", a leading "a." label,
#: alternatives narrowed by a later stated answer, "I'd rather not guess": sealed-s11 121/130, sealed-s12 85/130,
#: no wrong letter in the pool; no other writer changed.
#: sealed-s13 and sealed-s14: the seventh sealed round, written blind after commit fe55488 (those changes) and
#: measured there before joining (bench/results/extract_sealed-7.json: 110/130 and 105/130, one wrong letter each;
#: 215/260 = 0.827). Misses: synonyms, translations and abbreviations again ("PTU", "Central DI", "Cipro"), Finglish
#: statements ("Gozine B.", "Javab: C —"), an answer followed by a made-up next question; wrong letters: a check mark
#: beside the last item of a list (sealed-s13:6), "the only option that really ..." naming D's text after C's
#: (sealed-s14:89). Labels as written; left as found.
#: Since then (not blind figures): the medical concept lexicon (hub_tools/evaluation/concepts.tsv, written from
#: general medical knowledge, not from the pool's misses) reads an option named by a synonym, a brand, an
#: abbreviation or a translation where its words give none ("PTU", "Tegretol", "پروزاک", "High potassium",
#: "Central DI"): 37 misses read right, no right answer lost, no new wrong letter. Then Finglish statements
#: ("Gozine B.", "Javab: C —", "javab gozine 1 e") read as their Persian forms; a check mark beside one item of a list
#: of the options states that item (sealed-s13:6, once a wrong letter); "the only option that really …" / "تنها
#: گزینه‌ای که …" states the option its sentence names (sealed-s14:89, once a wrong letter); an answer followed by a
#: made-up next question is read up to that question (sealed-s13:52). No wrong letter left in the pool.
#: sealed-s15 and sealed-s16: the eighth sealed round, written blind after commit ac2bb42 (the lexicon and those
#: classes) and measured there before joining (bench/results/extract_sealed-8.json: 120/130 with no wrong letter and
#: 114/130 with one; 234/260 = 0.900). Misses: paraphrases the lexicon lacks ("suppressing glucose output from the
#: liver"), an answer inside a JSON object, "My pick: A (…)", an elimination that ends on the remaining option's text;
#: the wrong letter: that elimination ("It's not C (…), not A (…), and not D (…). That leaves the simian crease.",
#: sealed-s16:61, read C). Labels as written; left as found.
#: Since then (not blind figures): an elimination that rejects three options and says so ("That leaves …", "by
#: elimination", "پس می‌ماند …") reads the fourth (sealed-s16:61, no longer a wrong letter); an option rejected by its
#: letter in words ("گزینه الف نیست", "not C") is never read from its text (sealed-s16:96, once a false answer); an
#: opening sentence that only rejects lets the next one answer (sealed-s16:45, implementer-s4-23:45/46); structured
#: answers ('"selected_option": "الف"', "My pick: A"); "Either A or C" offers two (sealed-s16:42, once a false
#: answer); an answer statement to a question asking for the exception stands though its clause says "not"
#: (sealed-s15:46); a rival after a contrast ("I'd answer B, though …") is set aside; the lexicon extended by family
#: (coagulation factors I-XIII in every numeral, the LMWHs, imaging abbreviations, organisms' short forms). 2787 ->
#: 2807 right, 1 -> 0 wrong letters, 6 -> 4 false answers, 110 -> 93 missed; no right answer lost.
#: sealed-s17 and sealed-s18: the ninth sealed round, written blind after commit c01af30 (those changes) and
#: measured there before joining (bench/results/extract_sealed-9.json: 97/130 with one wrong letter and 106/130;
#: 203/260 = 0.781). Misses: mostly answers by paraphrase or by a term the lexicon lacks ("Breslow depth", "CN V3",
#: "HMP shunt", "Owl-eye cells"), then "— option b." in lower case and "پس ۲"; the wrong letter: "ب — …. گزینه الف
#: تعریف ویژگی است …" read A (sealed-s17:94). Labels as written; left as found.
#: Session 6, fixes by class after round 9: abbreviations spelled by an option's words and the reverse
#: (hub_tools/evaluation/abbreviations.py: "ASD", "SNc", "Angiotensin-converting enzyme" for "ACE"); an opening
#: Persian letter set off by a dash; "option b"; "i.e."/"so"/"go with" before an option's text; the one phrase in
#: bold; options offering alternatives ("X یا Y"); concessive clauses ("though it's not perfect") are no rejection;
#: an answer that repeats the question's own verdict ("… جزو معیارهای ABCDE نیست"); a walk through all four options
#: is no answer; "ب هم درست باشد" is a second answer; number words with a scale ("صد هزار") and thousands
#: separators; the Latin "-s" a Persian transliteration drops ("neuritis"/"نوریت"); lexicon families (vitamin B
#: numbers, nerve branches, fluid compartments, pathways, genes) and a bilingual glossary of common option words.
#: 3010 -> 3048 right, 1 -> 0 wrong letters, 6 -> 4 false answers; no right answer lost.
#: sealed-s19 and sealed-s20: the tenth sealed round, written blind after commit 63f9d0c (those changes) and measured
#: there before joining (bench/results/extract_sealed-10.json: 110/130 and 115/130, 225/260 = 0.865, 0 wrong
#: letters, 2 false answers). Misses: clipped or lay forms and terms the lexicon lacks ("vanc", "Koplik spots",
#: "PTHrP", "Little's area", "DigiFab"), Finglish without a statement word, a formula ("NNT = 1/ARR"). Labels as
#: written; left as found.
#: Since then, by class: a clipped word of one option's word in a terse answer ("vanc"), "Ans: B", a left arrow,
#: a final Persian letter after a comma, Finglish ordinals ("gozine aval"), an option offered with another ("X یا
#: PTU") or asked ("هپاتیت B یا C؟") is no answer, an aside in parentheses set apart, British spellings and Persian
#: transliterations with and without their long vowels, brand and sign families in the lexicon: 3273 -> 3295.
#: sealed-s21 and sealed-s22: the eleventh sealed round, written blind after commit 8d77770 (those changes) and
#: measured there before joining (bench/results/extract_sealed-11.json: 117/130 and 122/130, 239/260 = 0.919, 0 wrong
#: letters, 2 false answers). Misses: paraphrases ("reducing glucose production by the liver"), brands the lexicon
#: lacks ("Praxbind", "Ativan"), Finglish without a statement word ("pashe khaki"). Labels as written; left as found.
#: Then: an opening that names one option by a loose form of its text abstains against a later bare mention of
#: another (the stress check's "X (option B) is used in other settings"), and "AFB." ends an opening segment.
#: sealed-s23 and sealed-s24: the twelfth sealed round, written blind after commit 2a6b151 (those changes) and
#: measured there before joining (bench/results/extract_sealed-12.json: 109/130 with 1 wrong letter and 113/130,
#: 222/260 = 0.854). The wrong letter: "Squamous cell carcinoma — …" read as "آدنوکارسینوم" (the skeleton of
#: "carcinoma" inside that of "adenocarcinoma"; sealed-s23:96). Misses: paraphrases, brands and abbreviations the
#: lexicon lacks ("Chantix", "EPS", "UMN lesion"). Labels as written; left as found.
#: Then: a skeleton with another word before it is not the same word in the other script ("carcinoma" is not
#: "آدنوکارسینوم"; an ending after it still is: "synchronized"/"سینکرونایز"); the abstention above reads the opening
#: segment alone.
#: sealed-s25 and sealed-s26: the thirteenth sealed round, written blind after commit b125040 (the shipped extractor)
#: and measured there before joining (bench/results/extract_sealed-13.json: 107/130 with 1 wrong letter and 121/130,
#: 228/260 = 0.877). The wrong letter: "Cobalamin deficiency — the elevated MMA distinguishes it from folate
#: deficiency." read as the folate option, the only one named by its exact text (sealed-s25:62). Misses: synonyms,
#: brands and translations the lexicon lacks ("Coeur en sabot", "سینمت", "PPI"), "الف درسته". Left as found.
#: Session 7 (no new writer): the concept lexicon grew from 822 to about 4,600 concepts (four helpers wrote it from
#: general medical knowledge, one area each, without the pool's outputs; duplicate ids merged, a form two concepts
#: share names neither); "الف درسته", a letter closing the output after a dash ("Alogia — ج"), "هایپر"/"هیپر" spelt
#: either way, number words before a unit ("شش ماه"), ordinals by a naming word ("the third phase"), "۱۰۰ هزار",
#: "گزینه B. glucose" (an option word: no genus initial), "پس ۲", and a comparison the question asks in ("کمتر از")
#: read as no contrast.
#: sealed-s27 and sealed-s28: the fourteenth sealed round, written blind after commit 9e68eb3 (the lexicon above; the
#: shipped extractor) and measured there before joining (bench/results/extract_sealed-14.json: 113/130 with 2 wrong
#: letters and 119/130, 232/260 = 0.892). The wrong letters: "Option A alone is inadequate when there is active
#: bleeding. …" read as A (sealed-s27:43: "inadequate" is no rejection the rules know) and "The most common cyanotic
#: … is tetralogy of Fallot, while the most common defect overall is the VSD" read as the Fallot option (sealed-s27:89).
#: Misses: synonyms, brands and clipped forms the lexicon lacks ("AVSD", "UFH", "زانتاک", "آزیترو", "jigar"). Left as
#: found. Then: "inadequate"/"insufficient" reject, "distinguishes it from X" sets X apart, what an answer word says
#: is read loosely ("the answer is VSD."), "جواب میشه ب": the three wrong letters of rounds 13 and 14 now read B or no
#: answer.
#: sealed-s29 and sealed-s30: the fifteenth sealed round, written blind after commit fe835a7 (the shipped extractor)
#: and measured there before joining (bench/results/extract_sealed-15.json: 119/130 and 122/130 with a wrong letter
#: each, 241/260 = 0.927). The wrong letters: "… overriding aorta, … An ASD is not one of them … The EXCEPT answer is
#: D." read as the overriding-aorta option (sealed-s29:65), and "… so A is out." read as A (sealed-s30:5). Left as
#: found. Then: "is out" rejects, the exception word the question asks with ("The EXCEPT answer is D.") is no
#: negation, a terse answer that is one option's head and that head no other option's reads it ("INH" for
#: "ایزونیازید به مدت ۶ تا ۹ ماه"), the Persian letters' names in Finglish ("gozine dal"), a lower-case letter after
#: "گزینه", and a few lexicon forms ("sleep"/"خواب", X-linked hypophosphatemic rickets, "HCO3-"): both wrong letters
#: now read D and no answer.
#: sealed-s31 and sealed-s32: the sixteenth sealed round, written blind after commit a15996f (the shipped extractor)
#: and measured there before joining (bench/results/extract_sealed-16.json: 115/130 and 115/130, 230/260 = 0.885, no
#: wrong letter, 2 false answers). Misses: clipped and Finglish forms ("ونکو", "shish mah", "Kalsiom oksalat"), Persian
#: translations and synonyms the lexicon lacks ("گربه", "حوادث رانندگی"). Left as found. Then: a second bilingual
#: glossary (688 everyday words of options, written by a helper from general knowledge; direction words such as
#: "high", "normal", "positive" left out: alone they name no option of a pattern of results), Finglish numbers before
#: a unit ("shish mah").
#: sealed-s33 and sealed-s34: the seventeenth sealed round, written blind after commit 1725a0d (the shipped extractor)
#: and measured there before joining (bench/results/extract_sealed-17.json: 124/130 and 121/130, 245/260 = 0.942, no
#: wrong letter, 4 false answers: hedges that name one option's text or letter). Left as found.
#: Session 8 (no new writer): an output that weighs two readings ("could be B as well", "بستگی دارد", "هر دو") gives no
#: answer; a concept said, or an option's concept, written as another of the lexicon's forms; a direction of change
#: as one term ("C3 پایین" = "کاهش C3"); clipped Persian words; "گز" as Latin x in the skeleton; 18,304 more lexicon
#: forms for existing concepts (98 that another concept already went by left out).
#: sealed-s35 and sealed-s36: the eighteenth sealed round, written blind after commit cf72b3e (those changes) and
#: measured there before joining (bench/results/extract_sealed-18.json: 114/130 and 119/130, 233/260 = 0.896, 3 wrong
#: letters: "sandfly" for "پشه آنوفل" and "پشه آنوفل ماده" for "Sandfly", a near skeleton of five consonants across
#: scripts; "استفراغ … بدون صفرا" for "استفراغ صفراوی"). Labels as written. Then: a near skeleton in the other script
#: only from six consonants on; "بدون X" read as "غیرX"; "so A and B", "I always mix these two up" and an announced
#: walk through the options as no answer; "I mean C" and "… نه، منظورم ج" as a correction; "4g" as "4 g".
#: sealed-s37 and sealed-s38: the nineteenth sealed round, written blind after commit e45960e and measured there before
#: joining (bench/results/extract_sealed-19.json: 110/130 and 117/130, 227/260 = 0.873, 3 wrong letters: "tall,
#: tented T waves" for "U waves" (the one-letter words dropped); "Fluids first! IV normal saline, then insulin …" for
#: insulin; "7 mg/kg... hmm, no, 7 mg/kg is the limit with epinephrine" for 7 mg/kg). Labels as written. Then: a lone
#: capital before an English word is a term ("U waves"); a runner-up said before the best option leaves the answer
#: open; "... hmm, no" retracts, and the withdrawn option named again after it is no answer; "ممکنه الف هم باشه".
#: sealed-s39 and sealed-s40: the twentieth sealed round, written blind after commit 1a9e1e2 and measured there before
#: joining (bench/results/extract_sealed-20.json: 113/130 and 116/130, 229/260 = 0.881, 1 wrong letter: "The four
#: components are VSD, overriding aorta, …" for an EXCEPT question read as the overriding-aorta option). Labels as
#: written. Then: under a question asking for the exception, an option named only as an item of a list is no answer;
#: Finglish "1 ya 3" hedges.
#: sealed-s41 and sealed-s42: the twenty-first sealed round, written blind after commit f7711de and measured there
#: before joining (bench/results/extract_sealed-21.json: 114/130 and 120/130, 234/260 = 0.900, 1 wrong letter: "ویتامین
#: B3" read as "تیامین", a Persian spelling variant by skeleton). Labels as written. Then: Persian spelling variants
#: from the same first letter only; "مردد"/"دودل"/"torn between" say the output is unsure.
#: sealed-s43 and sealed-s44: the twenty-second sealed round, written blind after commit 7c04c7b (the shipped
#: extractor: nothing was changed after it) and measured there before joining (bench/results/extract_sealed-22.json:
#: 115/130 and 118/130, 233/260 = 0.896, 1 wrong letter: sealed-s44:45, "Serology stays positive for months …, so
#: it's useless here. The urea breath test …" read as serology). Labels as written; its wrong letter stays as found.
#: Since then (session 9, not blind figures): quantities in any unit and in words, an is-a table of concepts, 1,438
#: concepts of everyday option words, ABO groups, abbreviations a known concept no option names, letters set off or
#: labelling their own text, rejection words and reason clauses (sealed-s44:45 now B): 6,311/6,544, no wrong letter.
#: sealed-s45 and sealed-s46: the twenty-third sealed round, written blind after commit 7c643c1 and measured there
#: before joining (bench/results/extract_sealed-23.json: 115/130 and 115/130, 230/260 = 0.885, no wrong letter, 6
#: false answers). Labels as written; left as found. Then: two options offered by ordinals or as a maybe, two letters
#: after a dash, "Final: <text>", a closing conclusion by letter over texts said on the way, "wait, let me double
#: check", an opening that names an option where the others named are set aside, decimals kept whole, glued Persian
#: plurals, words of degree, Finglish read as a Persian form of one option's concept.
#: sealed-s47 and sealed-s48: the twenty-fourth sealed round, written blind after commit afff17c and measured there
#: before joining (bench/results/extract_sealed-24.json: 119/130 with 2 wrong letters and 120/130 with 1; 239/260 =
#: 0.919): sealed-s47:5 ("… appears well before respiratory depression" read as that option), sealed-s47:26 ("IV
#: calcium first …, then … insulin/dextrose" read as insulin with glucose), sealed-s48:90 ("وزن بر مجذور قد" read as
#: the option with the same words in another order). Labels as written; its wrong letters stay as found. Then: a
#: comparison ("before", "than", "قبل از") sets the option after it aside, a sequence ("then", "سپس") ends the opening
#: segment, a label left by an announced walk through the options is none (sealed-s47:5, :26, :126 now invalid).
#: sealed-s49 and sealed-s50: the twenty-fifth sealed round, written blind after commit 968ebc3 (the shipped
#: extractor: nothing was changed after it) and measured there before joining (bench/results/extract_sealed-25.json:
#: 113/130 and 123/130, 236/260 = 0.908, no wrong letter, 2 false answers). Labels as written; left as found.
POOL_RIGHT = 7039  # per writer as the bench prints it: sealed-s2 129, sealed-s5 129, sealed-s9 128, sealed-s10 129,
# sealed-s11 126, sealed-s12 120, sealed-s13 122, sealed-s14 123, sealed-s15 128, sealed-s16 126, sealed-s17 123,
# sealed-s18 124, sealed-s19 126, sealed-s20 125, sealed-s21 126, sealed-s22 127, sealed-s23 124, sealed-s24 123,
# sealed-s25 124, sealed-s26 128, sealed-s27 123, sealed-s28 125, sealed-s29 125, sealed-s30 128, sealed-s31 125,
# sealed-s32 125, sealed-s33 126, sealed-s34 128, sealed-s35 120, sealed-s36 127, sealed-s37 118, sealed-s38 122,
# sealed-s39 117, sealed-s40 124, sealed-s41 121, sealed-s42 124, sealed-s43 124, sealed-s44 122, sealed-s45 122,
# sealed-s46 119, sealed-s47 120, sealed-s48 120, sealed-s49 113, sealed-s50 123, implementer-s4-23 47, writer-p4 136,
# the rest 100%
POOL_WRONG_LETTERS = 1
POOL_WRONG_BY_WRITER: dict[str, int] = {"sealed-s48": 1}


def test_pool_figures_as_measured():
    items = read_pool(POOL_DIR, LABELLED)
    figures = measure(items)
    assert {w: block["n"] for w, block in figures["writers"].items()} == POOL_WRITERS
    assert figures["n"] == sum(POOL_WRITERS.values())
    wrong = [(e["where"], e["label"], e["got"], e["reason"]) for e in figures["errors"]]
    assert figures["right"] == POOL_RIGHT, wrong
    assert figures["wrong_letters"] == POOL_WRONG_LETTERS, wrong
    by_writer = {w: block["wrong_letters"] for w, block in figures["writers"].items() if block["wrong_letters"]}
    assert by_writer == POOL_WRONG_BY_WRITER, wrong
    lo, hi = figures["ci95"]
    assert lo < figures["accuracy"] <= hi <= 1.0 and lo > 0.935


def test_pool_file_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "writer-x.jsonl"
    bad.write_text('{"question": "q", "choices": ["a", "b", "c", "d"], "output": "A", "label": "A"}\n'
                   '{"question": "q", "choices": ["a", "b"], "output": "A", "label": "A"}\n', encoding="utf-8")
    with pytest.raises(PoolError, match=r"writer-x.jsonl:2: 'choices'"):
        read_jsonl(bad)
    bad.write_text('{"question": "q", "choices": ["a", "b", "c", "d"], "output": "A", "label": "E"}\n',
                   encoding="utf-8")  # fmt: skip
    with pytest.raises(PoolError, match=r"writer-x.jsonl:1: 'label'"):
        read_jsonl(bad)
    bad.write_text('{"question": "q", "choices": ["a", "b", "c", "d"], "output": "A"}\n', encoding="utf-8")
    with pytest.raises(PoolError, match=r"writer-x.jsonl:1: 'label'"):
        read_jsonl(bad)  # a missing label is an error; a null one is the writer's "no answer"
    bad.write_text('{"question": "q", "choices": ["a", "b", "c", "d"], "output": "x", "label": null}\n',
                   encoding="utf-8")  # fmt: skip
    assert read_jsonl(bad)[0].label == "invalid"


CHOICES = ["آپاندیس", "کیسهٔ صفرا", "طحال", "مثانه"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("طحال", "C"),  # the option's text, exactly
        ("پاسخ صحیح: طحال", "C"),
        ("The answer is طحال.", "C"),
        ("کیسه صفرا درست است.", "B"),  # folded: کیسهٔ = کیسه
        ("كيسه صفرا", "B"),  # Arabic kaf and yeh
        ("طحال نادرست است. مثانه درست است.", "D"),
        ("پاسخ صحیح [C] است: طحال", "C"),
        ("آپاندیس، کیسه صفرا، طحال، مثانه", "invalid"),  # the options echoed
        ("[A] : آپاندیس [B] : کیسه صفرا [C] : طحال [D] : مثانه", "invalid"),
        ("A) آپاندیس B) کیسه صفرا C) طحال D) مثانه", "invalid"),  # an echoed list on one line
        ("A) آپاندیس B) کیسه صفرا C) طحال D) مثانه\nپاسخ: C", "C"),
        ("آپاندیس و طحال هر دو ممکن‌اند.", "invalid"),
        ("طحال و مثانه", "invalid"),  # two options' texts named together
    ],
)
def test_answers_given_as_the_options_text(text, expected):
    assert extract_choice(text, CHOICES) == expected


def test_fuzzy_short_answer_and_abbreviation():
    choices = ["لوله پروگزیمال", "بازوی صعودی ضخیم هنله", "بازوی نزولی هنله", "مجرای جمع‌کننده در حضور ADH"]
    assert extract_choice("بازوی صعودی ضخیم قوس هنله", choices) == "B"
    drugs = ["بنزودیازپین‌ها", "لیتیوم", "والپروات", "مهارکننده‌های انتخابی بازجذب سروتونین (SSRI)"]
    assert extract_choice("SSRIها", drugs) == "D"
    assert extract_choice("نمی‌دانم", drugs) == "invalid"
    assert extract_choice("پنوموسیت نوع ۲", ["پنوموسیت نوع I", "ماکروفاژ", "سلول کلارا", "پنوموسیت نوع II"]) == "D"
    shoulder = ["Supraspinatus", "Infraspinatus", "Teres major", "Subscapularis"]
    assert extract_choice("Teres minor", shoulder) == "invalid"
    assert extract_choice("کولپوسکوپی", ["پاپ اسمیر", "ماموگرافی", "CA-125", "کولپوسکوپی روتین"]) == "D"
    assert extract_choice("The most common cause is H. influenzae.",
                          ["Haemophilus influenzae", "Klebsiella pneumoniae", "Legionella", "Moraxella"]) == "A"
    assert extract_choice("INR 2-3", ["1.0–1.5", "1.5–2.0", "3.5–4.5", "2.0–3.0"]) == "D"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("پاسخ: A و B", "invalid"),  # two options both asserted
        ("Answer: A or B", "invalid"),
        ("The answer is A and C.", "invalid"),
        ("پاسخ: گزینه A یا گزینه B", "invalid"),
        ("Both A and C could be correct.", "invalid"),
        ("A or B", "invalid"),
        ("گزینه‌های ب و ج هر دو صحیح هستند.", "invalid"),
        ("گزینهٔ ب صحیح است", "B"),  # ezafe forms
        ("گزینۀ ج درست است", "C"),
        ("پاسخ صحیح گزینهٔ [D] است.", "D"),
        ("Not A. It's B.", "B"),  # negations in English
        ("A is not correct; C is correct.", "C"),
        ("Option A and option C are both wrong; the answer is D.", "D"),
        ("گزینه A و گزینه B نادرست هستند. پاسخ C است.", "C"),
        ("Not B, but C.", "C"),
        ("Correct: C", "C"),  # labels and colons
        ("گزینه صحیح: ب", "B"),
        ("گزینه مناسب: د", "D"),
        ("Answer — B", "B"),
        ("So the correct choice would be C.", "C"),
        ("الف درست است", "A"),
        ("It is not A.", "invalid"),
        ("B is the best answer here, not C.", "B"),
        ("گزینه ج صحیح است ولی گزینه د هم می‌تواند درست باشد.", "invalid"),  # a second answer beside the first
        ("C is correct. D is also correct.", "invalid"),
        ("شاید الف", "invalid"),  # hedges
        ("I think option B, though I am not sure.", "invalid"),
        ("I am not sure, but the answer is B.", "B"),
        ("\\boxed{ج}", "C"),  # LaTeX
        ("Final Answer: \\boxed{B}", "B"),
        ("نه الف، بلکه د", "D"),  # Persian contrast
        ("مورد ب", "B"),
        ("گزینه ج یا د", "invalid"),  # two options offered together
        ("C\n\nActually, it's B.", "B"),  # a correction replaces the first statement
        ("در گذشته ۱۵ به ۲ بود (گزینه ج) اما اکنون ۳۰ به ۲ است. پس گزینه د.", "D"),  # a conclusion states it
        ("تحلیل…\nگزینه ج", "C"),  # a last line naming one option
        ("گزینه ب را رد می‌کنیم. پاسخ: ج", "C"),  # ruled out, eliminated, unlikely
        ("B can be ruled out; C is unlikely. So D.", "D"),
        ("We can eliminate A. The answer is C.", "C"),
        ("A is unlikely, B fits best.", "B"),
        ("The answer is neither A nor B.", "invalid"),
        ('{"choice": 3}', "C"),
        ("Option #2", "B"),
        ("the third one", "C"),  # ordinals
        ("The answer is the third one.", "C"),
        ("سومی", "C"),
        ("گزینه سوم", "C"),
        ("بنابراین گزینه آخر درست است.", "D"),
        ("Answer: b", "B"),
        ("d", "D"),
        ('{"answer": "C"}', "C"),
        ("... so anti-HBc is negative. → D", "D"),
        ("پاسخ = د", "D"),
        ('{"پاسخ": "ب", "دلیل": "…"}', "B"),
        ("<think>\nthe axillary nerve winds around the surgical neck\n</think>\n\nB", "B"),
        ("واکسن در بدو تولد تزریق می‌شود. گزینه یک.", "A"),
        ("الف ❌ نوتروفیل\nب ✅ ائوزینوفیل\nج ❌ لنفوسیت\nد ❌ مونوسیت", "B"),
    ],
)
def test_issue_forms(text, expected):
    assert extract_choice(text) == expected


def test_decision_trace_names_the_reason_and_the_mentions():
    trace = decision_trace("گزینه A نادرست است. گزینه C درست است.")
    assert trace["choice"] == "C" and trace["reason"] == "stated as the answer"
    assert [(m["letter"], m["status"]) for m in trace["mentions"]] == [("A", "negated"), ("C", "stated")]
    choice, mentions, reason = explain_choice("طحال", CHOICES)
    assert (choice, reason) == ("C", "the only option named (by its text)") and mentions[0].kind == "text"


#: Every output of the four Persian-answering systems (MMLU-anatomy, 4 x 135) where our extraction (given the
#: options) differs from the authors' AI_chosen_answer, with the reason. The MedMobile pipelines are left out: the
#: authors extracted their answer from the English output before translation, and AI_answer holds the Persian
#: translation.
DISAGREEMENTS = {
    ("CohereForAI/aya-expanse-8b", "anatomy-0025"): ("invalid", "B", "the text says '[A] غلط است … [B] درست است'; "
                                                                     "the authors found no marker after 'پاسخ:'"),
    ("CohereForAI/aya-expanse-8b", "anatomy-0029"): ("A", "C", "'طحال (گزینه C) بیشتر درگیر است' opens the answer; "
                                                               "A, B and D are named afterwards as not fitting"),
    ("Qwen/Qwen2.5-7B-Instruct", "anatomy-0005"): ("invalid", "B", "'بین گزینه‌های ارائه شده، گلومرول (بخش B) …': "
                                                                    "option B's text, named alone"),
}  # fmt: skip
PERSIAN_SYSTEMS = ("gaokerena/gaokerena-v1.0", "CohereForAI/aya-expanse-8b", "Qwen/Qwen2.5-7B-Instruct",
                   "universitytehran/PersianMind-v1.0")  # fmt: skip


def test_agreement_with_the_papers_extraction_lists_every_disagreement(paper_anatomy_results):
    found, pairs = {}, []
    for result in paper_anatomy_results:
        if result.model.id not in PERSIAN_SYSTEMS:
            continue
        for record in result.records:
            ours = extract_choice(record["raw_output"], record["choices"])
            pairs.append((record["prediction"], ours))
            if ours != record["prediction"]:
                found[(result.model.id, record["id"])] = (record["prediction"], ours)
    assert found == {key: value[:2] for key, value in DISAGREEMENTS.items()}
    result = scores(pairs)
    assert result["n"] == 540 and round(result["accuracy"], 4) == round(537 / 540, 4)  # 99.44% agreement


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        # self-corrections: the last committed answer, however far from the correction word
        ("Answer: A. Actually, thinking about the mechanism once more, the enzyme is not involved here at all. "
         "The correct answer is D.", None, "D"),
        ("پاسخ: ج\n\nاصلاح می‌کنم: این آنزیم در بیماری دیگری کم است و در این بیماری نقشی ندارد. پس پاسخ صحیح گزینه د است.",
         None, "D"),
        # a last sentence that is one option, or an arrow with a full stop
        ("The lesion lies in the dominant hemisphere's inferior frontal gyrus. B", None, "B"),
        ("این یافته به نفع کم‌خونی فقر آهن است. گزینه ج.", None, "C"),
        ("Inferior frontal gyrus → D.", None, "D"),
        ("→ 1.5 mg/kg is the dose.", None, "invalid"),
        # a lone option line continuing a cut-off list is not an answer; after a whole list it is
        ("Let's evaluate each option:\n\nA. First - no.\n\nB. Second - no.\n\nC.", None, "invalid"),
        ("A) one\nB) two\nC) three\nD) four\n\nB", None, "B"),
        # a number with a unit is a quantity
        ("Answer: 2 hours after onset.", None, "invalid"),
        ("پاسخ: ۴ هفته", None, "invalid"),
        # a lone abbreviation of exactly one option's words
        ("CML", ["Acute myeloid leukemia", "Chronic myeloid leukemia", "Hairy cell leukemia", "Multiple myeloma"], "B"),
        ("AL", ["Acute leukemia", "Anterior lobe", "Hairy cell", "Myeloma"], "invalid"),
        # an option's text named alone in the opening sentence, other options' texts after it; an echo of the texts
        ("Dantrolene treats it. Ondansetron is an antiemetic and haloperidol an antipsychotic.",
         ["Haloperidol", "Dantrolene", "Ondansetron", "Propofol"], "B"),
        ("Haloperidol, Dantrolene, Ondansetron or Propofol.", ["Haloperidol", "Dantrolene", "Ondansetron", "Propofol"],
         "invalid"),
    ],
)
def test_kinds_of_phrasing_from_the_sealed_batches(text, choices, expected):
    assert extract_choice(text, choices) == expected, explain_choice(text, choices)


ANAPHYLAXIS = ["IV diphenhydramine", "IM epinephrine", "Oral prednisone", "Nebulized salbutamol"]
CUSHING = ["Exogenous glucocorticoid use", "Pituitary adenoma", "Adrenal adenoma", "Ectopic ACTH secretion"]
THYROID = ["گواتر مولتی‌ندولر توکسیک", "بیماری گریوز", "آدنوم توکسیک", "تیروئیدیت تحت حاد"]
SYPHILIS = ["سیپروفلوکساسین", "پنی‌سیلین G بنزاتین", "داکسی‌سایکلین", "آزیترومایسین"]


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        # the answer given by an option's text, another option's letter named in passing (sealed-s3:26): never that
        # letter; abstaining is allowed, a wrong letter is not
        ("Epinephrine intramuscularly is first-line. Antihistamines like diphenhydramine (option A) are adjuncts only "
         "and should never delay epinephrine.", ANAPHYLAXIS, "B"),  # A is set aside; the opening names B
        ("Not A.\n\nIM epinephrine is the first-line treatment. Steroids (option C) may prevent a biphasic reaction.",
         ANAPHYLAXIS, "B"),  # the opening text, after a preface that only rules a letter out
        ("تروپونین قلبی (I یا T) اختصاصی‌ترین مارکر است. CK-MB (گزینه الف) برای انفارکتوس مجدد مفید است.",
         ["CK-MB", "تروپونین I", "LDH", "AST"], "invalid"),
        # a counterfactual sentence names no answer; "the answer here is" states one (sealed-s3:36)
        ("The most common cause overall is iatrogenic — exogenous steroid use. If the question asked about endogenous "
         "Cushing syndrome, the answer would be a pituitary adenoma (Cushing disease, option B).\n\nSo the answer "
         "here is A.", CUSHING, "A"),
        ("If the question had asked about endogenous causes, option B would be right.", CUSHING, "invalid"),
        ("اگر سؤال درباره سالمندان بود، پاسخ گزینه الف می‌شد؛ اما پاسخ این سؤال گزینه ب است.", THYROID, "B"),
        # contrast and comparison cues, in both languages
        ("Unlike option A, which supplies most eye muscles, option C supplies only the lateral rectus. Answer: C",
         None, "C"),
        ("C fits better than A.", None, "C"),
        ("برخلاف الف که در سالمندان شایع است، پاسخ صحیح ب است.", THYROID, "B"),
        ("به جای گزینه الف، پاسخ گزینه د است.", None, "D"),
        ("گزینه ب شایع‌تر از گزینه الف است.", THYROID, "B"),
        ("Parainfluenza virus (type 1). RSV causes bronchiolitis, not croup — so A is a distractor.",
         ["Respiratory syncytial virus", "Parainfluenza virus", "Influenza virus", "Adenovirus"], "B"),
        # an option's text beside another option's text, or a letter glossed with another option's text
        ("پاسخ: پنی‌سیلین یا داکسی‌سایکلین، بسته به وضعیت بیمار.", SYPHILIS, "invalid"),
        ("The answer is B (oral prednisone).", ANAPHYLAXIS, "invalid"),
        ("Answer: B (IM epinephrine)", ANAPHYLAXIS, "B"),
        # an answer statement stands whatever later sentences say about other options (sealed round 3)
        ("گزینه ب: بنزودیازپین وریدی. فنی‌توئین در تشنج ناشی از سموم مؤثر نیست و نالوکسان هم کمکی نمی‌کند.",
         ["فنی‌توئین وریدی", "بنزودیازپین وریدی", "نالوکسان", "والپروات"], "B"),
        ("Dextrose 50% IV (گزینه د). گلوکز خوراکی در بیمار بیهوش خطر آسپیراسیون دارد.",
         ["گلوکز خوراکی", "انسولین", "هیدروکورتیزون", "دکستروز ۵۰٪ وریدی"], "D"),
        ("Methylergonovine (B) is contraindicated in hypertension. Carboprost, by contrast, is the one to avoid in "
         "asthma.", ["Misoprostol", "Methylergonovine", "Carboprost", "Tranexamic acid"], "B"),
        ("Gout — urate crystals are needle-shaped, whereas CPPD (pseudogout) crystals are rhomboid.",
         ["Gout", "Pseudogout", "Septic arthritis", "Reactive arthritis"], "A"),
        ("Late decelerations mean uteroplacental insufficiency. So the best first step is B.", None, "B"),
        ("So the best first step is not B.", None, "invalid"),
        ("Magnesium sulfate is the drug of choice; it was superior to both phenytoin and diazepam in trials.",
         ["Phenytoin", "Diazepam", "Magnesium sulfate", "Levetiracetam"], "C"),
        ("پروفیلاکسی PCP لازم است. بنابراین گزینه‌های الف، ب و ج هر کدام در شرایطی درست‌اند.", None, "invalid"),
        ("Options A and C are both correct here.", None, "invalid"),
        # an explicit final answer after an earlier statement or opening is the self-corrected answer
        ("به نظر من گزینه الف درست است... در زنان جوان شایع‌ترین علت گریوز است. پس پاسخ نهایی: گزینه ب.", THYROID, "B"),
        ("گواتر مولتی‌ندولر توکسیک... نه، در زنان جوان گریوز شایع‌تر است. پاسخ نهایی: ب", THYROID, "B"),
        # an output that opens with one option's text, and a later letter of another
        ("The abducens nerve. For the superior oblique it would be B.",
         ["Oculomotor nerve", "Trochlear nerve", "Abducens nerve", "Optic nerve"], "invalid"),
        ("I believe it's ST depression... actually no, that's hypokalemia. Peaked T waves come first. Final: A",
         ["Peaked T waves", "Prominent U waves", "ST depression", "Prolonged QT interval"], "A"),
        # what the answer would (have) be(en), and the option a mistake picks, are no answer
        ("A common mistake is to pick B.\n\nThe answer is C.", None, "C"),
        ("اشتباه رایج انتخاب گزینه ب است. پاسخ: ج", None, "C"),
        # not B; "ALL" is read as an option's initials only as a whole output
        ("ALL\n\nدر کودکان پاسخ گزینه ب می‌بود.", ["Acute lymphoblastic leukemia", "Neuroblastoma", "Wilms tumor",
                                                   "Retinoblastoma"], "invalid"),
        ("Option C would be the answer in children.", None, "invalid"),
        ("So the correct choice would be C.", None, "C"),
        # an answer on a line of its own keeps its force when more text follows
        ("answer is d\n\nOption C would be the answer in children.", None, "D"),
        ("۳\n\nتوضیح: این دارو در کودکان منع مصرف دارد.", None, "C"),
        # a genus abbreviation is no option letter
        ("It's C. difficile, typically after antibiotics.",
         ["Clostridioides difficile", "Staphylococcus aureus", "Candida albicans", "Bacteroides fragilis"], "A"),
    ],
)
def test_conflicting_evidence_is_never_read_as_the_letter_named_in_passing(text, choices, expected):
    assert extract_choice(text, choices) == expected, explain_choice(text, choices)


def test_an_abstention_on_conflict_says_why():
    trace = decision_trace("Epinephrine intramuscularly is first-line. Diphenhydramine (option A) helps itching.",
                           ANAPHYLAXIS)  # fmt: skip
    assert trace["choice"] == "invalid"
    assert trace["reason"].startswith("the only option named (A), but") and trace["reason"].endswith("abstained")


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("کدام گزینه در مورد این بیماری نادرست است؟", "گزینه ج نادرست است؛ تشخیص با تصویربرداری است.", "C"),
        ("Which of the following is FALSE?", "Option B is incorrect: it is usually lean.", "B"),
        ("Which of the following is TRUE?", "Option B is incorrect. Option D is correct.", "D"),
        (None, "گزینه ج نادرست است.", "invalid"),  # no question: an option called false is set aside
    ],
)
def test_a_question_asking_for_the_false_statement_reads_false_as_the_answer(question, text, expected):
    assert extract_choice(text, None, question) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The false statement is C. Obesity is typical of type 2.", "C"),
        ("تیازیدها هیپرکلسمی را بدتر می‌کنند. استثنا: د", "D"),
        ("I think it's A... no, that's sulfonylureas. Answer: B.", "B"),
        ("پاسخ ج است... صبر کنید، این عارضه وارفارین است. پس پاسخ صحیح د است.", "D"),
        ("Glucose meets the criteria.\n\n✅ C", "C"),
    ],
)
def test_exception_named_check_mark_and_retraction(text, expected):
    assert extract_choice(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("B. Second-line: fosphenytoin (or valproate). Propofol infusions are for refractory status.", "B"),
        ("A) Hepatitis B vaccine B) Tetanus toxoid C) MMR vaccine D) Polio vaccine", "invalid"),  # an echoed list
        ("د) IGRA\n\nاصلاح: IGRA فقط عفونت را نشان می‌دهد. پاسخ صحیح: الف", "A"),
        ("Could fit either B or D. I would need to know the history before choosing between B and D.", "invalid"),
        ("A, B and C are all accepted. Without further context, I can't choose a single best option.", "invalid"),
    ],
)
def test_opening_label_correction_and_undecided(text, expected):
    assert extract_choice(text) == expected


def test_two_options_offered_as_both_acceptable_abstain():
    choices = ["بیوپسی آندومتر", "هیستروسکوپی", "پیگیری", "هیسترکتومی"]
    text = "بنابراین هم پیگیری و هم بیوپسی بسته به شرایط بالینی قابل قبول است."
    assert extract_choice(text, choices) == "invalid"
    assert extract_choice("بنابراین پیگیری قابل قبول است.", choices) == "C"


def test_a_conceded_option_and_an_option_head_word():
    choices = ["استافیلوکوک اورئوس", "آکانتاموبا", "هرپس سیمپلکس", "سودوموناس آئروژینوزا"]
    text = "سودوموناس آئروژینوزا شایع‌ترین عامل است، هرچند آکانتاموبا نیز باید در نظر گرفته شود."
    assert extract_choice(text, choices) == "D"
    sites = ["Isthmus", "Ovary", "Cervix", "Ampulla of fallopian tube"]
    assert extract_choice("Ampulla.", sites) == "D"
    assert extract_choice("Fallopian.", sites) == "invalid"  # not the head of the option's text


def test_only_the_asking_sentence_sets_the_polarity():
    stem = "A patient does not respond to two doses of lorazepam. What is the most appropriate next treatment?"
    assert extract_choice("Option B is incorrect here.", None, stem) == "invalid"
    assert extract_choice("Option B is incorrect here.", None, "All of the following are true EXCEPT:") == "B"


def test_a_check_mark_states_only_the_option_beside_it():
    assert extract_choice("اگزالات کلسیم – گزینه ۱ ✅\n\nOption B would be the answer in children.") == "A"
    assert extract_choice("Behçet ✔\n\nA common mistake is to pick B.") == "invalid"


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        # another script, compared by consonant skeleton
        ("Rifampin", ["ایزونیازید", "ریفامپین", "اتامبوتول", "پیرازینامید"], "B"),
        ("N-acetylcysteine", ["نالوکسان", "فلومازنیل", "آتروپین", "N-استیل سیستئین"], "D"),
        ("Dabigatran is the direct thrombin inhibitor.", ["ریواروکسابان", "آپیکسابان", "وارفارین", "دابیگاتران"], "D"),
        # a genus initial and the species
        ("E. coli — the commonest cause.", ["کلبسیلا", "پروتئوس", "اشرشیا کلی", "انتروکوک"], "C"),
        # numbers however written, after a naming word; a word all options share carries nothing
        ("نوع چهار (تأخیری، وابسته به سلول T)", ["نوع I", "نوع II", "نوع III", "نوع IV"], "D"),
        ("Type 2", ["Type I", "Type II", "Type III", "Type IV"], "B"),
        # the opening segment of a longer output, words reordered or between, a Persian ending
        ("تک‌یاخته‌ای از جنس پلاسمودیوم که توسط پشه منتقل می‌شود.", ["باکتری", "ویروس", "قارچ", "تک‌یاخته پلاسمودیوم"],
         "D"),
        ("درصد سطح کل بدن که دچار سوختگی شده است.", ["عمق سوختگی", "میزان درد", "نیاز به آنتی‌بیوتیک",
                                                      "درصد سطح بدن سوخته"], "D"),
        ("Ruptured saccular (berry) aneurysm — about 85% of cases.",
         ["Ruptured berry aneurysm", "Arteriovenous malformation", "Hypertension", "Amyloid angiopathy"], "A"),
        # no clear lead, or a partial match with another word in the option's place: abstain
        # the words give no clear lead; the concept lexicon reads both as iron deficiency (anaemia)
        ("کم‌خونی فقر آهن", ["تالاسمی مینور", "کمبود ویتامین B12", "کم‌خونی همولیتیک", "کمبود آهن"], "D"),
        ("The most common site is the fallopian tube, specifically the isthmus.",
         ["Ovary", "Ampulla of the fallopian tube", "Cervix", "Abdominal cavity"], "invalid"),
        ("Rifampin or isoniazid", ["ایزونیازید", "ریفامپین", "اتامبوتول", "پیرازینامید"], "invalid"),
        ("Hypercalcemia", ["Hypocalcemia", "Hypercalcemia", "Hyponatremia", "Hyperkalemia"], "B"),
        ("Not rifampin.", ["ایزونیازید", "ریفامپین", "اتامبوتول", "پیرازینامید"], "invalid"),
        # an output that weighs two readings or rejects all options gives none
        ("ابتدا راه هوایی ارزیابی می‌شود، اما از طرف دیگر کنترل خونریزی مقدم است.",
         ["تزریق کریستالوئید", "ارزیابی راه هوایی", "انتقال به اتاق عمل", "تزریق خون O منفی"], "invalid"),
        ("Phenylalanine hydroxylase converts phenylalanine to tyrosine. None of the listed enzymes is correct.",
         ["Tyrosinase", "Homogentisate oxidase", "Fumarylacetoacetate hydrolase", "Branched-chain dehydrogenase"],
         "invalid"),
    ],
)
def test_an_option_named_by_a_loose_form_of_its_text(text, choices, expected):
    assert extract_choice(text, choices) == expected


def test_the_loose_reading_names_its_terms_score_and_margin():
    _, _, reason = explain_choice("Rifampin", ["ایزونیازید", "ریفامپین", "اتامبوتول", "پیرازینامید"])
    assert reason == "the output's opening names the option's text loosely (score 0.90, next 0.00: ریفامپین)"


def test_a_question_word_names_the_topic_not_the_option():
    from hub_tools.evaluation.option_match import score_options

    choices = ["تالاسمی مینور", "کمبود ویتامین B12", "کم‌خونی همولیتیک", "کمبود آهن"]
    plain = score_options("کم‌خونی همولیتیک", choices)[2].score
    asked = score_options("کم‌خونی همولیتیک", choices, "شایع‌ترین علت کم‌خونی کدام است؟")[2].score
    assert plain == asked == 1.0  # said in full either way
    partial = score_options("خونی", choices, "شایع‌ترین علت کم‌خونی کدام است؟")[2].recall
    assert partial < score_options("خونی", choices)[2].recall


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hmm, B is common. But overall I'll say D.", "D"),
        ("Glioblastoma is the most common malignant one, but overall I will choose A.", "A"),
    ],
)
def test_a_first_person_commitment_states_the_answer(text, expected):
    assert extract_choice(text) == expected


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        ("B, oral vancomycin. Actually, wait — guidelines prefer it. I'll change my answer to D.",
         ["IV metronidazole", "Oral vancomycin", "Oral clindamycin", "Oral fidaxomicin"], "D"),
        ("Class II — sorry, correction: it blocks potassium channels, so Class III.",
         ["Class I", "Class II", "Class III", "Class IV"], "C"),
        ("B, oral vancomycin. Actually, wait — I'm not certain any more.",
         ["IV metronidazole", "Oral vancomycin", "Oral clindamycin", "Oral fidaxomicin"], INVALID),
        ("گزینه ب. صبر کن، اشتباه کردم؛ پاسخ درست گزینه د است.", ["w", "x", "y", "z"], "D"),
    ],
)
def test_a_retracted_answer_gives_way_to_the_corrected_one_or_to_none(text, choices, expected):
    assert extract_choice(text, choices) == expected


def test_a_retraction_is_named_in_the_reason():
    choice, _, reason = explain_choice("A — sorry, no answer from me.", ["w", "x", "y", "z"])
    assert choice == INVALID and "retracted" in reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C — RBC casts point to nephritic, not nephrotic.", "C"),
        ("A, definitely. (Not B — that's mitral regurgitation.)", "A"),
        ("Definitely D — not C as many students think.", "D"),
        ("D — the syndrome causes miosis, not mydriasis.", "D"),
        ("A, B and C are all wrong.", INVALID),
    ],
)
def test_an_opening_letter_set_off_by_a_dash_or_comma_is_the_answer(text, expected):
    assert extract_choice(text, ["Ptosis", "Miosis", "Anhidrosis", "Mydriasis"]) == expected


def test_a_near_spelling_of_a_short_word_names_no_option():
    assert extract_choice("Rubeola", ["Rubella", "Mumps", "Scarlet fever", "Roseola"]) == INVALID
    # rubeola is measles by the concept lexicon, never rubella by spelling
    assert extract_choice("Rubeola", ["Measles", "Rubella", "Mumps", "Scarlet fever"]) == "A"
    assert extract_choice("Rubella", ["Measles", "Rubella", "Mumps", "Scarlet fever"]) == "B"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Based on standard references, the answer is most likely B.", "B"),
        ("The answer is probably C.", "C"),
        ("The answer is likely B or C.", INVALID),
        ("پاسخ درست گزینه چهارمه.", "D"),
        ("جواب گزینه دومه", "B"),
        ("Go with D. The others are symptomatic.", "D"),
        ("Go with the carvedilol; digoxin only helps symptoms.", "C"),
        ("It's not B. Beyond that, I'd rather not guess between the remaining options.", INVALID),
        ("a. dry cough", "A"),
    ],
)
def test_likelihood_words_colloquial_ordinals_and_go_with_commit(text, expected):
    assert extract_choice(text, ["Dry cough", "Furosemide", "Carvedilol", "Digoxin"]) == expected


def test_alternatives_narrowed_by_a_later_stated_answer():
    text = "It's either folate or B12 deficiency. MMA is raised only in B12 deficiency.\n\nSo the answer is **C**."
    assert extract_choice(text, ["Folate", "Iron", "Vitamin B12", "Vitamin B6"]) == "C"
    assert extract_choice("The answer is C. A could also be correct.", ["w", "x", "y", "z"]) == INVALID


def test_the_colloquial_is_after_an_option_text():
    choices = ["سلولیت", "آرتریت سپتیک", "نقرس حاد", "آرتریت روماتوئید"]
    assert extract_choice("پس جواب من نقرس حاده.", choices) == "C"


# -- the medical concept lexicon -------------------------------------------------------------------------------------
def test_concept_lexicon_is_broad():
    from hub_tools.evaluation.concepts import concept_spans, lexicon_size

    assert lexicon_size() >= 500
    assert [s.concept for s in concept_spans("Tegretol")] == ["carbamazepine"]
    assert [s.concept for s in concept_spans("پروپیل‌تیواوراسیل")] == ["ptu"]
    assert [s.concept for s in concept_spans("High potassium.")] == ["hyperkalemia"]
    assert concept_spans("all of them") == []  # an abbreviation matches only in capitals
    assert [s.concept for s in concept_spans("ALL")] == ["all"]


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        ("PTU", ["Methimazole", "پروپیل‌تیواوراسیل", "Radioactive iodine", "Thyroidectomy"], "B"),
        ("Tegretol.", ["Phenytoin", "Valproate", "Carbamazepine", "Lamotrigine"], "C"),
        ("پروزاک", ["Haloperidol", "فلوکستین", "Lithium", "Diazepam"], "B"),
        ("High potassium", ["Hyponatremia", "Hypokalemia", "Hyperkalemia", "Hypercalcemia"], "C"),
        ("Central DI", ["SIADH", "Nephrogenic diabetes insipidus", "Psychogenic polydipsia",
                        "Central diabetes insipidus"], "D"),
        # two options share the concept: it names neither
        ("Tegretol", ["Carbamazepine and lithium", "Carbamazepine and valproate", "Phenytoin", "Lamotrigine"],
         "invalid"),
        # a concept named only to be rejected is no answer
        ("Not Tegretol — it does nothing here.", ["Phenytoin", "Valproate", "Carbamazepine", "Lamotrigine"],
         "invalid"),
        ("Tegretol is wrong here; the others are no better.", ["Phenytoin", "Valproate", "Carbamazepine",
                                                                "Lamotrigine"], "invalid"),
    ],
)
def test_option_named_by_concept(text, choices, expected):
    assert extract_choice(text, choices) == expected


def test_concept_reported_in_reason():
    choice, _, reason = explain_choice("Tegretol", ["Phenytoin", "Valproate", "Carbamazepine", "Lamotrigine"])
    assert choice == "C"
    assert "by concept 'carbamazepine' (Tegretol)" in reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Gozine B.", "B"), ("javab: C — because it fits", "C"), ("gozine ج", "C"), ("javab gozine 1 e", "A"),
     ("Gozine B nist.", "invalid")],
)
def test_finglish_statements(text, expected):
    assert extract_choice(text) == expected


_HF_DRUGS = ["Furosemide", "Digoxin", "Amlodipine", "Spironolactone"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Furosemide – symptoms only.\nDigoxin – no mortality benefit.\nAmlodipine – neutral.\n"
         "Spironolactone – lowers mortality. ✔", "D"),
        ("A) Furosemide\nB) Digoxin ✅\nC) Amlodipine\nD) Spironolactone", "B"),
        # two checked items: neither is the answer by its mark
        ("Furosemide – no.\nDigoxin – helps. ✔\nAmlodipine – neutral.\nSpironolactone – helps. ✔", "invalid"),
    ],
)
def test_check_mark_beside_an_item(text, expected):
    assert extract_choice(text, _HF_DRUGS) == expected


_HYPERKALEMIA = ["گلوکونات کلسیم", "انسولین و گلوکز", "سالبوتامول", "سدیم پلی‌استایرن سولفونات (کی‌اگزالات)"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("کلسیم فقط غشا را پایدار می‌کند، سالبوتامول پتاسیم را وارد سلول می‌کند. تنها گزینه‌ای که واقعاً K را دفع "
         "می‌کند کی‌اگزالات است.", "D"),
        ("Salbutamol only shifts potassium. The only option that actually removes it is sodium polystyrene "
         "sulfonate.", "D"),
        # the phrase names two options: no answer from it
        ("The only option that works here is salbutamol or sodium polystyrene sulfonate.", "invalid"),
    ],
)
def test_the_only_option_that(text, expected):
    assert extract_choice(text, _HYPERKALEMIA) == expected


def test_made_up_next_question_is_not_read():
    text = "Answer: D\n\nQuestion 14: Which electrolyte causes U waves?\nA. Hypokalemia\nB. Hyperkalemia\nAnswer: A"
    assert extract_choice(text) == "D"
    assert extract_choice("سوال 3: کدام؟\nپاسخ: ب") == "B"  # a question at the start is the output itself


# --- the ninth round's classes (sealed-s15/-s16 misses), each with a negative case ---

_DOWN = ["Rocker-bottom feet", "Single transverse palmar crease", "Webbed neck", "Cleft lip with holoprosencephaly"]


def test_elimination_ends_on_the_option_left():
    text = ("It's not C (webbed neck — Turner/Noonan), not A (rocker-bottom feet — Edwards), and not D (cleft "
            "lip/holoprosencephaly — Patau). That leaves the simian crease.")
    assert extract_choice(text, _DOWN) == "B"
    assert extract_choice("Not A, not C, not D. By elimination, B.", _DOWN) == "B"


def test_elimination_negative_cases():
    # two rejected only: no option left by elimination, and a rejected option's gloss is never the answer
    assert extract_choice("It's not C (webbed neck), not A (rocker-bottom feet). That leaves two.", _DOWN) == "invalid"
    assert extract_choice("It's not C (webbed neck — Turner).", _DOWN) == "invalid"


def test_structured_answers():
    choices = ["داکسی‌سایکلین + ریفامپین", "آموکسی‌سیلین به تنهایی", "سفتریاکسون به تنهایی", "مترونیدازول"]
    assert extract_choice('```json\n{\n  "question_id": 1,\n  "selected_option": "الف",\n  "confidence": 0.9\n}\n```',
                          choices) == "A"  # fmt: skip
    assert extract_choice('{"answer": "C"}') == "C"
    assert extract_choice("My pick: A (aldosteronoma)") == "A"
    assert extract_choice('{"question_id": 2, "confidence": 0.4}') == "invalid"


def test_statement_after_a_rejection():
    choices = ["Dantrolene", "Bromocriptine", "Cyproheptadine", "Succinylcholine"]
    assert extract_choice("Not succinylcholine — that's a trigger! Give dantrolene immediately.", choices) == "A"
    assert extract_choice("گزینه الف صحیح نیست. داروی انتخابی برومو‌کریپتین نیست.", choices) == "invalid"


def test_answer_with_a_contrasted_rival():
    choices = ["Edrophonium test", "Anti-acetylcholine receptor antibodies", "Single-fiber EMG", "Ice pack test"]
    text = "Antibody testing is highly specific. I'd answer B, though single-fiber EMG is the most sensitive test."
    assert extract_choice(text, choices) == "B"
    assert extract_choice("The answer is B (single-fiber EMG).", choices) == "invalid"


def test_negated_option_is_never_that_option():
    choices = ["کلیندامایسین", "ونکومایسین خوراکی", "ونکومایسین وریدی", "آمپی‌سیلین"]
    assert extract_choice("قطعاً گزینه الف نیست، چون کلیندامایسین خودش عامل این عفونت است.", choices) == "invalid"
    assert extract_choice("گزینه الف نیست؛ ونکومایسین خوراکی درمان است.", choices) == "B"


def test_two_options_offered_either():
    choices = ["Nitrofurantoin", "Ciprofloxacin", "Trimethoprim-sulfamethoxazole", "Amoxicillin"]
    text = "Nitrofurantoin and TMP-SMX are both first-line. Either A or C would be acceptable here."
    assert extract_choice(text, choices) == "invalid"
    assert extract_choice("Either way, the answer is A.", choices) == "A"


def test_exception_question_statement_with_not():
    question = "کدام یک از موارد زیر جزو معیارهای تشخیص سندرم متابولیک نیست؟"
    choices = ["دور کمر افزایش‌یافته", "تری‌گلیسرید بالا", "LDL بالا", "فشار خون بالا"]
    text = "The correct option is C, LDL is not part of metabolic syndrome criteria (low HDL is)."
    assert extract_choice(text, choices, question) == "C"
    assert extract_choice("The answer is not C.", choices, question) == "invalid"


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        ("فاکتور ۸", ["فاکتور VIII", "فاکتور IX", "فاکتور XI", "فاکتور VII"], "A"),
        ("factor 9", ["فاکتور VIII", "فاکتور IX", "فاکتور XI", "فاکتور VII"], "B"),
        ("انوکساپارین (LMWH)", ["وارفارین", "ریواروکسابان", "هپارین با وزن مولکولی کم", "دابیگاتران"], "C"),
        ("CTA chest.", ["Chest X-ray", "Transthoracic echocardiography", "CT angiography of the chest", "US"], "C"),
        ("Staph aureus (TSST-1)", ["اشریشیاکلی", "سالمونلا", "استافیلوکوک طلایی", "شیگلا"], "C"),
        ("Type II pneumocytes", ["پنوموسیت نوع I", "ماکروفاژ آلوئولار", "پنوموسیت نوع II", "سلول کلارا"], "C"),
        ("Type I pneumocytes", ["پنوموسیت نوع I", "ماکروفاژ آلوئولار", "پنوموسیت نوع II", "سلول کلارا"], "A"),
        ("Middle meningeal artery.", ["وریدهای پل‌زننده", "شریان مننژیال میانی", "سینوس ساژیتال", "شریان مغزی میانی"], "B"),
        ("پوکی استخوان", ["هیپوگلیسمی", "استئوپوروز", "هیپرکالمی", "افزایش توده عضلانی"], "B"),
        ("سندرم زجر تنفسی (RDS)", ["سندرم دیسترس تنفسی", "انتروکولیت نکروزان", "خونریزی داخل بطنی", "سپسیس"], "A"),
        # negative: a factor the options do not hold, a concept shared by two options
        ("فاکتور ۱۲", ["فاکتور VIII", "فاکتور IX", "فاکتور XI", "فاکتور VII"], "invalid"),
        ("LMWH", ["انوکساپارین", "دالتپارین", "وارفارین", "هپارین"], "invalid"),
    ],
)
def test_lexicon_families(text, choices, expected):
    assert extract_choice(text, choices) == expected


# -- session 6: classes from the ninth sealed round's misses, each with its negative --------------------------------
SENSITIVITY = ["۹۰٪ افراد سالم منفی‌اند", "۹۰٪ افراد بیمار مثبت‌اند", "۹۰٪ مثبت‌ها بیمارند", "۹۰٪ منفی‌ها سالم‌اند"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ب — تعریف حساسیت است. گزینه الف تعریف ویژگی است.", "B"),
        ("د، چون ارزش اخباری منفی است.", "D"),
        ("الف، ب و ج هر سه غلط‌اند.", INVALID),  # a list of letters opens it: no answer
    ],
)
def test_an_opening_persian_letter_set_off_by_a_dash_or_comma(text, expected):
    assert extract_choice(text, SENSITIVITY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Latanoprost, and the rest of that class — option b.", "B"),
        ("I'd lean to option c, though a is defensible.", "C"),
        ("The option d in this list is only a distractor.", INVALID),  # not closing its phrase: no reading
    ],
)
def test_a_lower_case_letter_after_option(text, expected):
    assert extract_choice(text, ["Beta-blockers", "Prostaglandin analogues", "Miotics", "Alpha agonists"]) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pain at 12 o'clock, i.e. anterior midline", "A"),
        ("This is NMS rather than serotonin syndrome, so dantrolene.", "B"),
        ("Charcoal does nothing here; with renal failure, go with hemodialysis.", "D"),
        ("So dantrolene is wrong here.", INVALID),  # a conclusion word does not outweigh the verdict after it
    ],
)
def test_a_restatement_or_conclusion_before_an_options_text(text, expected):
    choices = ["Anterior midline", "Dantrolene", "Activated charcoal", "Hemodialysis"]
    assert extract_choice(text, choices) == expected


def test_the_one_phrase_in_bold():
    choices = ["قطره تیمولول", "استازولامید خوراکی", "مانیتول وریدی", "ایریدوتومی محیطی با لیزر"]
    text = "داروها فقط فشار را پایین می‌آورند؛ درمان قطعی **ایریدوتومی لیزری** است."
    assert extract_choice(text, choices) == "D"
    two = "داروها **موقتی‌اند**؛ درمان قطعی **ایریدوتومی لیزری** یا **مانیتول** است."
    assert extract_choice(two, choices) == INVALID  # more than one phrase in bold: none is the answer


def test_an_option_that_offers_alternatives():
    choices = ["پنی‌سیلین یا آموکسی‌سیلین", "سیپروفلوکساسین", "کوتریموکسازول", "ونکومایسین"]
    assert extract_choice("آموکسی‌سیلین برای ده روز", choices) == "A"
    assert extract_choice("Amoxicillin or penicillin V", ["Penicillin or amoxicillin", "Ciprofloxacin", "TMP-SMX",
                                                          "Vancomycin"]) == "A"
    # "/" is no alternative: "Deaths / population" is a ratio, "population" alone names none of these
    ratios = ["Deaths / total population", "Deaths / cases", "Total deaths / total population", "Cases / population"]
    assert extract_choice("population", ratios) == INVALID


def test_a_concession_is_no_rejection():
    choices = ["Alpha-fetoprotein", "CA-125", "CEA", "PSA"]
    assert extract_choice("AFP — though it's not perfectly specific.", choices) == "A"
    assert extract_choice("AFP — not a useful marker here.", choices) == INVALID


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        ("کدام یک جزو معیارهای ABCDE ملانوم نیست؟", "خارش جزو معیارهای ABCDE نیست.", "D"),
        ("Which diagnosis must be excluded first?", "Retinoblastoma must be excluded first.", "B"),
        # the verdict is the question's but nothing else is: a plain rejection
        ("Which diagnosis must be excluded first?", "Retinoblastoma is not likely.", INVALID),
    ],
)
def test_an_answer_that_repeats_the_questions_verdict(question, text, expected):
    choices = ["Cataract", "Retinoblastoma", "Coats disease", "خارش"]
    assert extract_choice(text, choices, question) == expected


def test_a_walk_through_every_option_is_no_answer():
    choices = ["Papillary carcinoma", "Follicular carcinoma", "Medullary carcinoma", "Anaplastic carcinoma"]
    walk = ("Papillary carcinoma has psammoma bodies. Follicular carcinoma spreads by blood. Medullary carcinoma "
            "secretes calcitonin. Anaplastic carcinoma is the most aggressive.")
    assert extract_choice(walk, choices) == INVALID
    answer_first = "Papillary carcinoma. Follicular carcinoma spreads by blood; medullary secretes calcitonin."
    assert extract_choice(answer_first, choices) == "A"


def test_a_second_option_called_possibly_right_too():
    choices = ["مایع داخل سلولی", "پلاسما", "مایع بینابینی", "مایع مغزی نخاعی"]
    assert extract_choice("پاسخ الف است. البته شاید ب هم درست باشد.", choices) == INVALID
    assert extract_choice("پاسخ الف است. ب درست نیست.", choices) == "A"


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        ("در هر صد هزار تولد زنده", ["۱۰۰۰", "۱۰٬۰۰۰", "۱۰۰٬۰۰۰", "۱٬۰۰۰٬۰۰۰"], "C"),
        ("one hundred thousand", ["1,000", "10,000", "100,000", "1,000,000"], "C"),
        ("Optic neuritis", ["نوریت اپتیک", "پاپی‌ادم", "نوروپاتی ایسکمیک اپتیک", "گلوکوم"], "A"),
        ("Tardive dyskinesia", ["دیستونی حاد", "آکاتیزیا", "پارکینسونیسم", "دیسکینزی تأخیری"], "D"),
        ("At birth", ["بدو تولد", "۲ ماهگی", "۶ ماهگی", "۱۲ ماهگی"], "A"),
        ("B1", ["Niacin", "Thiamine", "Pyridoxine", "Cobalamin"], "B"),
        ("CN V2", ["Maxillary nerve", "Mandibular nerve", "Facial nerve", "Ophthalmic nerve"], "A"),
        # negatives: a number the options lack; a glossary word two options share names neither
        ("ten thousand", ["1,000", "5,000", "100,000", "1,000,000"], INVALID),
        ("Left", ["Left axilla", "Left supraclavicular region", "Right axilla", "Periumbilical region"], INVALID),
    ],
)
def test_numbers_in_words_skeletons_and_the_glossary(text, choices, expected):
    assert extract_choice(text, choices) == expected


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        ("vanc", ["Metronidazole", "Clindamycin", "Linezolid", "Vancomycin"], "D"),
        ("Staph", ["Streptococcus pyogenes", "Staphylococcus aureus", "E. coli", "Klebsiella"], "B"),
        ("hyper", ["Hyperkalemia", "Hypercalcemia", "Hyponatremia", "Hypokalemia"], INVALID),  # clips two options
        ("Ans: B", ["Metronidazole", "Clindamycin", "Linezolid", "Vancomycin"], "B"),
        ("کاپوت مدوزا نشانه فشار پورت است ← الف", ["سیروز", "نارسایی قلب", "ترومبوز", "کیست"], "A"),
        ("دفورمیتی چنگالی شکل، د", ["اسمیت", "بنت", "مونتجیا", "کولس"], "D"),
        ("الف، ب", ["اسمیت", "بنت", "مونتجیا", "کولس"], INVALID),
        ("javabesh Colles e, yani gozine chaharom", ["Smith", "Bennett", "Monteggia", "Colles"], "D"),
        ("Answer: minimal change (lipoid nephrosis).", ["FSGS", "Membranous nephropathy", "Minimal change disease",
                                                      "IgA nephropathy"], "C"),
        ("Glycated haemoglobin", ["Fasting glucose", "OGTT", "Random glucose", "Glycated hemoglobin"], "D"),
        ("لیتیم کربنات", ["والپروات", "کاربامازپین", "لیتیوم", "لاموتریژین"], "C"),
    ],
)
def test_clipped_forms_short_statements_asides_and_spellings(text, choices, expected):
    assert extract_choice(text, choices) == expected


def test_an_option_offered_with_another_or_asked_is_no_answer():
    choices = ["پروپیل‌تیواوراسیل", "متی‌مازول", "ید رادیواکتیو", "جراحی"]
    assert extract_choice("متی‌مازول یا PTU", choices) == INVALID
    assert extract_choice("متی‌مازول", choices) == "B"
    hepatitis = ["هپاتیت A", "هپاتیت B", "هپاتیت C", "هپاتیت E"]
    assert extract_choice("هپاتیت B یا C؟ هر دو مزمن می‌شوند.", hepatitis) == INVALID


def test_an_opening_read_loosely_abstains_against_a_later_label_of_another_option():
    choices = ["Flumazenil", "Naloxone", "N-acetylcysteine", "Deferoxamine"]
    text = "Acetylcysteine, as early as possible.\n\nNaloxone (option B) is used in other settings."
    choice, _, reason = explain_choice(text, choices)
    assert choice == INVALID and "opening names option C" in reason
    assert extract_choice("Acetylcysteine, as early as possible.", choices) == "C"
    # an opening segment ends at the full stop after an abbreviation, not only at a genus initial's
    afb = ["اسمیر خلط برای AFB", "تست توبرکولین", "IGRA", "سی‌تی‌اسکن قفسه سینه"]
    assert extract_choice("۳ نوبت اسمیر خلط برای AFB. تست پوستی و IGRA بین عفونت نهفته و فعال تمایز نمی‌دهند.",
                          afb) == "A"


def test_a_word_inside_another_words_skeleton_is_not_that_word_in_the_other_script():
    lung = ["آدنوکارسینوم", "کارسینوم سلول کوچک", "کارسینوم سلول سنگفرشی", "کارسینوم سلول بزرگ"]
    assert extract_choice("Squamous cell carcinoma — PTHrP secretion", lung) == "C"
    assert extract_choice("Carcinoma", lung) == INVALID
    rhythm = ["IV metoprolol", "IV diltiazem", "Oral amiodarone", "Synchronized electrical cardioversion"]
    assert extract_choice("سینکرونایز کاردیوورژن. بیمار ناپایدار است.", rhythm) == "D"  # an ending after: same word


def test_a_long_output_whose_opening_names_another_option_than_its_later_label_abstains():
    choices = ["Flumazenil", "Naloxone", "N-acetylcysteine", "Deferoxamine"]
    text = ("Acetylcysteine, as early as possible, ideally within eight hours of the ingestion, guided by the "
            "nomogram.\n\nNaloxone (option B) is used in other settings.")
    assert extract_choice(text, choices) == INVALID


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("الف درسته", "A"),
        ("ب غلطه، ج درسته", "C"),
        ("Iatrogenic steroids — A.", "A"),
        ("Alogia — ج", "C"),
        ("Periumbilical, then migrates to McBurney's point. 'A'.", "A"),
        ("Not B — A", "A"),
        ("A — B", INVALID),  # an opening letter and a closing one: two answers
        ("Iatrogenic steroids — A or B.", INVALID),
    ],
)
def test_a_colloquial_verdict_and_a_closing_letter_after_a_dash(text, expected):
    assert extract_choice(text, ["w", "x", "y", "z"]) == expected


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        ("هایپرکالمی", ["هیپوکالمی", "هیپوکلسمی", "هیپومنیزیمی", "هیپرکالمی"], "D"),
        ("هایپوکالمی", ["هیپوکالمی", "هیپوکلسمی", "هیپومنیزیمی", "هیپرکالمی"], "A"),
        ("شش ماه", ["۳ ماهگی", "۴ ماهگی", "۶ ماهگی", "۱۲ ماهگی"], "C"),
        ("The third phase.", ["Phase I", "Phase II", "Phase III", "Phase IV"], "C"),
        ("مرحله دوم", ["Phase I", "Phase II", "Phase III", "Phase IV"], "B"),
        ("The third one.", ["Phase I", "Phase II", "Phase III", "Phase IV"], "C"),  # the third option
        ("The Apgar is done at one minute and five minutes of life.",
         ["1 and 5 minutes after birth", "Immediately and 30 minutes after birth", "5 and 15 minutes after birth",
          "Only at 10 minutes after birth"], "A"),
        ("per 100,000 live births", ["۱۰۰۰ تولد زنده", "۱۰ هزار تولد زنده", "۱۰۰ هزار تولد زنده",
                                     "یک میلیون تولد زنده"], "C"),
        ("۵۰ هزار", ["۱۰۰۰ تولد زنده", "۱۰ هزار تولد زنده", "۱۰۰ هزار تولد زنده",
                               "یک میلیون تولد زنده"], INVALID),
    ],
)
def test_loanword_spellings_counted_numbers_and_ordinals(text, choices, expected):
    assert extract_choice(text, choices) == expected


def test_a_comparison_the_question_asks_in_is_no_contrast():
    question = "کم‌خونی در زن باردار با هموگلوبین کمتر از چه مقداری تعریف می‌شود؟"
    choices = ["۱۰ گرم در دسی‌لیتر", "۱۱ گرم در دسی‌لیتر", "۱۲ گرم در دسی‌لیتر", "۱۳ گرم در دسی‌لیتر"]
    assert extract_choice("کمتر از ۱۲ گرم در دسی‌لیتر", choices, question) == "C"
    # asked another way, "less than 12" sets 12 aside as a bound: no answer
    assert extract_choice("کمتر از ۱۲ گرم در دسی‌لیتر", choices, "مقدار طبیعی هموگلوبین کدام است؟") == INVALID


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gozine B. glucose paeen + PMN ghalebe = bacterial meningitis", "B"),  # an option word: no genus initial
        ("It is C. difficile.", INVALID),  # a genus initial still is one
        ("استرپ‌ها کاتالاز منفی‌اند، استاف مثبت. پس ۲", "B"),
        ("پس 2.5 است", INVALID),
        ("پس ۲/۳.", INVALID),
        ("It's the proportion of diagnosed cases who die, so the second definition.", "B"),
    ],
)
def test_an_option_word_before_a_letter_a_persian_conclusion_by_number_and_an_ordinal_definition(text, expected):
    assert extract_choice(text, ["Stroke", "Sepsis", "Shock", "Syncope"]) == expected


def test_an_answer_word_read_loosely_and_rejections_found_in_round_14():
    defects = ["Atrial septal defect", "Ventricular septal defect", "Tetralogy of Fallot", "Patent ductus arteriosus"]
    question = "What is the most common congenital heart defect overall?"
    assert extract_choice("Since the question asks about all defects, the answer is VSD.", defects, question) == "B"
    # a loose answer against an option's text called the answer elsewhere: two answers, no letter
    both = ("The most common cyanotic congenital heart defect is tetralogy of Fallot, while the most common defect "
            "overall is the VSD. Since the question asks about all defects, the answer is VSD.")
    assert extract_choice(both, defects, question) == INVALID
    bleeding = ["Stop warfarin only", "Intravenous vitamin K plus prothrombin complex concentrate", "Protamine sulfate",
                "Oral vitamin K only"]
    text = ("Option A alone is inadequate when there is active bleeding. Protamine reverses heparin, not warfarin, so "
            "that one is wrong. The best choice is IV vitamin K together with PCC — option 2.")
    assert extract_choice(text, bleeding) == "B"
    b12 = ["Folate", "Iron", "Vitamin B6", "Vitamin B12"]
    assert extract_choice("Cobalamin deficiency — the elevated MMA distinguishes it from folate deficiency.",
                          b12) == INVALID  # the option set apart is not the answer
    assert extract_choice("افسردگی لازم نیست. جواب میشه ب", b12) == "B"


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        ("gozine dal", ["w", "x", "y", "z"], "D"),
        ("gozine jim dorost ast", ["w", "x", "y", "z"], "C"),
        ("javab gozine b hast, metformin tolid glucose dar kabed ro kam mikone", ["w", "x", "y", "z"], "B"),
        ("gozine alef nist", ["w", "x", "y", "z"], INVALID),
        # a terse answer that is one option's head, a term no other option has
        ("INH", ["ایزونیازید به مدت ۶ تا ۹ ماه", "رژیم چهار دارویی ضد سل", "استرپتومایسین", "سیپروفلوکساسین"], "A"),
        ("Isoniazid", ["Isoniazid for 6 months", "Isoniazid for 9 months", "Rifampin", "Ciprofloxacin"], INVALID),
        ("REM sleep", ["مرحله ۱ NREM", "مرحله ۲ NREM", "مرحله ۳ NREM", "خواب REM"], "D"),
        ("Hypophosphatemic rickets", ["Hemophilia A", "Duchenne muscular dystrophy", "G6PD deficiency",
                                     "Vitamin D-resistant rickets"], "D"),
    ],
)
def test_finglish_letter_names_and_an_options_head_said_alone(text, choices, expected):
    assert extract_choice(text, choices) == expected


def test_an_option_called_out_and_the_exception_word_the_question_asks_with():
    arteries = ["Left anterior descending artery", "Left circumflex artery", "Right coronary artery",
                "Left main coronary artery"]
    assert extract_choice("The LAD supplies the anterior wall, so A is out.", arteries) == INVALID
    question = "Tetralogy of Fallot includes all of the following EXCEPT:"
    fallot = ["Ventricular septal defect", "Overriding aorta", "Right ventricular hypertrophy", "Atrial septal defect"]
    text = ("The four components are VSD, overriding aorta, pulmonary stenosis (RVOT obstruction), and RVH. An ASD is "
            "not one of them (it is added in the 'pentalogy'). The EXCEPT answer is D.")
    assert extract_choice(text, fallot, question) == "D"
    # without the question's exception word, "except" still sets the option apart
    assert extract_choice("Everything except answer D fits.", fallot, "Which is a component?") == INVALID


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        ("shish mah", ["۲ ماه", "۶ ماه", "۱۲ ماه", "۱۸ ماه"], "B"),
        ("I do not know", ["۲ ماه", "۶ ماه", "۱۲ ماه", "۱۸ ماه"], INVALID),
        ("Complete placenta previa", ["جفت سرراهی کامل", "سابقه یک سزارین قبلی با برش عرضی", "پارگی زودرس کیسه آب",
                                      "پره‌اکلامپسی خفیف"], "A"),
        ("Anopheles mosquito", ["پشه آنوفل", "پشه خاکی", "کک", "کنه"], "A"),
        ("CTPA", ["CT آنژیوگرافی ریه", "D-dimer", "رادیوگرافی قفسه سینه", "الکتروکاردیوگرام"], "A"),
        # a direction word alone ("high", "normal") names no option of a pattern of results
        ("TSH suppressed, free T4 high", ["TSH بالا و T4 پایین", "TSH پایین و T4 بالا", "TSH بالا و T4 بالا",
                                          "TSH و T4 طبیعی"], INVALID),
        ("TSH normal, T4 low", ["TSH بالا و T4 پایین", "TSH پایین و T4 بالا", "TSH بالا و T4 بالا",
                                "TSH و T4 طبیعی"], INVALID),
    ],
)
def test_finglish_counts_and_the_second_glossary(text, choices, expected):
    assert extract_choice(text, choices) == expected


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        # the output weighs two readings: no answer, though it names one option's text
        ("Sumatriptan works for most attacks, but it could be C as well.", ["Sumatriptan", "Propranolol",
                                                                            "Ibuprofen", "Topiramate"], INVALID),
        ("سوماتریپتان معمولاً کافی است؛ بستگی دارد حمله چقدر شدید باشد.", ["سوماتریپتان", "پروپرانولول",
                                                                       "ایبوپروفن", "توپیرامات"], INVALID),
        ("ایبوپروفن و سوماتریپتان هر دو خط اول‌اند (گزینه‌های الف و ج).", ["سوماتریپتان", "پروپرانولول",
                                                                         "ایبوپروفن", "توپیرامات"], INVALID),
        ("Ibuprofen is fine, so it could be C or A.", ["Sumatriptan", "Propranolol", "Ibuprofen", "Topiramate"],
         INVALID),
        # … stated by its text, then undecided after it
        ("Ibuprofen (C) fits. Still, without more information I can't choose between C and A.",
         ["Sumatriptan", "Propranolol", "Ibuprofen", "Topiramate"], INVALID),
        # no hedge: the same opening reads
        ("Ibuprofen is first-line for a mild attack.", ["Sumatriptan", "Propranolol", "Ibuprofen", "Topiramate"], "C"),
        # a stated letter is kept: "both" describes the rejected ones
        ("The answer is C. A and B are both wrong here.", ["Sumatriptan", "Propranolol", "Ibuprofen", "Topiramate"],
         "C"),
    ],
)
def test_an_output_that_weighs_two_readings_gives_no_answer(text, choices, expected):
    assert extract_choice(text, choices) == expected


NEPHROTIC = ["بیماری با تغییرات حداقل", "گلومرولواسکلروز فوکال سگمنتال", "نفروپاتی غشایی", "نفروپاتی IgA"]
TRAUMA = ["گردش خون و کنترل خونریزی", "ارزیابی نورولوژیک", "تنفس و تهویه", "راه هوایی با حفاظت از ستون فقرات گردنی"]
LUPUS = ["آنتی‌بادی ضد هسته (ANA)", "آنتی‌بادی ضد Smith", "آنتی‌بادی ضد هیستون", "فاکتور روماتوئید"]
ANEMIA = ["اسفروسیتوز ارثی", "کمبود G6PD", "تالاسمی ماژور", "کم‌خونی همولیتیک اتوایمیون"]
NERVES = ["Oculomotor nerve", "Trochlear nerve", "Abducens nerve", "Facial nerve"]


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        # a concept said, written as another of its forms, reads the option word by word
        ("Lipoid nephrosis", NEPHROTIC, "A"),
        ("anti-Smith", LUPUS, "B"),
        ("Airway first", TRAUMA, INVALID),  # "first" is something else said: no terse answer of the head alone
        ("Airway", TRAUMA, "D"),
        # an option's concept, written as another of its forms, is what was said word for word
        ("کم خونی همولیتیک خودایمنی", ANEMIA, "D"),
        # an ordinal stays an ordinal: "third" of the oculomotor nerve's form "third nerve" does not name A
        ("The third option", NERVES, "C"),
        ("The third one — CN VI, the abducens nerve.", NERVES, "C"),
    ],
)
def test_an_answer_read_through_the_lexicons_other_forms(text, choices, expected):
    assert extract_choice(text, choices) == expected


def test_form_variants_write_one_concept_at_a_time_as_its_other_forms():
    from hub_tools.evaluation.concepts import concept_forms
    from hub_tools.evaluation.option_match import form_variants

    forms = concept_forms("minimal_change")
    assert "minimal change disease" in forms and "بیماری تغییرات حداقل" in forms
    rewritten = dict((pair[1], text) for text, pair in form_variants("Minimal change disease in a child"))
    assert rewritten["بیماری تغییرات حداقل"] == "بیماری تغییرات حداقل in a child"
    assert "minimal change disease" not in rewritten  # the form said is not a rewriting
    assert form_variants("no concept here at all") == []


def test_a_persian_gz_is_a_latin_x_in_the_skeleton():
    from hub_tools.evaluation.option_match import skeleton

    assert skeleton("اگزالات") == skeleton("oxalate") == skeleton("oksalat")
    assert skeleton("اگزما") == skeleton("eczema")
    assert extract_choice("Kalsiom oksalat", ["اسید اوریک", "سیستین", "استروویت", "اگزالات کلسیم"]) == "D"


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        # a direction of change is one term in either language
        ("Ferritin پایین", ["افزایش فریتین", "کاهش فریتین", "کاهش هموگلوبین", "افزایش هپسیدین"], "B"),
        ("elevated ALP", ["کاهش ALP", "افزایش ALP", "کاهش کلسیم", "افزایش فسفات"], "B"),
        # a pattern of results with both directions stays a tie: no option
        ("TSH low, T4 high", ["TSH بالا و T4 پایین", "TSH پایین و T4 بالا", "TSH بالا و T4 بالا",
                              "TSH و T4 طبیعی"], INVALID),
        # a clipped Persian word in a terse answer: the one option word it starts
        ("سیپرو", ["آموکسی‌سیلین", "سیپروفلوکساسین", "سفتریاکسون", "مترونیدازول"], "B"),
        ("سف", ["آموکسی‌سیلین", "سیپروفلوکساسین", "سفتریاکسون", "سفالکسین"], INVALID),  # too short
        ("سفا", ["آموکسی‌سیلین", "سفازولین", "سفتریاکسون", "سفالکسین"], INVALID),  # two option words
    ],
)
def test_directions_of_change_and_clipped_persian_words(text, choices, expected):
    assert extract_choice(text, choices) == expected


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        # a near skeleton of five consonants across scripts is no match: "sndfl" is not "psnfl"
        ("sandfly", ["پشه آنوفل", "پشه خاکی", "کک", "کنه"], "B"),
        # an absence binds to what is absent: "بدون صفرا" is "غیرصفراوی", never "صفراوی"
        ("استفراغ جهنده بدون صفرا", ["استفراغ صفراوی", "استفراغ جهنده غیرصفراوی", "اسهال خونی", "یبوست مزمن"], "B"),
        ("ناشتا غیرطبیعی است، پس دیابت بارداری (گزینه ب).", ["طبیعی", "دیابت بارداری", "دیابت آشکار",
                                                            "اختلال تحمل گلوکز"], "B"),
        # two letters concluded, a mix-up confessed, a walk through the options announced: no answer
        ("Vaccination and screening both count, so A and B.", ["Screening", "Vaccination", "Rehab", "Pap"], INVALID),
        ("Vaccination. So A and C are wrong.", ["Screening", "Vaccination", "Rehab", "Pap"], "B"),
        ("واکسیناسیون. پس الف و ج رد می‌شوند.", ["Screening", "Vaccination", "Rehab", "Pap"], "B"),
        ("quadriceps or hamstrings, I always mix these two up", ["Hamstrings", "Quadriceps femoris", "Gastrocnemius",
                                                                 "Sartorius"], INVALID),
        ("Let's analyze each option: Screening is secondary prevention.", ["Screening", "Vaccination", "Rehab",
                                                                          "Pap"], INVALID),
        # "I mean C" and a Persian "… نه، منظورم ج" correct what came before
        ("So D... no, I mean C.", ["Methyldopa", "Labetalol", "Enalapril", "Nifedipine"], "C"),
        ("گزینه د... نه، منظورم ج بود.", ["Methyldopa", "Labetalol", "Enalapril", "Nifedipine"], "C"),
        # a number glued to its unit
        ("4g", ["۱ گرم", "۴ گرم", "۱۰ گرم", "۲۰ گرم"], "B"),
        ("G6PD", ["G6PD deficiency", "Pyruvate kinase deficiency", "Spherocytosis", "Thalassemia"], "A"),
    ],
)
def test_short_skeletons_absences_hedges_corrections_and_glued_units(text, choices, expected):
    assert extract_choice(text, choices) == expected


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        # a lone capital before an English word is part of what is named
        ("tall, tented T waves", ["Peaked T waves", "U waves", "Delta wave", "ST depression"], "A"),
        ("U waves", ["Peaked T waves", "U waves", "Delta wave", "ST depression"], "B"),
        # the option said first, in part, leaves a later full match open
        ("Fluids first! IV normal saline, then insulin.", ["تجویز انسولین", "تجویز مایعات وریدی (نرمال سالین)",
                                                           "تجویز بی‌کربنات", "تجویز پتاسیم"], INVALID),
        # "… hmm, no" retracts; the withdrawn option named again is the reason, not the answer
        ("I think it's 7 mg/kg... hmm, no, 7 mg/kg is the limit with epinephrine. Plain lidocaine is 4.5.",
         ["2 mg/kg", "4.5 mg/kg", "7 mg/kg", "10 mg/kg"], INVALID),
        ("It's 7 mg/kg... hmm, no. The answer is B.", ["2 mg/kg", "4.5 mg/kg", "7 mg/kg", "10 mg/kg"], "B"),
        ("به نظرم گزینه ب درسته ولی ممکنه الف هم باشه.", ["w", "x", "y", "z"], INVALID),
    ],
)
def test_lone_capitals_earlier_runners_up_and_withdrawn_options(text, choices, expected):
    assert extract_choice(text, choices) == expected


def test_an_option_listed_among_what_an_except_question_includes_is_no_answer():
    question = "Tetralogy of Fallot includes all of the following EXCEPT:"
    fallot = ["Ventricular septal defect", "Overriding aorta", "Right ventricular hypertrophy", "Atrial septal defect"]
    listed = "The four components are VSD, overriding aorta, pulmonary stenosis and RVH. An ASD is not part of it."
    assert extract_choice(listed, fallot, question) == INVALID
    assert extract_choice("Atrial septal defect.", fallot, question) == "D"  # named alone, it is the answer
    # a list outside an EXCEPT question keeps its reading
    assert extract_choice("Overriding aorta, with VSD, PS and RVH around it.", fallot, "Which is a component?") == "B"
    assert extract_choice("celecoxib ya meloxicam... fekr konam 1 ya 3", ["Celecoxib", "Naproxen", "Meloxicam",
                                                                         "Ibuprofen"]) == INVALID


def test_a_persian_spelling_variant_keeps_its_first_letter_and_an_unsure_output():
    pellagra = ["نیاسین", "ریبوفلاوین", "تیامین", "بیوتین"]
    assert extract_choice("ویتامین B3", pellagra) == "A"  # not "تیامین" by the skeleton of "ویتامین"
    assert extract_choice("لیتیوم", ["لیتیم", "والپروات", "کاربامازپین", "لاموتریژین"]) == "A"
    assert extract_choice("بین گزینه اول و دوم مردد هستم.", pellagra) == INVALID
    assert extract_choice("I'm torn between niacin and riboflavin.", pellagra) == INVALID



def test_a_runaway_output_is_read_by_its_start_and_end():
    from hub_tools.evaluation.extract import MAX_READ_CHARS, explain_choice

    choices = ["Peaked T waves", "U waves", "Delta wave", "ST depression"]
    choice, _, reason = explain_choice("x " * 150_000 + "Final answer: B", choices)
    assert choice == "B" and "of 300,015 characters" in reason
    choice, _, reason = explain_choice("U waves. " * 30_000, choices)  # 30,000 mentions: read, not a hang
    assert choice == "B" and "first and last" in reason
    assert explain_choice("answer: C " + "z" * (MAX_READ_CHARS - 10), choices)[2] == "stated as the answer"
    assert explain_choice("9" * 100_000, ["۶ ماه", "۱۲ ماه", "۲۴ ماه", "۶۰ ماه"])[0] == "invalid"  # a digit run: read


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        # an opening letter set off by a semicolon, or by a comma and "و" that does not join a second letter
        ("الف؛ همچنین اختلالات تیروئید", ["فیبروز ریوی", "هیپرکالمی", "هیپوگلیسمی", "نوتروپنی"], "A"),
        ("الف، و همچنین اختلال عملکرد تیروئید", ["فیبروز ریوی", "هیپرکالمی", "هیپوگلیسمی", "نوتروپنی"], "A"),
        ("الف، و ب هر دو درست هستند.", ["فیبروز ریوی", "هیپرکالمی", "هیپوگلیسمی", "نوتروپنی"], INVALID),
        ("javab: alef", ["w", "x", "y", "z"], "A"),
        # an opening option's words, a dash and one letter, then more
        ("Penicillin — A, though doxycycline (B) is an alternative.",
         ["Benzathine penicillin G", "Doxycycline", "Ceftriaxone", "Azithromycin"], "A"),
        ("Viral hepatitis — B. (NAFLD is catching up.)", ["Alcohol", "Chronic hepatitis B and C", "NAFLD", "Wilson"],
         "B"),
        # a letter labelling its own option's text
        ("The first step is C: start high-quality chest compressions.",
         ["Give two rescue breaths", "Check blood glucose", "Start chest compressions", "Recovery position"], "C"),
        ("The vitamin is D: it is made in the skin.", ["Vitamin A", "Vitamin D", "Vitamin K", "Vitamin B12"], INVALID),
        ("Low ferritin, high TIBC, so the smear shows c) microcytic hypochromic cells",
         ["Increased serum ferritin", "Decreased TIBC", "Microcytic hypochromic red cells", "Macrocytic red cells"],
         "C"),
        ("So the right option is the second.", ["w", "x", "y", "z"], "B"),
        ("APGAR is five signs. Blood pressure isn't part of it -> C", ["w", "x", "y", "z"], "C"),
    ],
)
def test_letters_set_off_labelled_or_named_by_an_ordinal(text, choices, expected):
    assert extract_choice(text, choices) == expected


def test_a_rejection_word_a_reason_clause_and_a_plain_not_under_an_except_question():
    hp = ["Serology (IgG)", "Urea breath test", "Endoscopy with biopsy in all patients", "Stool culture"]
    useless = "Serology stays positive for months, so it's useless here. The urea breath test shows active infection."
    assert extract_choice(useless, hp) == "B"
    studies = ["Relative risk", "Odds ratio", "Attributable risk", "Incidence rate"]
    assert extract_choice("Odds ratio, because incidence can't be computed in a case-control study.", studies) == "B"
    apgar = ["Heart rate", "Respiratory effort", "Blood pressure", "Muscle tone"]
    question = "The Apgar score includes all of the following EXCEPT:"
    assert extract_choice("Blood pressure is not part of the Apgar score.", apgar, question) == "C"
    nephritic = ["Hematuria", "Hypertension", "Massive proteinuria (>3.5 g/day)", "Oliguria"]
    excluded = "Hematuria and hypertension are classic features of nephritic syndrome, so A and B can be excluded."
    assert extract_choice(excluded, nephritic, "Which is NOT a feature of nephritic syndrome?") == INVALID


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        ("Forty.", ["30", "40", "50", "60"], "B"),
        ("2 years", ["۶ ماه", "۱۲ ماه", "۲۴ ماه", "۶۰ ماه"], "C"),
        ("0.4 mg", ["۴۰۰ میکروگرم در روز", "۴ میلی‌گرم در روز", "۱ میلی‌گرم در هفته", "۵۰ میکروگرم در روز"], "A"),
        ("2-3 days", ["6–12 hours", "24 hours", "48–72 hours", "7 days"], "C"),
        ("Four and a half hours from last known well.", ["۱ ساعت", "۳ ساعت", "۴.۵ ساعت", "۲۴ ساعت"], "C"),
        ("between sixty and a hundred beats a minute", ["20–40 bpm", "40–50 bpm", "60–100 bpm", "110–150 bpm"], "C"),
        ("365 days", ["۱۲ ماه", "۱ سال", "۲ سال", "۶ ماه"], INVALID),  # two options are that amount
    ],
)
def test_quantities_said_another_way(text, choices, expected):
    assert extract_choice(text, choices) == expected


@pytest.mark.parametrize(
    ("text", "choices", "question", "expected"),
    [
        # an abbreviation the lexicon knows as a concept no option names still spells an option
        ("PAH", ["Tyrosinase", "Phenylalanine hydroxylase", "Homogentisate oxidase", "Fumarylacetoacetate hydrolase"],
         None, "B"),
        # a compound gives one initial
        ("ACT", ["Chloroquine", "Artemisinin-based combination therapy", "Primaquine alone", "Quinine monotherapy"],
         None, "B"),
        ("TRAb", ["Anti-thyroid peroxidase antibody", "Anti-thyroglobulin antibody",
                  "TSH receptor–stimulating antibody", "Anti-microsomal antibody"], None, "C"),
        # an ABO group and its Rh sign in any notation
        ("O-", ["AB مثبت", "A منفی", "B مثبت", "O منفی"], None, "D"),
        ("O neg", ["AB مثبت", "B منفی", "A مثبت", "O منفی"], None, "D"),
        ("AB+", ["A منفی", "O منفی", "AB مثبت", "B مثبت"], None, "C"),
        ("B+", ["A منفی", "O منفی", "AB مثبت", "B مثبت"], None, INVALID),  # letter B or group B+: abstain
        # a member of an option's class; a class that is one option's, unless the question names it
        ("Something like sertraline or escitalopram.", ["SSRIs", "MAO inhibitors", "Lithium", "ECT"], None, "A"),
        ("The ACE inhibitor", ["Methyldopa", "Labetalol", "Enalapril", "Nifedipine"], None, "C"),
        ("Cushing syndrome", ["Pituitary adenoma", "Adrenal adenoma", "Ectopic ACTH secretion", "Adrenal carcinoma"],
         "What is the most common cause of Cushing syndrome overall?", INVALID),
        # a text read at the concepts its options name
        ("کاهش گلوکونئوژنز کبدی", ["Stimulating insulin secretion from beta cells",
                                   "Decreasing hepatic gluconeogenesis", "Inhibiting intestinal alpha-glucosidase",
                                   "Blocking SGLT2 in the kidney"], None, "B"),
        # the whole output is an option's text, even a word that otherwise hedges
        ("هیچ‌کدام", ["درم", "هیپودرم", "اپیدرم", "هیچ‌کدام"], None, "D"),
        # "part" and "portion" name nothing
        ("The ampullary part of the tube.", ["Ovary", "Ampulla of the fallopian tube", "Isthmus of the fallopian tube",
                                             "Cervix"], None, "B"),
    ],
)
def test_abbreviations_blood_groups_kinds_and_whole_options(text, choices, question, expected):
    assert extract_choice(text, choices, question) == expected


def test_an_opening_stands_after_a_dash_unless_what_follows_denies_it():
    tension = ["Chest X-ray", "CT chest", "Endotracheal intubation", "Needle decompression"]
    assert extract_choice("Needle thoracostomy (decompression) immediately — do not wait for imaging.", tension) == "D"
    assert extract_choice("Chest X-ray — not needed.", tension) == INVALID
    assert extract_choice("Needle decompression — not CT chest.", tension) == "D"
    mmr = ["۱۰۰ هزار تولد زنده", "هزار تولد زنده", "هزار نفر جمعیت", "۱۰۰ هزار زن در سن باروری"]
    assert extract_choice("per 100,000 live births", mmr) == "A"  # a number with separators, read by concept too


@pytest.mark.parametrize(
    ("text", "choices", "question", "expected"),
    [
        # two options offered, one of them as a maybe, by ordinals or after a dash
        ("پاسخ: گزینه اول یا سوم؛ بستگی به منبع دارد.", ["همانژیوم", "آدنوم کبدی", "هیپرپلازی ندولر", "کیست"], None,
         INVALID),
        ("**ب** یا شاید **ج**", ["w", "x", "y", "z"], None, INVALID),
        ("It's B... or maybe C if they mean young children.", ["6-8/min", "12-20/min", "25-30/min", "30-40/min"],
         None, INVALID),
        ("Both gentamicin and azithromycin can cause hearing loss — A, C",
         ["Gentamicin", "Amoxicillin", "Azithromycin", "Ceftriaxone"], None, INVALID),
        # "Final:" states the option's text; a closing conclusion by letter outweighs texts said on the way
        ("Ewing sarcoma? No — osteosarcoma is the most common; Ewing is second. Final: Osteosarcoma.",
         ["Ewing sarcoma", "Osteosarcoma", "Chondrosarcoma", "Multiple myeloma"], None, "B"),
        ("In outpatients it's primary hyperparathyroidism, but in hospitalized patients malignancy dominates. "
         "So the answer is B.", ["Primary hyperparathyroidism", "Malignancy", "Vitamin D intoxication", "Sarcoidosis"],
         None, "B"),
        # "wait, let me double check" checks, it does not withdraw
        ("It's a delayed-type reaction, so it's type IV... wait, let me double check. Yes, T-cell mediated. Type IV.",
         ["Type I", "Type II", "Type III", "Type IV"], None, "D"),
        # the options named are set aside; the opening names another
        ("Vanco (or daptomycin). Cefazolin and nafcillin don't cover MRSA.",
         ["Vancomycin", "Cefazolin", "Amoxicillin-clavulanate", "Nafcillin"], None, "A"),
        # a walk through the options announced with "let's check", cut off
        ("The four components are VSD, pulmonary stenosis, overriding aorta and RVH. Let's check each option:\n"
         "A) VSD – yes.\nB) Pulmonary stenosis – ", ["Ventricular septal defect", "Pulmonary stenosis",
                                                    "Atrial septal defect", "Right ventricular hypertrophy"],
         "Tetralogy of Fallot includes all of the following EXCEPT:", INVALID),
        # a decimal stays one number ("0.4 mg" is not "4 mg"); a slash after one Persian digit is a decimal point
        ("۴۰۰ میکروگرم در روز", ["۰.۴ میلی‌گرم روزانه", "۴ میلی‌گرم روزانه", "۴۰ میلی‌گرم روزانه", "۱ گرم روزانه"],
         None, "A"),
        ("HbA1c ≥ 6.5%", ["قند ناشتای ۱۱۰", "قند دو ساعته ۱۶۰", "قند تصادفی ۱۸۰", "HbA1c برابر ۶/۵ درصد یا بیشتر"], None,
         "D"),
        # a Persian plural glued to an abbreviation
        ("مهارکننده‌های انتخابی بازجذب سروتونین", ["SSRIها", "MAOIها", "بنزودیازپین‌ها", "آنتی‌سایکوتیک‌ها"], None, "A"),
    ],
)
def test_maybes_closing_conclusions_checks_set_aside_options_and_decimals(text, choices, question, expected):
    assert extract_choice(text, choices, question) == expected


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        # a word of degree no option has names nothing
        ("Heavy proteinuria", ["Hypertension with oliguria", "Red blood cell casts", "Proteinuria > 3.5 g/day",
                               "Hyperalbuminemia"], "C"),
        ("Severe", ["Mild preeclampsia", "Severe preeclampsia", "Eclampsia", "HELLP"], "B"),  # an option's word
        # a lone capital before a function word is a letter of a list, not a term
        ("B and C", ["Hepatitis B vaccine", "MMR vaccine", "Varicella vaccine", "Tetanus toxoid"], INVALID),
        # Finglish read consonant for consonant as a Persian form of one option's concept
        ("pashe khaki", ["Anopheles mosquito", "Sandfly", "Tick", "Flea"], "B"),
        ("sorakhak", ["Measles", "Rubella", "Mumps", "Scarlet fever"], INVALID),  # "سرخک" and "سرخچه" alike
        ("Rubeola", ["Rubella", "Mumps", "Scarlet fever", "Roseola"], INVALID),  # measles, not "روبلا"
    ],
)
def test_degree_words_lone_capitals_and_finglish(text, choices, expected):
    assert extract_choice(text, choices) == expected


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        # a comparison puts the option named after it below the answer
        ("Loss of the patellar reflex is the earliest clinical sign and appears well before respiratory depression.",
         ["Respiratory depression", "Loss of deep tendon reflexes", "Cardiac arrest", "Oliguria"], INVALID),
        # a sequence: the answer is what comes first
        ("IV calcium first to protect the heart, then shift potassium into cells with insulin/dextrose.",
         ["Insulin with glucose", "Calcium gluconate", "Sodium bicarbonate", "Furosemide"], INVALID),
        ("Calcium gluconate first, then the others.",
         ["Insulin with glucose", "Calcium gluconate", "Sodium bicarbonate", "Furosemide"], "B"),
        # a label left by a walk through the options, cut off
        ("Let's go through each option one by one.\n\nA) ", ["w", "x", "y", "z"], INVALID),
        ("Answer:\n\nA)", ["w", "x", "y", "z"], "A"),
    ],
)
def test_comparisons_sequences_and_a_walk_cut_off(text, choices, expected):
    assert extract_choice(text, choices) == expected

