"""Answer extraction for the generate protocol: free text (and the question's options) -> "A" | "B" | "C" | "D" |
"invalid".

``extract_choice(text, choices=None)`` is a pure function (no model, no state). It decides on the **decisive
statement**: the option the text states as its answer, not an option it negates, merely lists, offers together with
another, or mentions in passing. The rule, in full:

1. Normalise with the one folding module (:mod:`hub_tools.folding`): presentation forms, NFKC (full-width Ｃ -> C),
   bidi controls removed, Persian/Arabic-Indic digits -> ASCII, Arabic letter forms -> Persian (so the ezafe forms
   ``گزینهٔ`` and ``گزینۀ`` both read ``گزینه`` + hamza); a lone option in markdown bold (``**B**``, ``**۲**``,
   ``**ب**``) becomes ``[B]``; the remaining ``*``/``_`` emphasis is dropped.
2. An *option token* is a Latin capital A-D, a digit 1-4 (1=A … 4=D) or a Persian option letter الف/ب/ج/د (the
   order Persian exams use), standing alone (not inside a longer word or number). Ordinals and number words name
   options too: ``گزینه سوم``, ``گزینه یک``, ``سومی``, ``گزینه آخر``, ``the third one``, ``the third option``,
   ``option three``. A ``<think>…</think>`` reasoning block is dropped first.
3. *Mentions* of an option are found anywhere in the text:
     - bracketed: ``[A]``, ``(A)``, ``«ب»``, ``[۲]``, ``(الف)``, lower case in brackets ``[c]``;
     - after the word "option": ``گزینه A``, ``گزینه‌ی ب``, ``گزینهٔ ۲``, ``گزینه شماره 3``, ``گزینه اول``,
       ``option D``, ``choice 2``;
     - after an answer keyword (an *answer statement*): ``پاسخ: B``, ``پاسخ صحیح گزینه [C] است``,
       ``جواب درست: د``, ``Answer: B``, ``the correct answer is (C)``, ``the correct option is D``, ``answer is c``,
       ``It's B``, ``I'd go with C`` (not after ``در``/``از``: ``در پاسخ D`` means "in option D");
     - a Latin letter as the subject of a verdict: ``A is not correct``, ``C درست است``;
     - the prompt's layout ``A : text`` at a line start or after a bracket/bold mark;
     - at a line start (after blanks, ``-``, ``#``, ``>``): ``A)``, ``A.``, ``A:``, ``A -``, ``الف)``, ``2)`` (a digit
       followed by ``.`` at a line start is a numbered list, not an answer);
     - a line that is one option letter and nothing else (``…\n\nB``), or the output's last sentence when it is one
       option (``… قرار دارد. الف``, ``… است. گزینه ب.``): an answer statement, unless three or more such lines echo
       the options or it continues a cut-off list (``A. …\nB. …\nC.``);
     - with the question's options (``choices``): an option's **text**, compared in the folding module's match form
       (letters folded, diacritics, ZWNJ and punctuation ignored, case-insensitive), standing as whole words; where
       one option's text contains another's, the longer one is meant.
   A Latin letter right after a naming word (``ویتامین D``, ``هپاتیت B``, ``سلول‌های T``, ``vitamin C``, ``type 2``)
   is a name, not a mention.
4. Each mention is classified by its clause (the text after it up to the end of the sentence, at most 80
   characters, and the few words before it):
     - **several** when the clause offers it together with others (``هر دو درست``, ``both … correct``, ``either``,
       ``A و B``, ``A or B``, ``A and C`` after an answer keyword, ``A یا B``): the whole output is then
       ``invalid``;
     - **negated** when the clause says it is wrong (``نادرست``, ``غلط``, ``اشتباه``, ``صحیح نیست``, ``نیست``,
       ``not``, ``incorrect``, ``wrong``, ``false``…) or the mention follows ``نه`` / ``not`` / ``به جز`` /
       ``except``: never an answer; but where the question (``question=``) asks for the false statement or the
       exception (``FALSE``, ``EXCEPT``, ``NOT``, ``نادرست``, ``به جز``, ``استثنا``), an option called false,
       incorrect or the exception is **stated**, and an option conceded (``although Y``, ``هرچند Y``) is negated;
     - **hedged** when it is offered as a possibility (``شاید الف``, ``maybe B``, ``it could be C``): never an
       answer;
     - **stated** when it is an answer statement, or its clause calls it correct (``درست است``, ``صحیح است``,
       ``پاسخ است``, ``is correct``, ``is the answer``…);
     - **listed** when it is one of an echoed option list: line-start or layout mentions of three or more different
       options, three or more different options on one line (``A) … B) … C) … D) …``), or three or more different
       option texts named one after another (not the text an opening sentence names alone, with no letter and no
       other option in it: the answer stated first); and not stated;
     - otherwise **bare**.
5. Decision: the stated options, if any (unless the output offers them with another as both acceptable:
   ``هم X و هم Y … قابل قبول``, or states one only by its text and then says it cannot choose); otherwise,
   unless the output says it is unsure or undecided (``مطمئن نیستم``, ``مردد``,
   ``I'm not sure``, ``I would need to know …``, ``can't choose``), the bare letter mentions, then the bare option
   texts. An output that opens with one option's label and its text or a heading (``B. Second-line: …``) states
   it unless the clause rejects it outright; a check mark next to one option (``✅ C``) states it. Bare mentions give
   no answer where the output weighs two readings (``depending on``, ``could be B as well``, ``between B and D``,
   ``both … correct``, ``so A and B``, ``I always mix these two up``, ``بستگی دارد``, ``بسته به``, ``هر دو``) or
   announces a walk through the options (``Let's analyze each option:``) and states no answer; where the question
   asks for the exception, an option named only as an item of a list (``VSD, overriding aorta, … and RVH``) is no
   answer.
   Exactly one distinct option -> that option. Several distinct stated options -> ``invalid`` (the text contradicts
   itself), unless the text corrects itself between them (``wait``, ``actually``, ``... no,``, ``I mean``, ``... نه``,
   ``منظورم``, ``صبر کنید``,
   ``اصلاح:``, ``اصلاح می‌کنم``, ``در واقع``):
   then the last stated option; an explicit final answer (``Final answer: C``, ``پاسخ نهایی: ب``) is such a
   correction of what came before it. Several distinct bare options -> the option of the opening sentence when it names exactly one (models
   state their answer first and then walk through the others), or the option whose text opens the output as its
   heading (``Gout — urate crystals …, whereas pseudogout …``), else ``invalid``.
6. If no mention qualifies but the whole output, stripped of blanks and punctuation, is a single option token
   ("B", "ب", "۳"), that is the answer; with choices, a short output or the opening segment of a longer one (after
   ``پاسخ:``, up to the first sentence end, dash, colon or arrow) that names one option by a loose form of its text
   (:mod:`.option_match`: distinctive terms weighted by how few options share them, words the question uses counting
   half, numbers however written, the other script by consonant skeleton, a genus initial; read only with a clear
   lead over the second option, never where the option is said in part with another word in its place, where the
   segment rejects or hedges, or where the output weighs two readings or rejects every option), or a lone
   capitalised abbreviation of exactly one option's words (``ALL``), is that option. A digit with a unit
   (``۳ ساعت``, ``2 mg``) is a quantity, never an option. Otherwise -> "invalid" (scored as wrong). Empty or non-string output is
   "invalid".

7. Given the choices, the decision is then weighed against the rest of the output, and extraction **abstains**
   (``invalid``: an abstention costs accuracy, a wrong letter costs the result's truth) where the evidence conflicts.
   An option's evidence is its *distinctive words* (the option's words no other option shares, matched by form:
   "steroids" is "steroid", "parainfluenza" is not "influenza"); the conflicts (:func:`_conflicting_evidence`):
     - an option read from letters named only in passing (``diphenhydramine (option A)``, ``Steroids (C) may …``)
       while an earlier sentence that names no letter gives another option's words (``Epinephrine intramuscularly is
       first-line.``);
     - an option read from its text while the same sentence gives most of another option's words
       (``پنی‌سیلین یا داکسی‌سایکلین``);
     - a letter stated as the answer but glossed with another option's words (``The answer is B (oral prednisone)``);
   An answer statement (an opening that is an option's label, its label and text, or its text as a heading; or an
   explicit conclusion) is not voided by later sentences that discuss other options (why not, by contrast,
   alternatives): extraction abstains only when two statements of equal standing conflict, or when no statement
   exists and the rest is mixed.
   Before that, contrast and comparison cues set an option aside as negation does (``unlike A``, ``rather than C``,
   ``C fits better than A``, ``superior to both A and B``, ``compared with B``, ``followed by B``, ``C, by contrast, …``, ``برخلاف الف``, ``به جای گزینه ب``,
   ``شایع‌تر از گزینه الف``, ``پس از آن``), as does a lesser role (``adjunct``, ``second-line``, ``distractor``,
   ``خط دوم``); a counterfactual sentence (an ``if``/``اگر`` before the option and ``would``/``می‌شد`` in it) gives no
   answer; ``C. difficile`` is a genus, not option C.

   A retraction after the answer (``Actually, wait —``, ``sorry, correction:``, ``scratch that``, ``ببخشید``,
   ``اشتباه کردم``, ``صبر کن``) withdraws it: the rest of the output is read alone, and gives the answer or, where it
   states none, ``invalid``.

Finglish lead words read as their Persian forms (``Gozine B.``, ``javab: C``, ``javab gozine 1 e``, ``nist``); an
answer followed by a made-up next question (``Answer: D\n\nQuestion 14: …``) is read up to that question. Given the
choices, a check mark beside one item of a list of the options states that item (two checked items: ``invalid``), and
``the only option that really …`` / ``تنها گزینه‌ای که …`` states the one option its sentence names by text or by a
concept of the lexicon (:mod:`.concepts`).

``explain_choice`` returns the same decision with the mentions behind it and the reason (the decision trace kept in
per-question records: :func:`decision_trace`).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from hub_tools.folding import (
    DIACRITICS,
    FATHATAN,
    LOANWORD_FOLDS,
    fold_digits,
    fold_letters,
    fold_presentation_forms,
    match_key,
    strip_bidi,
)

from .concepts import concept_spans, fold_words
from .option_match import MIN_SCORE, OptionMatch, match_option, score_options

CHOICES = ("A", "B", "C", "D")
INVALID = "invalid"

_TO_LETTER = {
    "A": "A", "B": "B", "C": "C", "D": "D", "a": "A", "b": "B", "c": "C", "d": "D",
    "1": "A", "2": "B", "3": "C", "4": "D",
    "الف": "A", "ب": "B", "ج": "C", "د": "D",
    "اول": "A", "یکم": "A", "دوم": "B", "سوم": "C", "چهارم": "D",
    "اولی": "A", "دومی": "B", "سومی": "C", "چهارمی": "D", "آخر": "D", "آخری": "D",
    "یک": "A", "دو": "B", "سه": "C", "چهار": "D",
    "first": "A", "second": "B", "third": "C", "fourth": "D", "last": "D",
    "one": "A", "two": "B", "three": "C", "four": "D",
    "1st": "A", "2nd": "B", "3rd": "C", "4th": "D",
}  # fmt: skip

# One option token, standing alone. Latin letters must not touch other Latin letters; digits must not be part of a
# longer number (1.5, 12); Persian letters must not touch other word characters.
_LATIN = r"(?<![A-Za-z])[A-D](?![A-Za-z0-9])"
# a number with a unit is a quantity, not an option ("پاسخ: ۳ ساعت", "2 mg")
_UNIT = (
    r"(?:ساعت|دقیقه|ثانیه|روز|هفته|ماه|سال|میلی\u200c?\w*|میکرو\w*|گرم|کیلو\w*|سانتی\u200c?\w*|متر|درصد|واحد|"
    r"(?i:hours?|hrs?|minutes?|mins?|seconds?|days?|weeks?|months?|years?|mg|mcg|kg|ml|cm|mm|units?|percent)|%)"
)
_DIGIT = rf"(?<![0-9])[1-4](?![0-9]|[.,/][0-9]|\s*{_UNIT}(?!\w))"
_FA = r"(?<!\w)(?:الف|ب|ج|د)(?!\w)"
_OPT = rf"(?P<opt>{_LATIN}|{_DIGIT}|{_FA})"
# گزینه سوم, گزینه آخر, گزینه یک; the colloquial "is" joined to it: گزینه چهارمه, گزینه دومه
_ORDINAL = r"(?P<opt>اول|یکم|دوم|سوم|چهارم|آخر|یک|دو|سه|چهار)(?:(?<=م)ه|(?<=ول)ه)?(?!\w)"
_EN_ORDINAL = r"(?P<opt>(?i:first|second|third|fourth|last|1st|2nd|3rd|4th))"

# گزینه, گزینه‌ی, گزینه ی, گزینه‌ای, and the ezafe forms گزینهٔ / گزینۀ (folded to گزینه + hamza); not گزینه‌ها
_GOZINEH = r"(?:گزینه|(?<!در )مورد)(?:\u0654|\u200c?ی|\u200c?ای)?(?!\u200c?ها)"  # مورد ب = گزینه ب
_AFTER_GOZINEH = rf"{_GOZINEH}\s*(?:شماره\s*)?[:：\-=]?\s*[\[(«]?\s*"
_ANSWER_WORD = (
    r"(?<!در )(?<!از )(?:پاسخ|جواب)(?:\s+(?:صحیح|درست|نهایی|مناسب|درست\u200cتر|صحیح\u200cتر))?(?:\s+(?:من|ما))?(?:\s+(?:همان|همون))?"
)
_EN_ANSWER_LEAD = (
    r"(?i:(?:the\s+)?(?:correct|right|best|final)\s+(?:answer|option|choice)|answer|"
    r"\bit(?:'s|’s|\s+is|\s+must\s+be|\s+would\s+be)|"
    r"\bi(?:'d|’d|'ll|’ll|\s+would|\s+will)\s+(?:go\s+with|choose|pick|say)|"
    r"\bi\s+(?:choose|pick|select|go\s+with)|(?:^|(?<=[.!]\s))go\s+with(?:\s+the)?)"
)

# the words that end an elimination on the option left: "That leaves", "which leaves us with", "by elimination",
# "پس می‌ماند", "باقی می‌ماند"
_ELIMINATION = (
    r"(?i:\b(?:that|which|this)\s+leaves(?:\s+us\s+with)?(?:\s+only)?|\bleaving(?:\s+only)?|"
    r"\bby\s+(?:the\s+process\s+of\s+)?elimination|\bthe\s+(?:only\s+)?(?:one|option)\s+(?:left|remaining))|"
    r"(?:باقی\s+)?می\u200c?ماند|گزینه(?:\u0654|\u200c?ی)?\s+باقی\u200c?مانده"
)

# a likelihood word before one option still commits to it: "the answer is most likely B" (two options do not)
_LIKELIHOOD = r"(?:\s+(?i:(?:most|very|quite|almost\s+certainly|more\s+than\s+likely)\s+)?(?i:likely|probably|definitely|clearly|certainly))?"

# Answer statements: پاسخ: B / پاسخ صحیح گزینه [C] / جواب درست: د / پاسخ صحیح این است که A / Answer: B / It's B
_STATEMENT_PATTERNS = [
    re.compile(
        rf"{_ANSWER_WORD}[\"']?"
        r"(?:\s+(?:عبارت\s+است\s+از|این\s+است\s+که|است|برابر\s+است\s+با|برابر|اصلاح\s+می\u200c?شود|اصلاح\s+شده|"
        r"می\u200c?شه|می\u200c?شود))?"
        rf"\s*[:：\-=]?\s*[\"']?(?:{_AFTER_GOZINEH})?[\[(]?\s*{_OPT}"
    ),
    re.compile(rf"{_ANSWER_WORD}(?:\s+(?:است|این\s+است\s+که))?\s*[:：\-=]?\s*{_GOZINEH}\s+{_ORDINAL}"),
    re.compile(
        r"(?i:answer)[\"']?(?:\s+(?i:here|in\s+this\s+case|overall|(?:to|for)\s+this\s+(?:question|one)))?"
        rf"(?:\s+(?i:is))?{_LIKELIHOOD}\s*[:：\-=—–]?\s*(?i:option\s*)?[\[(]?\s*[\"']?{_OPT}"
    ),
    # an output that opens with one letter set off by a dash, a comma or a semicolon: "A, because hematuria …",
    # "C — RBC casts …", "A, definitely.", "Definitely D — not C …", "ب — حساسیت …", "الف؛ همچنین …", "الف، و همچنین …"
    # (not a list of letters: "A, B and C are …", "الف، و ب", "A, or C")
    re.compile(
        r"\A\s*(?:(?i:definitely|clearly|certainly|surely)[ \t]+)?[\[(]?(?P<opt>[A-D]|الف|ب|ج|د)[\])]?"
        r"(?=[ \t]*(?:[—–]|[ \t]-[ \t]|[;؛](?![ \t]*(?:[A-D](?![A-Za-z])|(?:الف|ب|ج|د)(?!\w)))|"
        r"[,،](?![ \t]*(?:[A-D](?![A-Za-z])|(?:الف|ب|ج|د)(?!\w)|(?:و|(?i:and))[ \t]+(?:[A-D](?![A-Za-z])|"
        r"(?:الف|ب|ج|د)(?!\w))|(?i:or)\b|یا(?!\w)))))"
    ),
    # a changed answer: "So I'll change my answer to D.", "So D... no, I mean C.", "منظورم ج بود"
    re.compile(rf"(?i:\b(?:change|switch|changing|switching)\s+(?:my\s+)?answer\s+to)\s*(?i:option\s+)?[\[(]?\s*{_OPT}"),
    re.compile(
        r"(?:(?i:\bi\s+mean(?:t)?)|(?<!\w)منظورم)[\s,،:]*(?:(?:گزینه(?:\u0654|\u200c?ی)?|(?i:option))\s*)?[\[(«]?\s*"
        r"(?P<opt>[A-D]|الف|ب|ج|د)\s*[\])»]?(?=\s*(?:[.!؛]|بود|است|$))"
    ),
    # a conclusion naming one option by its number in Persian: "پس ۲", "بنابراین گزینه ۳."
    re.compile(
        r"(?<!\w)(?:پس|بنابراین|در\s+نتیجه|لذا)[\s,،:]*(?:گزینه(?:\u0654|\u200c?ی)?\s*)?[\[(«]?\s*(?P<opt>[1-4])(?![.٫/]\d)\s*[\])»]?"
        r"(?=\s*[.!؛]|\s*$)"
    ),
    # a conclusion naming one option and nothing else: "So D.", "Therefore, (C).", "پس د."
    re.compile(
        r"(?:(?<!\w)(?:پس|بنابراین|در\s+نتیجه|لذا)|(?i:\bso|\btherefore|\bthus|\bhence))[\s,،:]*"
        r"(?:(?:گزینه(?:\u0654|\u200c?ی)?|(?i:option|choice))\s*)?[\[(«]?\s*(?P<opt>[A-D]|الف|ب|ج|د)\s*[\])»]?"
        r"(?=\s*[.!؛]|\s*$)"
    ),
    # a conclusion sentence that ends on one option: "So the best first step is B."
    re.compile(
        r"(?i:\bso|\btherefore|\bthus|\bhence)\b[^.!?\n]{0,60}?"
        r"(?i:\bis)\s+(?i:option\s+)?[\[(]?(?P<opt>[A-D])[\])]?(?=\s*[.!]|\s*$)"
    ),
    # a check mark next to one option: "✅ C", "✔ گزینه ب"
    re.compile(rf"(?:✅|✔|☑)\ufe0f?[ \t]*(?:(?i:option|choice|answer)[ \t]*[:：]?[ \t]*|گزینه[ \t]*)?[\[(«]?[ \t]*{_OPT}"),
    # the answer to a question asking for the false statement or the exception, named as such:
    # "The false statement is C", "The exception is D", "استثنا: د", "مورد نادرست: ج"
    re.compile(
        r"(?:(?i:\bthe\s+(?:false|incorrect|wrong|untrue)\s+(?:statement|option|choice|one|answer)|\bthe\s+exception)"
        r"(?:\s+(?i:is|would\s+be|here\s+is))?|"
        r"(?<!\w)(?:استثنا|مورد\s+استثنا|(?:گزینه|مورد|عبارت)(?:\u0654|\u200c?ی)?\s+"
        r"(?:نادرست|غلط))(?:\s+است)?)\s*[:：\-—–]?\s*(?i:option\s+)?(?:گزینه(?:\u0654|\u200c?ی)?\s*)?[\[(«]?\s*"
        rf"{_OPT}"
    ),
    re.compile(rf"\\boxed\s*\{{\s*(?:\\text\s*\{{\s*)?{_OPT}\s*\}}"),  # LaTeX \boxed{B}
    # a structured answer (JSON, YAML): "selected_option": "الف", answer: "B", "choice": "C"
    re.compile(
        r"[\"']?(?i:(?:selected|chosen|correct|final|predicted)?_?(?:option|answer|choice|letter)|selection|prediction)"
        rf"[\"']?\s*[:：=]\s*[\"']\s*{_OPT}\s*[\"']"
    ),
    # an elimination that ends on the remaining option: "That leaves B", "By elimination, C", "پس می‌ماند گزینه ب"
    re.compile(
        rf"(?:{_ELIMINATION})\s*[:：,،]?\s*(?:(?i:option|choice)\s+|{_GOZINEH}\s*)?[\[(«]?\s*{_OPT}"
    ),
    re.compile(
        r"(?:→|=>|⇒|⟹|←|(?<![\-<])->)\s*(?i:option\s+|گزینه\s*)?[\[(]?\s*(?P<opt>[A-D]|الف|ب|ج|د|[1-4])(?!\w|[.٫]\d)"
    ),
    re.compile(
        rf"(?i:(?:correct|right|best|final)\s+(?:option|choice|answer|response))\s+"
        rf"(?i:is|would\s+be|must\s+be|should\s+be|will\s+be)\s*[:：\-]?\s*(?i:option\s+)?[\[(]?\s*{_OPT}"
    ),
    # a label and a colon: "Correct: C", "Final answer — D", "Selected: B", "گزینه صحیح: ب", "گزینه مناسب: د"
    re.compile(
        r"(?:(?i:\b(?:correct|final|selected|selection|my\s+(?:choice|pick|answer|selection|vote)|pick|choice|response|solution|verdict)(?:\s+answer)?)[\"']?|"
        r"گزینه(?:\u0654|\u200c?ی)?\s+(?:صحیح|درست|مناسب|نهایی|منتخب|انتخابی)(?:\s+(?:است|عبارت\s+است\s+از))?)"
        rf"\s*[:：=—–]\s*[\[(«\"']?\s*{_OPT}"
    ),
    re.compile(
        rf"گزینه(?:\u0654|\u200c?ی)?\s+(?:صحیح|درست|مناسب)\s+[\[(«]?\s*{_OPT}\s*[\])»]?\s+(?:است|می\u200c?باشد)"
    ),
    re.compile(r"(?i:answer(?:\s+is)?\s*[:：\-=]?)\s*[\[(]?\s*(?P<opt>[a-d])(?=[ \t]*(?:[.)\]!,]|\n|$))"),
    # "Ans: B", "Ans. C": the clipped answer word and a colon or a full stop
    re.compile(rf"(?i:\bans\b)\s*[.:：\-]\s*[\[(]?\s*{_OPT}"),
    re.compile(
        r"(?i:\bit(?:'s|’s|\s+is|\s+must\s+be|\s+would\s+be)|"
        r"\bi(?:'d|’d|'ll|’ll|\s+would|\s+will)\s+(?:go\s+with|choose|pick|say)|"
        r"\bi\s+(?:choose|pick|select|go\s+with)|(?:^|(?<=[.!]\s))go\s+with)\s+(?i:option\s+|choice\s+)?[\[(]?\s*"
        r"(?P<opt>[A-D])(?![A-Za-z0-9])"
    ),
]
# Other mentions: (pattern, kind); "layout" and "line" mentions can form an echoed option list.
_MENTION_PATTERNS = [
    # a line that is one option and nothing else ("…reasoning…\n\nB"): stated, unless three or more such lines echo
    (re.compile(r"^[ \t>#\-•]*(?:(?:گزینه(?:\u0654|\u200c?ی)?|(?i:option|answer))\s*[:：]?\s*)?[\[(«]?\s*"
                r"(?P<opt>[A-D]|الف|ب|ج|د)\s*[\])»]?\s*[.!]?[ \t]*$", re.MULTILINE), "alone"),
    # the output's last sentence is one option and nothing else ("… نیمکره غالب قرار دارد. الف", "… است. گزینه ب.")
    (re.compile(r"(?<=[.!؟?؛])[ \t]+(?:(?:گزینه(?:\u0654|\u200c?ی)?|(?i:option|answer))\s*[:：]?\s*)?[\[(«]?\s*"
                r"(?P<opt>[A-D]|الف|ب|ج|د)\s*[\])»]?[ \t]*[.!]?[ \t]*(?=\n[ \t]*\n|\s*\Z)"), "alone"),
    # an output that opens with one option on a line of its own, lower case or a digit ("d\n\n…", "۳\n\n…")
    (re.compile(r"\A\s*[\[(]?(?P<opt>[a-d]|[1-4])[\])]?[ \t]*[.)]?[ \t]*(?=\n[ \t]*\n)"), "alone"),
    # the output ends on one Persian option letter after a comma and a word: "دفورمیتی چنگالی شکل، د" (not after
    # another letter: "الف، ب" lists two)
    (re.compile(r"(?<=\w{2}[،,])(?<!(?<!\w)الف[،,])[ \t]*(?P<opt>الف|ب|ج|د)[ \t]*[.!]?[ \t]*\Z"), "alone"),
    # the output ends on one option letter after a dash, or quoted after a full stop: "Alogia — ج",
    # "Iatrogenic steroids — A.", "… McBurney's point. 'A'."
    (re.compile(r"(?<=\w)[ \t]*[—–][ \t]*(?P<opt>[A-D]|الف|ب|ج|د)[ \t]*[.!]?[ \t]*\Z"), "alone"),
    # the output opens with an option's words, a dash and one letter, then goes on: "Penicillin — A, though …",
    # "Viral hepatitis — B. (NAFLD …)" (a word before the dash, not a letter: "A — D" is a range; not two letters:
    # "… can cause hearing loss — A, C")
    (re.compile(r"\A\s*[^\n.!?؟—–]{2,60}?(?<=[^\W\d_]{2})[ \t]*[—–][ \t]*(?P<opt>[A-D]|الف|ب|ج|د)"
                r"(?=[ \t]*(?:[.,،;؛!](?:\s|\Z)|\(|\Z))(?![ \t]*[,،/&][ \t]*(?:[A-D]|الف|ب|ج|د)(?![A-Za-z0-9]|\w))"),
     "alone"),
    (re.compile(r"(?<=[.!؟?])[ \t]+[\"'‘“«](?P<opt>[A-D]|الف|ب|ج|د)[\"'’”»][ \t]*[.!]?[ \t]*\Z"), "alone"),
    (re.compile(rf"[\[(«]\s*{_OPT}\s*[\])»]"), "bracket"),
    (re.compile(r"[\[(]\s*(?P<opt>[a-d])\s*[\])]"), "bracket"),
    (re.compile(rf"{_AFTER_GOZINEH}{_OPT}"), "option"),
    (re.compile(rf"{_GOZINEH}\s+{_ORDINAL}"), "option"),
    (re.compile(r"(?<!\w)(?P<opt>اولی|دومی|سومی|چهارمی|آخری)(?!\w)"), "option"),
    # not across a line break: "Let's evaluate each option:\n\nA. …" opens a list
    (re.compile(rf"(?i:option|choice)[ \t]*[:：\-]?[ \t]*(?:#|(?i:no\.|number)[ \t]*)?[\[(]?[ \t]*{_OPT}"), "option"),
    # a lower-case Latin letter after "گزینه" ("javab gozine b hast")
    (re.compile(r"گزینه(?:\u0654|\u200c?ی)?[ \t]*(?P<opt>[a-d])(?![A-Za-z0-9])"), "option"),
    # a lower-case letter after "option" closing its phrase: "… — option b."
    (re.compile(r"(?i:\b(?:option|choice)[ \t]+)(?P<opt>[a-d])(?=[ \t]*(?:[.,;!)]|\n|$))"), "option"),
    (re.compile(r"(?i:\b(?:option|choice|answer)\s+(?:number\s+)?)(?P<opt>(?i:one|two|three|four))\b"), "option"),
    (re.compile(rf"(?i:\bthe\s+){_EN_ORDINAL}(?i:\s+(?:one|option|choice|answer|definition|statement|item)\b)"),
     "option"),
    (re.compile(rf"(?i:\b){_EN_ORDINAL}(?i:\s+(?:option|choice)\b)"), "option"),
    # "So the right option is the second.": the ordinal as what the answer is, closing its phrase
    (re.compile(rf"(?i:\b(?:correct|right|best)\s+(?:option|choice|answer)\s+(?:is|would\s+be|must\s+be)\s+the\s+)"
                rf"{_EN_ORDINAL}(?=\s*[.!]|\s*$)"), "statement"),
    (re.compile(r"(?:^|(?<=[\[(]))[ \t>#\-•]*(?P<opt>[A-D])\s+:", re.MULTILINE), "layout"),
    (re.compile(r"^[ \t>#\-•]*(?P<opt>[A-D]|الف|ب|ج|د)\s*(?:[).:：]|\s-\s|(?=\s*[✅✔☑❌✗✘]))", re.MULTILINE), "line"),
    (re.compile(r"^[ \t>#\-•]*(?P<opt>[1-4])\s*[)：:]", re.MULTILINE), "line"),
    # inline list markers "A) … B) … C) …" on one line (an echo when three or more different ones share a line)
    (re.compile(r"(?<![A-Za-z0-9\[(])(?P<opt>[A-D])\)"), "inline"),
    (re.compile(r"(?<![A-Za-z0-9\[(])(?P<opt>[a-d])\)(?=[ \t]+[A-Za-z])"), "inline"),
    # a letter as what something is, set off by a colon or a dash: "The first step is C: start chest compressions"
    # (read only where its option's text follows)
    (re.compile(r"(?i:\b(?:is|would\s+be|must\s+be))[ \t]+(?i:option[ \t]+)?[\[(]?(?P<opt>[A-D])[\])]?"
                r"(?=[ \t]*[:：—–])"), "copula"),
    # "Not B, but C.": a letter after not/but, closing its phrase
    (re.compile(r"(?i:\bnot|\bbut|\brather)\s+(?:(?i:option)\s+)?(?P<opt>[A-D])(?=\s*[.,;!)(—–]|\s-\s|\s*$)"), "contrast"),
    # two options offered together: "Either A or C would be acceptable", "both B and D"
    (re.compile(r"(?:(?<=\b[Ee]ither )|(?<=\b[Bb]oth ))(?P<opt>[A-D])(?=\s+(?i:or|and)\s+[A-D](?![A-Za-z0-9]))"), "option"),
    (re.compile(r"(?:(?<!\w)نه|(?<!\w)بلکه)\s+(?:گزینه\s*)?(?P<opt>الف|ب|ج|د|[A-D])(?=\s*[.,،؛!)]|\s*$)"), "contrast"),
    # a Latin letter as the subject of a verdict: "A is not correct", "C is the answer", "C درست است"
    (re.compile(
        r"(?<![A-Za-z0-9\-'’])(?P<opt>[A-D])(?=\s*(?:,\s*)?(?i:is\b|isn't\b|was\b|would\b|seems\b|appears\b|can't\b|"
        r"cannot\b|could\b|might\b|may\b|also\b|too\b|fits\b|matches\b|explains\b|best\b)|\s+(?:درست|صحیح|نادرست|غلط|اشتباه|است|نیست|هم|نیز|پاسخ|جواب)"
        r"(?!\w))"
    ), "subject"),
    # a Persian option letter as the subject of a verdict: "الف درست است", "ج غلط است", "ب هم درست باشد"
    # (the colloquial "-ه" of "is" included: "الف درسته", "ج غلطه")
    (re.compile(r"(?<!\w)(?P<opt>الف|ب|ج|د)(?=\s+(?:(?:هم|نیز)\s+)?(?:درست|صحیح|نادرست|غلط|اشتباه)ه?(?!\w))"), "subject"),
]
_BOLD_OPTION = re.compile(r"\*\*\s*([A-D]|[1-4]|الف|ب|ج|د)\s*\*\*")
_THINKING = re.compile(r"<think>.*?</think>", re.DOTALL)
_LONE = re.compile(r"^\W*(?P<opt>[A-Da-d]|[1-4]|الف|ب|ج|د)\W*$")
_DROP = str.maketrans({ch: "" for ch in DIACRITICS + FATHATAN})

# A Latin letter or digit right after one of these words is a name (vitamin D, hepatitis B, T cells, type 2).
_NAMING_WORDS = re.compile(
    r"(?:ویتامین|هپاتیت|تیپ|نوع|گروه|فاز|کلاس|سلول(?:\u200c?های)?|لنفوسیت(?:\u200c?های)?|ایمونوگلوبولین|زنجیره|"
    r"vitamin|hepatitis|type|group|phase|class|cells?|lymphocytes?|immunoglobulin|ig|chain|stage|grade|مرحله|درجه|"
    r"plan|level|zone|band|factor|protein|kinase|fibers?|فیبر(?:\u200c?های)?|پروتئین|فاکتور)"
    r"[\s\-]*$",
    re.IGNORECASE,
)
_NEGATION_AFTER = re.compile(
    r"[❌✗✘]|نادرست|غلط|اشتباه|(?:صحیح|درست|مناسب|کامل)\s*(?:نیست|نمی\u200c?باشد)|نیست|نیستند|نمی\u200c?باشد|"
    r"رد\s+می\u200c?شود|(?:را\s+)?(?:رد|حذف)\s+(?:می\u200c?کنیم|می\u200c?شود|کرد|شد|کنید)|کنار\s+گذاشته|بعید|"
    r"(?i:\bnot\b|\bincorrect\b|\bwrong\b|\bfalse\b|\bisn't\b|\bisn’t\b|\bcan't\b|\bcannot\b|\bruled\s+out\b|"
    r"\bexcluded\b|\beliminated\b|\bunlikely\b|\bless\s+likely\b|\binadequate\b|\binsufficient\b|"
    r"\b(?:is|are)\s+out\b|\buseless\b|\bpointless\b|\bof\s+no\s+(?:use|value)\b|"
    # a lesser role: an adjunct, a second-line or alternative treatment, reserved for other cases
    r"\badjuncts?\b|\badjunctive\b|\bsecond[\s-]line\b|\b(?:an|the)\s+alternative\b|\breserved\s+for\b|"
    r"\bdistractors?\b|\bred\s+herring\b|\btrap\b|"
    # a contrast with the answer already given: "Carboprost, by contrast, is …"
    r"\bby\s+contrast\b|\bin\s+contrast\b|\bon\s+the\s+other\s+hand\b)|(?:گزینه\s+)?انحرافی|"
    r"خط\s+دوم|(?:درمان|داروی)\s+(?:کمکی|جایگزین)|(?<!\w)کمکی(?!\w)|بی\u200c?فایده"
)
_NEGATION_BEFORE = re.compile(
    r"(?:(?<!\w)نه|به\s+جز|به\u200cجز|غیر\s+از|بجز|(?<!\w)(?:قبل|پیش|زودتر)\s+از|"
    # a comparison puts the option after or below the answer: "appears well before respiratory depression"
    r"(?i:\bbefore\b|\bthan\b|\bunlike\b|\bcompared\s+(?:with|to)\b|\bversus\b|\bvs\b\.?)|"
    r"(?i:\bnot\b|\bexcept\b|\brather\s+than\b|\binstead\s+of\b|"
    r"\bisn't\b|\bisn’t\b|\bnor\b|\bneither\b|\beliminat\w*|\bexclud\w*|\brule\s+out|\bruling\s+out))"
    r"[\s:،,]*(?:(?:گزینه(?:\u0654|\u200c?ی)?|(?i:option|choice|the\s+answer\s+is))\s*)?[\[(«]?\s*$"
)
# A question's polarity: it asks for the false statement, the exception, what is NOT so ("Which is FALSE?",
# "All of the following EXCEPT", "کدام نادرست است؟", "همه موارد … به جز", "کدام … نیست؟"). There an option called
# false, incorrect or the exception is the answer, not an option set aside.
_NEGATIVE_QUESTION = re.compile(
    r"(?i:\bfalse\b|\bincorrect\b|\buntrue\b|\bwrong\b|\bexcept\b|\bexception\b|\bnot\b|\bleast\s+likely\b)|"
    r"نادرست|غلط|اشتباه|(?<!\w)(?:به\s*جز|به\u200cجز|بجز|غیر\s+از|استثنا)|(?<!\w)(?:نیست|نمی\u200c?باشد|ندارد)(?!\w)"
)
# the verdicts that name the answer to such a question
_FALSE_VERDICT = re.compile(
    r"(?<!\w)(?:نادرست|غلط|استثنا)(?!\w)|(?i:\bfalse\b|\bincorrect\b|\buntrue\b|\bthe\s+exception\b|\bnot\s+true\b)"
)


_QUESTION_SENTENCE_END = re.compile(r"[.!?؟\n]+(?=\s*\S)")


def asks_for_exception(question: str | None) -> bool:
    """Whether ``question`` asks for the false statement, the exception or what is not so; only its last sentence,
    the ask, counts ("A patient who does not respond … What is the next step?" asks for the next step)."""
    if not question:
        return False
    ask = _QUESTION_SENTENCE_END.split(question.strip())[-1]
    return _NEGATIVE_QUESTION.search(ask) is not None


# a contrast or comparison puts the option after it aside, whatever follows: "unlike option A", "rather than C",
# "compared with B", "more likely than D", "برخلاف الف", "به جای گزینه ب", "محتمل‌تر از ج", "در مقایسه با د"
_CONTRAST_BEFORE = re.compile(
    r"(?:(?<!\w)(?:بر\s*خلاف|برخلاف|به\s*جای|به\u200cجای|بجای|در\s+مقایسه\s+با|در\s+مقابل|برعکس|بر\s+عکس|"
    r"در\s+تضاد\s+با|متفاوت\s+از|متفاوت\s+با|هرچند|اگرچه|گرچه)|"
    r"(?i:\balthough\b|\bthough\b)|\w\u200c?تر\s+از|(?i:\bunlike\b|\bthan\b|\bcompared\s+(?:with|to)\b|"
    r"\bin\s+contrast\s+(?:with|to)\b|\bas\s+opposed\s+to\b|\bversus\b|\bvs\.?|\bother\s+than\b|\bapart\s+from\b|"
    r"\bbesides\b|\bover\b|\bdifferent\s+from\b|\bfollowed\s+by\b|\band\s+then\b|"
    r"\b(?:distinguish|differentiate|tell)(?:es|s|ed|ing)?\s+(?:it|this|them|the\s+two)?\s*(?:apart\s+)?from\b|"
    r"\b(?:superior|inferior|preferable|preferred)\s+to\b)|(?<!\w)(?:پس|بعد)\s+از\s+آن)"
    r"[\s:،,]*(?i:(?:both|either|all\s+of)\s+)?"
    r"(?:(?:گزینه(?:\u0654|\u200c?ی)?|(?i:(?:the\s+)?(?:option|choice|answer)))\s*)?[\[(«]?\s*$"
)


# the words a question asks for the exception with ("all of the following EXCEPT", "همه موارد به جز")
_EXCEPTION_WORD = re.compile(r"(?i:\bexcept(?:ion)?\b)|به\s*جز|به\u200cجز|بجز|غیر\s+از")


def _negation_before(before: str, question: str | None) -> bool:
    """A negation before an option, unless it is the exception word the question itself asks with: "The EXCEPT
    answer is D." answers "… all of the following EXCEPT"."""
    found = _NEGATION_BEFORE.search(before)
    if found is None:
        return False
    echoed = _EXCEPTION_WORD.fullmatch(found.group().strip(" \t:،,"))
    return not (echoed and question and _EXCEPTION_WORD.search(question))


def _contrast_before(wide: str, question: str | None) -> bool:
    """A contrast before an option ("بیشتر از", "rather than"), unless the question asks in the same words: "less than
    12 g/dL" answers "Anaemia is haemoglobin less than what?" ("کمتر از چه مقداری")."""
    found = _CONTRAST_BEFORE.search(wide)
    if found is None:
        return False
    phrase = match_key(found.group())
    return not (question and phrase and f"{phrase} " in f"{match_key(question)} ")


# the option a mistake picks: "A common mistake is to pick B", "اشتباه رایج انتخاب گزینه ب است"
_MISTAKE_BEFORE = re.compile(
    r"(?:(?i:\bmistake|\berror|\bpitfall|\btrap|\btempting|\bwrongly|\bmistakenly)|اشتباه|خطای|وسوسه)"
    r"[^.!?؟\n;؛]{0,25}$"
)
# a counterfactual sentence names an option it does not give: "If the question asked about X, the answer would be B",
# "اگر سؤال درباره X بود، پاسخ ب می‌شد" (not "If I had to choose, …", which commits, nor a condition the question
# itself sets: "اگر عصب بازسازی نشود، … آتروفی (گزینه C) را نشان می‌دهند"): an "if" before the mention and a
# counterfactual verb in the sentence
# what the answer would have been: never an answer, whatever names it ("در کودکان پاسخ گزینه ب می‌بود", "B would
# have been right in children")
_WOULD_HAVE_BEEN = re.compile(
    r"(?<!\w)(?:می\u200c?بود|می\u200c?شد)(?!\w)|(?i:\bwould\s+have\s+been\b|\bwould've\s+been\b)"
)
_COUNTERFACTUAL = re.compile(
    r"(?i:\bwould(?:n't|’t)?\b|\bwould've\b|\bhad\s+(?:been|it|the)\b|\bwere\s+(?:it|the|asking)\b)|"
    r"(?<!\w)(?:می\u200c?بود|می\u200c?شد|بود)(?!\w)"
)
_HYPOTHETICAL = re.compile(
    r"(?:(?<!\w)(?:اگر|چنانچه|درصورتی\s*که|در\s+صورتی\s*که|فرض\s+کنیم)(?!\s+(?:مجبور|بخواهم|قرار\s+باشد))|"
    r"(?i:\bif\b(?!\s+(?:i|we)\s+(?:had|have|must|were)\s+to\b)(?!\s+forced\b)|\bassuming\b|\bsuppose\b|"
    r"\bhad\s+the\s+question\b|\bwere\s+the\s+question\b))"
)
_POSITIVE_AFTER = re.compile(
    r"^\W*[✅✔☑]|(?<!نا)(?:درست|صحیح)(?:\u200c?تر(?:ین)?)?\s*(?:است|می\u200c?باشد|هست)|"
    r"(?<!نا)(?:درست|صحیح)(?:\u200c?اند|\s+هستند)|(?i:\bare\s+(?:all\s+|both\s+|each\s+)?(?:correct|right|true)\b)|"
    r"پاسخ\s+(?:صحیح\s+|درست\s+)?(?:است|می\u200c?باشد)|"
    r"(?i:\bis\s+(?:the\s+)?(?:correct|right|best|true)\b|\bis\s+the\s+(?:answer|one)\b|\bcorrect\s+answer\b|"
    r"\bfits\s+best\b|\bbest\s+(?:fits|explains|matches)\b|\bis\s+(?:the\s+)?most\s+likely\b)"
)
_LINE_PREFIX = re.compile(r"[ \t>#\-•]*")
# a conclusion names the answer: "پس گزینه د", "بنابراین [C]", "So, option B."
_CONCLUSION_BEFORE = re.compile(
    r"(?:(?<!\w)(?:پس|بنابراین|در\s+نتیجه|لذا|نتیجتا|نتیجتاً)|(?i:\bso|\btherefore|\bthus|\bhence))[\s,،:]*"
    r"(?:(?:گزینه(?:\u0654|\u200c?ی)?|(?i:option|choice))\s*)?[\[(«]?\s*$"
)
# a correction: the statement after it replaces the one before ("C … Actually, it's B.", "… در واقع پاسخ ب است")
_CORRECTION = re.compile(
    r"(?:(?i:\bactually|\bcorrection|\bwait|\bon\s+second\s+thought|\bsorry)|در\s+واقع|اصلاح|ببخشید|"
    r"(?<!\w)نه\s*[،,])[^.!?؟\n]{0,40}$|اصلاح\s+می\u200c?شود|اصلاح\s+شده"
)
# "I think it's A... no, …", "… hmm, no", "… نه، منظورم ج": an ellipsis and a no withdraw what came before it
_ELLIPSIS_NO = r"(?:\.{2,}|…)\s*(?i:(?:hmm+|um+|uh+),?\s*)?(?:(?i:no\b|nope\b)|نه(?!\w))"
# a self-correction anywhere between two answers: the later answer is the committed one
_CORRECTION_MARK = re.compile(
    r"(?i:\bwait\b|\bactually\b|\bcorrection\b|\bon\s+second\s+thought|\bi\s+was\s+wrong|\blet\s+me\s+correct)|"
    r"اصلاح\s+می\u200c?کنم|اصلاح\s+می\u200c?شود|(?<!\w)اصلاح\s*[:：]|در\s+واقع|ببخشید|اشتباه\s+کردم|"
    rf"{_ELLIPSIS_NO}|(?<!\w)صبر\s+کن(?:ید)?(?!\w)"  # "… صبر کنید"
)
# an explicit final answer overrides what came before it: "پس پاسخ نهایی: گزینه ب", "Final answer: C"
_FINAL_ANSWER = re.compile(r"(?i:\bfinal\s+(?:answer|choice|option))|(?:پاسخ|جواب|گزینه)\s+نهایی")
_FINAL_REACH = 30
_SEVERAL_BEFORE = re.compile(
    r"هر\s+دو\s+(?:گزینه(?:\u0654|\u200c?ی|\u200c?های)?\s*)?[\[(]?\s*$|"
    r"(?i:\bboth\s+(?:options?\s+)?|\beither\s+(?:option\s+)?)$"
)
_SEVERAL = re.compile(
    r"هر\s+دو(?:\s+\S+){0,2}?\s+(?:درست|صحیح|ممکن|محتمل)|"
    r"(?i:\bboth\b[^.]{0,30}\b(?:correct|possible|right|could)\b|\beither\b)|"
    # "… هم می‌تواند درست باشد", "is also correct", "could also be the answer": a second answer beside the first
    r"(?:هم|نیز)\s+(?:می\u200c?تواند|ممکن\s+است)\s+(?:درست|صحیح|پاسخ)|(?:هم|نیز)\s+(?:درست|صحیح)\s+(?:است|هست|باشد|باشه)|"
    r"(?i:\b(?:is|are|could|might|may)\s+(?:be\s+)?also\s+(?:be\s+)?(?:correct|right|valid|the\s+answer)\b|"
    r"\balso\s+(?:correct|right|valid)\b)"
)
# called possible answers: "ممکن است درست باشند", "محتمل‌اند", "could be correct", "are possible answers"
_POSSIBLE = re.compile(
    r"(?:ممکن\s+است|می\u200c?توانند|می\u200c?تواند)\s+(?:\S+\s+)?(?:درست|صحیح|پاسخ|جواب)|(?<!\w)محتمل|"
    r"(?i:\b(?:could|might|may)\s+(?:both\s+|also\s+)?be\s+(?:correct|right|true|the\s+answer)\b|"
    r"\bpossible\s+answers?\b)"
)
# a contrast ends the clause a verdict is read from when the next option follows it: "B is the best answer, not C"
_CONTRAST = re.compile(r",\s*(?i:not|but)\b|\s[—–-]\s*(?i:not)\b|،\s*(?:نه|ولی|اما|بلکه)(?!\w)|(?i:\bbut\b)|(?<!\w)(?:ولی|اما|بلکه)(?!\w)")
# right after a mention: another option joined by "و"/"یا"/"and"/"or"/"/" ("پاسخ: A و B", "A or B", "A and C")
# an ordinal joined to an option: "گزینه اول یا سوم", "the first or the third"
_ORDINAL_WORD = r"(?:اول|دوم|سوم|چهارم|آخر)(?!\w)|(?i:(?:first|second|third|fourth|last)\b)"
_JOINED_ORDINAL = rf"(?i:the\s+)?(?:{_ORDINAL_WORD})"
_JOINED_OPTION = re.compile(
    r"^\s*[\])»]?\s*(?:,|،|/|\\|&|\bو\b|\bیا\b|(?i:\band(?:/or)?\b|\bor\b|\bor\s+(?:maybe|perhaps|possibly)\b))\s*"
    rf"(?:(?:گزینه(?:\u0654|\u200c?ی)?|(?i:option|choice))\s*)?[\[(«]?\s*(?:{_LATIN}|{_DIGIT}|{_FA}|{_JOINED_ORDINAL})"
    r"(?:\s*[\])»])?"
    r"(?!\s*(?:هم\s+)?(?:نادرست|غلط|اشتباه|نیست|(?i:are\s+(?:not|wrong|incorrect)|is\s+(?:not|wrong|incorrect))))"
)
# right before a verdict's subject: "A and C could be", "A یا B درست است"
_JOINED_BEFORE = re.compile(
    rf"(?:(?<![A-Za-z])(?P<opt>[A-D])|{_GOZINEH}\s*[\[(«]?\s*(?P<opt2>[A-D1-4]|الف|ب|ج|د))\s*[\])»]?\s*"
    r"(?:\bو\b|\bیا\b|(?i:\band\b|\bor\b)|/)\s*(?:(?:گزینه(?:\u0654|\u200c?ی)?|(?i:option))\s*)?[\[(«]?\s*$"
)
# hedges: an option offered as a possibility ("شاید الف", "maybe B", "it could be C") is no answer, and an output that
# says it is unsure ("مطمئن نیستم", "I'm not sure") gives an answer only where it states one
_HEDGE_BEFORE = re.compile(
    r"(?:(?<!\w)شاید|(?i:\bmaybe|\bperhaps|\bpossibly|\bmight\s+be|\bcould\s+be|\bor\s+else))\s*"
    r"(?:(?:گزینه(?:\u0654|\u200c?ی)?|(?i:option|choice))\s*)?[\[(«]?\s*$"
)
_UNSURE = re.compile(
    r"مطمئن\s+نیستم|اطمینان\s+ندارم|نمی\u200c?توانم\s+(?:با\s+)?(?:قطعیت|اطمینان|قاطعیت)|"
    r"(?i:\bnot\s+(?:completely\s+|entirely\s+|totally\s+|really\s+|100%\s+)?(?:sure|certain)\b|\bunsure\b|"
    r"\bcan(?:not|'t|’t)\s+(?:be\s+sure|decide|tell\s+which|choose|pick|select)|"
    # undecided: more information is needed, either could fit
    r"\bbefore\s+choosing\b|\b(?:rather\s+not|won't|won’t|will\s+not|don't\s+want\s+to)\s+guess\b|\b(?:need|needs|needed)\s+(?:to\s+know|more\s+(?:information|context|details|history))|"
    r"\bwithout\s+(?:further|more)\s+(?:context|information|details)\b|\bcould\s+(?:fit|be)\s+either\b)|"
    r"اطلاعات\s+بیشتر(?:ی)?\s+(?:لازم|نیاز|ضروری)|نیاز\s+به\s+اطلاعات\s+بیشتر|(?<!\w)(?:مردد|دودل)(?!\w)|"
    r"(?i:\btorn\s+between\b)|"
    r"نمی\u200c?توان\s+(?:یکی|یک\s+گزینه|بین)"
)
_SENTENCE_END = re.compile(r"[.!؟?\n;؛]|،\s*(?=[\[(]|گزینه)")
_CLAUSE_CHARS = 80
_CONTRAST_TAIL = 12  # at most this much between a contrast and the next option ("not option", "نه گزینه")
# right before an option's text, a word that gives it as the answer: "Answer:", "is", "→", "That leaves", and a
# restatement or a conclusion: "6 o'clock, i.e. posterior midline", "…, so dantrolene", "…, go with hemodialysis"
_ANSWER_BEFORE_TEXT = re.compile(
    r"(?:(?i:\bi\.\s?e\.|\bie\b|\bnamely|\bso|\btherefore|\bthus|\bhence|\bgo\s+with(?:\s+the)?)|(?<!\w)(?:یعنی|پس)(?!\w))"
    r"\s*[:：,،]?\s*$|"
    r"(?i:\bfinal)\s*[:：]\s*$|"
    rf"(?:{_ANSWER_WORD}(?:\s+(?:عبارت\s+است\s+از|این\s+است\s+که|است|برابر\s+است\s+با|یعنی))?|"
    rf"{_EN_ANSWER_LEAD}(?:\s+(?i:is))?|(?i:\bis\b)|→|=>|⇒|⟹|(?:{_ELIMINATION})(?:\s+(?i:the|an?))?)"
    r"\s*[:：,،\-]?\s*[\[(«\"']?\s*$"
)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Mention:
    """One place the text names an option: where, which, how, and what its clause says about it."""

    start: int
    end: int
    letter: str
    kind: str  # statement | bracket | option | layout | line | inline | copula | subject | text | joined
    status: str = "bare"  # stated | negated | hedged | listed | several | bare
    by_text: bool = False  # the option's text, not its letter


def normalize_answer_text(text: str) -> str:
    """Step 1 of the rule: the folding module's forms, bold lone options to ``[X]``, emphasis dropped."""
    return _drop_emphasis(_folded_answer_text(text))


def _folded_answer_text(text: str) -> str:
    text = fold_presentation_forms(unicodedata.normalize("NFKC", text))
    text = fold_letters(fold_digits(strip_bidi(text))).translate(_DROP)
    text = _BOLD_OPTION.sub(lambda m: f"[{m.group(1)}]", text)
    text = _THINKING.sub("\n", text)  # a reasoning block before the answer is not the answer
    return _first_answer_block(_finglish(text))


def _drop_emphasis(text: str) -> str:
    return text.replace("*", "").replace("__", "")


def _emphasised(folded: str) -> list[str]:
    """The phrases set in bold, emphasis dropped inside them."""
    return [_drop_emphasis(phrase).strip() for phrase in _BOLD.findall(folded)]


# Finglish (Persian in Latin letters): "Gozine B.", "javab: C —", "javab gozine 1 e" read as their Persian forms
_FINGLISH = (
    (re.compile(r"(?i:\bgozine(?:h|ye|ie|i|e)?\b)"), "گزینه"),
    (re.compile(r"(?i:(?<=گزینه )(?:avv?al|yek)\b)"), "اول"),
    (re.compile(r"(?i:(?<=گزینه )(?:dovv?om|do)\b)"), "دوم"),
    (re.compile(r"(?i:(?<=گزینه )(?:sevv?om|se)\b)"), "سوم"),
    (re.compile(r"(?i:(?<=گزینه )(?:chah(?:a|aa)rom|chahar)\b)"), "چهارم"),
    (re.compile(r"(?i:\b(?:javab|pasokh)(?:e)?(?:\s+(?:dorost|sahih))?\b)"), "جواب"),
    # the Persian letters' names after an option or answer word: "gozine dal", "gozine-ye jim", "javab: alef"
    (re.compile(r"(?i:(?<=گزینه )(?:alef|alf)\b|(?<=جواب: )(?:alef|alf)\b|(?<=جواب )(?:alef|alf)\b)"), "الف"),
    (re.compile(r"(?i:(?<=گزینه )beh?\b|(?<=جواب: )beh?\b|(?<=جواب )beh\b)"), "ب"),  # not "javab be soal"
    (re.compile(r"(?i:(?<=گزینه )jim\b|(?<=جواب: )jim\b|(?<=جواب )jim\b)"), "ج"),
    (re.compile(r"(?i:(?<=گزینه )dal\b|(?<=جواب: )dal\b|(?<=جواب )dal\b)"), "د"),
    (re.compile(r"(?i:\b(?:nist|nadorost|ghalat)\b)"), "نادرست"),
)


def _finglish(text: str) -> str:
    for pattern, persian in _FINGLISH:
        text = pattern.sub(persian, text)
    return text


# a made-up next question after the answer: "Answer: D\n\nQuestion 14: … Answer: A" (only the first block is read)
_NEXT_QUESTION = re.compile(r"\n[ \t#>*]*(?:(?i:question|q)|سوال|سؤال|پرسش)[ \t]*(?:شماره[ \t]*)?\d+[ \t]*[:：.)\-]")


def _first_answer_block(text: str) -> str:
    match = _NEXT_QUESTION.search(text)
    return text[: match.start()] if match and text[: match.start()].strip() else text


# a capital and a full stop before a lower-case word abbreviate a genus: "C. difficile", "E. coli", "H. pylori" …
_GENUS = re.compile(r"\.[ \t]?[a-z]{3,}")
# … unless an option word names the letter: "گزینه B. glucose paeen …", "Option C. the others …"
_OPTION_WORD_BEFORE = re.compile(r"(?:گزینه(?:\u0654|\u200c?ی)?|(?i:\boption|\bchoice))\s*[:：]?\s*$")


def _genus_initial(text: str, match: re.Match) -> bool:
    return bool(_GENUS.match(text, match.end("opt"))) and not _OPTION_WORD_BEFORE.search(
        text, max(0, match.start("opt") - 12), match.start("opt")
    )


def _is_name(text: str, start: int, token: str) -> bool:
    """A Latin letter/digit right after a naming word (ویتامین D) is part of a name, not an option."""
    if token not in "ABCD1234" or not token:
        return False
    return bool(_NAMING_WORDS.search(text[max(0, start - 30) : start]))


_PLURAL_LIST = re.compile(
    rf"(?:گزینه\u200c?های|(?i:\boptions|\bchoices|\banswers))\s*[:：]?\s*(?P<list>[\[(«]?\s*(?:{_LATIN}|{_DIGIT}|{_FA})"
    rf"(?:\s*[\])»]?\s*(?:,|،|و|(?i:and|or)|یا|/)\s*[\[(«]?\s*(?:{_LATIN}|{_DIGIT}|{_FA}))+\s*[\])»]?)"
)
_LIST_TOKEN = re.compile(rf"{_LATIN}|{_DIGIT}|{_FA}")


def _letter_of(token: str) -> str:
    return _TO_LETTER[token] if token in _TO_LETTER else _TO_LETTER[token.lower()]


def _plural_mentions(text: str) -> list[Mention]:
    """"گزینه‌های الف و ج", "options B and C": each option of the list, named together with the others."""
    out = []
    for match in _PLURAL_LIST.finditer(text):
        for token in _LIST_TOKEN.finditer(match.group("list")):
            start = match.start("list") + token.start()
            out.append(Mention(start, start + len(token.group()), _TO_LETTER[token.group()], "plural"))
    return out


def _letter_mentions(text: str) -> list[Mention]:
    found: dict[tuple[int, str], Mention] = {(m.start, text[m.start : m.end]): m for m in _plural_mentions(text)}
    for pattern in _STATEMENT_PATTERNS:
        for match in pattern.finditer(text):
            key = (match.start("opt"), match.group("opt"))
            if _genus_initial(text, match):
                continue
            found[key] = Mention(match.start(), match.end(), _letter_of(match.group("opt")), "statement")
    for pattern, kind in _MENTION_PATTERNS:
        for match in pattern.finditer(text):
            key = (match.start("opt"), match.group("opt"))
            if key in found or _genus_initial(text, match):
                continue
            named = kind in ("bracket", "layout", "subject", "inline", "copula")
            if named and _is_name(text, match.start(), match.group("opt")):
                continue
            line_start = text.rfind("\n", 0, match.start()) + 1
            # "[A] : text" at a line start is the option list's own layout
            at_line_start = kind == "bracket" and _LINE_PREFIX.fullmatch(text[line_start : match.start()])
            start = match.start("opt") if kind == "contrast" else match.start()
            end = match.end() if kind != "subject" else match.end("opt")
            found[key] = Mention(start, end, _letter_of(match.group("opt")), "line" if at_line_start else kind)
    return sorted(found.values(), key=lambda m: m.start)


_LOOSE_CLASSES = {"ا": "[اأإآٱ]", "و": "[وؤ]", "ی": "[یئ]", "ه": "[هة]"}
_NUMERALS = (("i", "1"), ("ii", "2"), ("iii", "3"), ("iv", "4"))
_SAME_NUMBER = {a: f"(?:{a}|{b})" for a, b in _NUMERALS} | {b: f"(?:{a}|{b})" for a, b in _NUMERALS}  # II = 2


_PLURAL = "(?:\u200c?(?:های|ها|ی))?"
_PARENTHETICAL = re.compile(r"\(([^()]+)\)")


def _words(text: str) -> list[str]:
    return _WORD.findall(match_key(text, hamza=True, teh_marbuta=True, loanwords=True))


def _choice_aliases(choice: str) -> list[list[str]]:
    """The words a choice can be named by: its whole text, the text without a parenthetical, the parenthetical
    (an abbreviation such as "(SSRI)")."""
    choice = _TRAILING_ZEROS.sub(r"\1", choice)  # "2.0–3.0" is named "2-3"
    aliases = [_words(choice)]
    words = aliases[0]
    if len(words) >= 2 and len(words[0]) >= 3 and words[0].isascii() and words[0].isalpha():
        aliases.append([words[0][0], *words[1:]])  # "Haemophilus influenzae" -> "H. influenzae"
    inner = _PARENTHETICAL.findall(choice)
    if inner:
        aliases.append(_words(_PARENTHETICAL.sub(" ", choice)))
        aliases += [_words(part) for part in inner]
    return [words for words in aliases if words]


_TRAILING_ZEROS = re.compile(r"(\d)[.٫]0+(?!\d)")


def _word_pattern(word: str) -> str:
    if word in _SAME_NUMBER:
        return _SAME_NUMBER[word] + (r"(?:[.٫]0+)?(?!\d)" if word.isdigit() else "")
    if word.isdigit():
        return re.escape(word) + r"(?:[.٫]0+)?(?!\d)"
    for long_, short in LOANWORD_FOLDS.items():  # "هیپرکالمی" is said "هایپرکالمی" too
        if word.startswith(short):
            return f"(?:{_loose(long_)}|{_loose(short)})" + _loose(word[len(short) :])
    return _loose(word)


def _loose(word: str) -> str:
    return "".join(_LOOSE_CLASSES.get(ch, re.escape(ch)) + "\u0654?" for ch in word)


_CLAUSE_MARK = re.compile(r"[,،;؛:]")


def _choice_pattern(words: list[str], across_commas: bool = False) -> re.Pattern:
    """Words in the folding module's match form: any run of non-word characters (spaces, ZWNJ, hyphens, full stops)
    or none between them, but no comma, colon or clause mark unless the option has one ("ferritin is low, TIBC" does
    not name "Low TIBC"), hamza forms and teh marbuta loose, case-insensitive, a Persian plural ending allowed."""
    gap = r"[\W_]*" if across_commas else r"[^\w,،;؛:!?؟\n]*"
    body = gap.join(_word_pattern(word) for word in words)
    return re.compile(rf"(?<!\w){body}{_PLURAL}{_COLLOQUIAL_IS}(?!\w)", re.IGNORECASE)


@lru_cache(maxsize=8192)
def _choice_patterns(choice: str) -> tuple[re.Pattern, ...]:
    """The patterns that name a choice by its text, one per alias, compiled once per choice text (an evaluation run
    reads every output against the same few thousand choices; ``re``'s own cache holds 512 patterns)."""
    across_commas = bool(_CLAUSE_MARK.search(choice))
    return tuple(_choice_pattern(words, across_commas) for words in _choice_aliases(choice))


# the colloquial "is" joined to a Persian word that ends in a consonant: "جواب من نقرس حاده" (= نقرس حاد است)
_COLLOQUIAL_IS = r"(?:(?<=[^\W\dA-Za-zاآویه])ه)?"


def _text_mentions(text: str, choices: Sequence[str] | None, taken: list[Mention]) -> list[Mention]:
    """Mentions of the options' texts; the longest match wins where texts overlap; none inside a letter mention.
    Two option texts joined by "و"/"and"/"or" are named together, never as the answer (kind "joined")."""
    if not choices or len(choices) != len(CHOICES):
        return []
    spans: list[tuple[int, int, str]] = []
    for letter, choice in zip(CHOICES, choices):
        for pattern in _choice_patterns(str(choice)):
            spans += [(m.start(), m.end(), letter) for m in pattern.finditer(text)]
    spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
    kept: list[tuple[int, int, str]] = []
    for start, end, letter in spans:
        if any(start < e and s < end for s, e, _ in kept):
            continue
        if any(m.start <= start < m.end for m in taken):
            continue
        kept.append((start, end, letter))
    kept.sort()
    joined = set()
    for (s1, e1, l1), (s2, e2, l2) in zip(kept, kept[1:]):
        if l1 != l2 and _TEXT_JOIN.fullmatch(text[e1:s2]):
            joined |= {s1, s2}
    out = []
    for start, end, letter in kept:
        stated = _ANSWER_BEFORE_TEXT.search(text[max(0, start - 40) : start]) or _concludes_with_text(
            text, start, end, letter, kept, taken
        )
        kind = "statement" if stated else "text"
        out.append(Mention(start, end, letter, "joined" if start in joined else kind, by_text=True))
    return out


def _concludes_with_text(
    text: str, start: int, end: int, letter: str, kept: list[tuple[int, int, str]], letters: list[Mention]
) -> bool:
    """An option's text a few words after the conclusion word that opens its sentence, with no other option's text
    and no option letter in the sentence ("So the exception is the atrial septal defect.")."""
    sentence_start = _sentence_start(text, start)
    stop = _FULL_STOP.search(text, end)
    sentence_end = stop.start() if stop else len(text)
    others = [k for k in kept if sentence_start <= k[0] < sentence_end and k[2] != letter]
    others += [m for m in letters if sentence_start <= m.start < sentence_end]
    opening = _CONCLUSION_START.match(text[sentence_start:start])
    return not others and opening is not None and start - sentence_start - opening.end() <= _CONCLUSION_REACH


_CONCLUSION_REACH = 30  # "So the exception is the …": at most this much between the conclusion word and the text


_TEXT_JOIN = re.compile(r"\s*(?:,|،|/|و|یا|(?i:and|or))\s*")


def _loose_text_choice(
    norm: str, choices: Sequence[str] | None, question: str | None, emphasised: Sequence[str] = ()
) -> OptionMatch | None:
    """A short output, the opening segment of a longer one or its one phrase in bold, that names one option by a
    loose form of its text
    (:mod:`.option_match`: distinctive terms, numbers however written, the other script), with a clear lead over the
    other options; None where the two readings disagree or the segment rejects, hedges or pairs what it names."""
    if not choices or len(choices) != len(CHOICES):
        return None
    segments = [norm] if len(_WORD.findall(norm)) <= _SHORT_OUTPUT_WORDS else []
    opening = _opening_segment(norm)
    if opening and opening.strip() != norm.strip():
        segments.append(opening)
    bare_opening = _PARENTHETICAL.sub(" ", opening).strip() if opening else ""
    if bare_opening and bare_opening not in (segment.strip() for segment in segments):
        segments.append(bare_opening)  # "minimal change (lipoid nephrosis)": an aside in parentheses set apart
    if len(emphasised) == 1 and emphasised[0] not in segments:
        segments.append(emphasised[0])  # "درمان قطعی **ایریدوتومی لیزری** است": the one phrase set in bold
    reads = [(segment, match_option(segment, choices, question)) for segment in segments]
    reads = [(segment, read) for segment, read in reads if read is not None]
    if not reads or len({read.letter for _, read in reads}) > 1 or _UNDECIDED.search(norm):
        return None
    segment, read = reads[0]
    if not (_rejects_or_doubts(segment) or _SEVERAL.search(segment)):
        return read
    # "Needle thoracostomy (decompression) immediately — do not wait for imaging.": the short output rejects
    # something else after the opening; the opening stands unless what follows it denies it ("Chest X-ray — not
    # needed")
    opening_read = next((read for segment, read in reads if segment == opening), None)
    if opening_read is None or _rejects_or_doubts(opening) or _SEVERAL.search(opening):
        return None
    after = norm[norm.find(opening) + len(opening) :]
    return None if _DENIED_AFTER.match(after) else opening_read


# what follows an opening and denies it: "— not needed", ": no", "، نه"
_DENIED_AFTER = re.compile(
    r"\s*[—–:：\-,،]?\s*(?:(?i:not\b|no\b|never\b|isn't|isn’t|wrong\b|incorrect\b|unlikely\b)|"
    r"(?:نه|نیست|غلط|نادرست)(?!\w))"
)


# a concessive clause qualifies the answer, it does not reject it: "AFP — though it's not perfectly sensitive"
_CONCESSION = re.compile(
    r"(?i:\b(?:even\s+though|although|though|albeit)\b)[^,،.;؛!?؟\n]*|"
    r"(?<!\w)(?:هرچند|اگرچه|گرچه|با\s+اینکه|با\s+این\s+که)(?!\w)[^,،.;؛!?؟\n]*"
)


def _rejects_or_doubts(segment: str) -> bool:
    """The segment rejects what it names (outside a concessive clause) or doubts it."""
    return bool(_REJECTION.search(_CONCESSION.sub(" ", segment)) or _LOOSE_DOUBT.search(segment))


def _opening_read(norm: str, choices: Sequence[str] | None, question: str | None) -> OptionMatch | None:
    """The option the opening segment alone names by a loose form of its text, where it neither rejects nor doubts."""
    opening = _opening_segment(norm)
    if not opening or not choices or len(choices) != len(CHOICES):
        return None
    read = match_option(opening, choices, question)
    if read is None or _rejects_or_doubts(opening):
        return None
    return read


_SHORT_OUTPUT_WORDS = 12
_BOLD = re.compile(r"\*\*([^*\n]{2,80})\*\*")
# the output weighs two readings or rejects them all: "on the other hand", "depending on", "none of the options",
# "both … correct", "between B and D", "it could be B as well", "so A and B", "I always mix these two up",
# "از طرف دیگر", "بسته به", "بستگی دارد", "هر دو", "هیچ‌کدام از گزینه‌ها"; or it announces a walk through the options
# ("Let's analyze each option:", "بیایید گزینه‌ها را یکی‌یکی بررسی کنیم")
# a walk through the options announced: "Let's go through each option", "بیایید گزینه‌ها را بررسی کنیم"
_WALK_THROUGH_EN = (
    r"\blet(?:'s|’s|\s+us)\s+(?:analy[sz]e|go\s+through|look\s+at|consider|review|evaluate|examine|check)\s+"
    r"(?:each|every|all|the)(?:\s+of\s+the)?\s+(?:options?|choices?|answers?)\b"
)
_WALK_THROUGH_FA = r"(?<!\w)بیایید\s+(?:هر\s+)?گزینه|(?<!\w)باید\s+هر\s+گزینه"
_WALK_THROUGH = re.compile(rf"(?i:{_WALK_THROUGH_EN})|{_WALK_THROUGH_FA}")
# a second option offered as a maybe: "It's B... or maybe C", "**ب** یا شاید **ج**"
_OR_MAYBE = (
    r"(?:(?i:\bor\s+(?:maybe|perhaps|possibly))|(?<!\w)یا\s+(?:شاید|احتمالا|احتمالاً))\s*[\[(«]?\s*"
    r"(?P<maybe>[A-D]|الف|ب|ج|د)(?![A-Za-z0-9]|\w)"
)
_MAYBE_ANOTHER = re.compile(_OR_MAYBE)
_UNDECIDED = re.compile(
    r"(?i:\bon\s+the\s+other\s+hand\b|\bdepend(?:s|ing)\s+on\b|\bnone\s+of\b|\bneither\b|"
    r"\bboth\b[^.!?\n]{0,40}\b(?:correct|right|defensible|acceptable|valid)\b|\bbetween\s+[A-D]\s+and\s+[A-D]\b|"
    r"\bcould\s+be\s+[A-D]\s+(?:as\s+well|too|or\s+[A-D])\b|"
    r"\b(?:so|therefore|thus|hence)\s+[A-D]\s+(?:and|or)\s+[A-D]\b"
    r"(?!\s+(?:are|is)\s+(?:not|wrong|incorrect|out|excluded|ruled))|"
    r"\bmix(?:ing)?\s+(?:these|those|them|the)(?:\s+two)?\s+up\b|\b[1-4A-D]\s+ya\s+[1-4A-D]\b|"
    # a walk through the options announced, and no answer stated: what it names on the way is no answer
    rf"{_WALK_THROUGH_EN})|"
    r"(?<!\w)ممکن(?:ه|\s+است)\s+(?:گزینه(?:\u0654|\u200c?ی)?\s*)?(?:الف|ب|ج|د|[A-D])\s+(?:هم|نیز)\s+(?:باشه|باشد)|"
    r"(?i:\b(?:could|might|may)\s+(?:also|as\s+well)\s+be\s+(?:option\s+)?[A-D]\b)|"
    rf"{_WALK_THROUGH_FA}|"
    r"(?<!\w)پس\s+(?:الف|ب|ج|د)\s+(?:و|یا)\s+(?:الف|ب|ج|د)(?!\w)"
    r"(?!\s*(?:هم\s+)?(?:رد|نادرست|غلط|اشتباه|نیستند|کنار))|"
    r"از\s+(?:طرف|سوی)\s+دیگر|(?<!\w)بسته\s+به(?!\w)|(?<!\w)بستگی\s+(?:\S+\s+){0,3}?دار|(?<!\w)هر\s+دو(?!\w)|"
    rf"{_OR_MAYBE}|"
    r"(?<!\w)هیچ[\s\u200c]*(?:کدام|یک)(?!\w)"
)
# a lead-in that names no option: "پاسخ:", "The answer is", "Answer —"
_ANSWER_LEAD = re.compile(
    r"^\s*(?:(?:پاسخ|جواب)(?:\s+(?:صحیح|درست|نهایی))?(?:\s+(?:است|عبارت\s+است\s+از))?|"
    r"(?i:(?:the\s+)?(?:(?:correct|right|best|final)\s+)?answer(?:\s+is)?))\s*[:：\-—–]?\s*"
)
# where an opening segment ends: a sentence end (not the full stop of a genus, "E. coli", but that of "AFB."), a dash,
# a colon, an arrow
_SEGMENT_END = re.compile(
    r"(?<!\b[A-Z])\.(?!\d)|[!?؟;؛\n]|\s-\s|[—–→:：]|"
    # a sequence: what comes first is the answer ("IV calcium first …, then … insulin/dextrose", "… سپس انسولین")
    r"[,،]?\s+(?:(?i:(?:and\s+)?then|followed\s+by)\b|(?:سپس|بعدا|بعداً|و\s+بعد)(?!\w))"
)
# doubt in the segment itself: a hedge or a question
_LOOSE_DOUBT = re.compile(
    r"(?<!\w)شاید(?!\w)|(?i:\bmaybe\b|\bperhaps\b|\bpossibly\b|\bprobably\b|\bcould\b|\bmight\b)|[?؟]"
)


def _opening_segment(norm: str) -> str:
    """The output's opening words, after a lead-in such as "پاسخ:", up to the first sentence end, dash, colon or
    arrow: where a short answer stands ("E. coli — …", "Ruptured berry aneurysm — about 85% …")."""
    lead = _ANSWER_LEAD.match(norm)
    rest = norm[lead.end() if lead else 0 :].lstrip()
    end = _SEGMENT_END.search(rest)
    return rest[: end.start() if end else len(rest)]


_ACRONYM = re.compile(r"^\W*(?P<acronym>[A-Z]{2,6})\W*$")


def _acronym_choice(text: str, choices: Sequence[str] | None) -> str | None:
    """A short output that is one capitalised abbreviation ("ALL") made of the initials of exactly one option's words
    ("Acute lymphoblastic leukemia"), compared case-insensitively."""
    match = _ACRONYM.match(text.strip())
    if match is None or not choices or len(choices) != len(CHOICES):
        return None
    said = match.group("acronym").lower()
    hits = [letter for letter, choice in zip(CHOICES, choices) if "".join(w[0] for w in _words(str(choice))) == said]
    return hits[0] if len(hits) == 1 else None


# a reason given for the option: what it says is about something else ("Odds ratio, because incidence can't be
# computed")
_REASON = re.compile(r"[,،]?\s*(?:(?i:\bbecause\b|\bsince\b)|(?<!\w)(?:چون|زیرا|چرا\s+که)(?!\w))")


def _clause_after(text: str, mention: Mention, next_start: int) -> str:
    clause = text[mention.end : min(next_start, mention.end + _CLAUSE_CHARS)]
    end = _SENTENCE_END.search(clause)
    clause = clause[: end.start()] if end else clause
    reason = _REASON.search(clause)
    clause = clause[: reason.start()] if reason else clause
    contrast = _CONTRAST.search(clause)
    # "B is the best answer here, not C": the contrast introduces the next option, so it ends this clause; in
    # "[A] درست است، اما کامل نیست" it qualifies this one and stays
    tail = clause[contrast.end() :].strip(" \t:،,([«.!") if contrast else ""
    if contrast and ((len(tail) <= _CONTRAST_TAIL and not _PREDICATE_TAIL.fullmatch(tail))
                     or _OPTION_NEXT.match(clause, contrast.end())):  # fmt: skip
        return clause[: contrast.start()]
    return clause


# a contrast's tail that says something of the option itself: "Chest X-ray — not needed", "… — not indicated"
_PREDICATE_TAIL = re.compile(
    r"(?i:needed|necessary|required|indicated|useful|helpful|recommended|appropriate|correct|right|true|the\s+answer)"
)
# an option letter right after a contrast: "Definitely D — not C as many students think" sets C aside, not D
_OPTION_NEXT = re.compile(rf"\s*(?:(?i:option)\s+|گزینه\s*)?[\[(«]?\s*(?:{_LATIN}|{_FA})")


def _echoed_lines(text: str, mentions: list[Mention]) -> set[int]:
    """Starts of mentions that belong to a line naming three or more different options with no verdict words."""
    by_line: dict[int, list[Mention]] = {}
    for mention in mentions:
        if mention.kind in ("bracket", "inline", "layout", "line", "text"):
            by_line.setdefault(text.rfind("\n", 0, mention.start), []).append(mention)
    echoed = set()
    for group in by_line.values():
        if len({m.letter for m in group}) >= 3:
            echoed |= {m.start for m in group}
    return echoed


# an output that opens with one option's label and goes on with its text or a heading: "B. Second-line: …"
_BARE_LABEL = re.compile(r"\s*(?:[A-D]|الف|ب|ج|د)\s*[).]\s*")
_OPENING_LABEL = re.compile(r"[\[(]?\s*(?:[A-D]|الف|ب|ج|د)\s*[.)\]:：]\s+\S")
# a verdict that rejects an option outright (not a lesser role such as "second-line" or "adjunct")
_REJECTION = re.compile(
    r"نادرست|غلط|اشتباه|(?:صحیح|درست|مناسب)\s*(?:نیست|نمی\u200c?باشد)|(?<!\w)نیست(?!\w)|رد\s+می\u200c?شود|"
    r"(?i:\bnot\b|\bincorrect\b|\bwrong\b|\bfalse\b|\bisn't\b|\bisn’t\b|\bruled\s+out\b|\bexcluded\b|\bunlikely\b|"
    r"\buseless\b|\bpointless\b)|بی\u200c?فایده"
)


def _classify(
    text: str, mentions: list[Mention], question: str | None = None, choices: Sequence[str] | None = None
) -> list[Mention]:
    negative_question = asks_for_exception(question)
    listing = {m.letter for m in mentions if m.kind in ("layout", "line")}
    echoed = len(listing) >= 3
    echoed_inline = _echoed_lines(text, mentions)
    texts = {m.letter for m in mentions if m.kind in ("text", "joined")}
    alone = {m.letter for m in mentions if m.kind == "alone"}
    lines = {m.letter for m in mentions if m.kind == "line"}
    leading = _leading_text(text, mentions)
    line_labels = [m for m in mentions if m.kind in ("line", "layout")]
    first_line_end = text.find("\n") % (len(text) + 1)
    opening_label = {m.start for m in line_labels if len(line_labels) == 1 and _OPENING_LABEL.match(text, m.start)
                     and not text[: m.start].strip(" \t\n#>-•*")
                     and sum(n.start < first_line_end for n in mentions) == 1}  # fmt: skip
    out = []
    for i, mention in enumerate(mentions):
        next_start = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
        labelled = mention.kind in ("inline", "copula") and _labels_its_text(text, mention, choices)
        if mention.kind == "copula" and not labelled:
            continue  # "The vitamin is D: …" names a vitamin
        after = _clause_after(text, mention, next_start)
        rest = text[mention.end : mention.end + 40]
        before = text[max(0, mention.start - 25) : mention.start]
        wide = text[max(0, mention.start - 40) : mention.start]
        joined = _JOINED_OPTION.match(rest)
        joined_other = joined is not None and mention.kind in ("statement", "subject", "option") and (
            _joined_letter(joined.group()) not in (None, mention.letter)
        )
        if joined_other:  # "گزینه ج یا د", "A and B are wrong": the pair's verdict follows the second option
            after = after + _clause_after(text, Mention(mention.end + joined.end(), mention.end + joined.end(),
                                                        mention.letter, mention.kind), len(text))  # fmt: skip
        joined_before = _JOINED_BEFORE.search(before)
        joined_other = joined_other or (mention.kind in ("subject", "option") and joined_before is not None
                                        and _TO_LETTER.get(joined_before.group("opt") or joined_before.group("opt2"))
                                        != mention.letter)  # fmt: skip
        joined_other = joined_other and not _NEGATION_AFTER.search(after)
        # two options named together are both asserted after an answer keyword ("پاسخ: A و B") or when called
        # correct or possible ("A or C could be right"); otherwise they are only discussed together
        asserted_together = joined_other and (mention.kind == "statement" or _POSITIVE_AFTER.search(after)
                                              or _POSSIBLE.search(after))  # fmt: skip
        contrasted = _contrast_before(wide, question)
        if contrasted:  # "superior to both A and B": set aside, not offered together
            status = "negated"
        elif (_SEVERAL.search(after) or _SEVERAL_BEFORE.search(before) or asserted_together
              or (mention.by_text and _another_option_or(rest, mention.letter, choices))):  # fmt: skip
            status = "several"
        elif mention.by_text and _ASKED_AFTER.match(rest):
            status = "hedged"  # "هپاتیت B یا C؟ …": the option named in a question
        elif mention.start in opening_label and not _REJECTION.search(after):
            status = "stated"  # "B. Second-line: fosphenytoin …": the label opens the output, its text follows
        elif mention.by_text and _echoes_question(after, question):
            status = "stated"  # "Which is not an ABCDE criterion?" - "Itching is not an ABCDE criterion"
        elif (negative_question and (_FALSE_VERDICT.search(after) or mention.kind == "statement")
              and not _negation_before(before, question)
              and not joined_other and not _SEVERAL_BEFORE.search(before) and not _COUNTERFACTUAL.search(after)
              and not _HEDGE_BEFORE.search(before)):  # fmt: skip
            status = "stated"  # "گزینه ج نادرست است" answers "کدام نادرست است؟"
        elif (_NEGATION_BEFORE.search(before) or _NEGATION_AFTER.search(after) or contrasted
              or _MISTAKE_BEFORE.search(wide)):  # fmt: skip
            status = "negated"
        elif joined_other:
            status = "listed"
        elif _HEDGE_BEFORE.search(before) or _counterfactual(text, mention) or (
            _WOULD_HAVE_BEEN.search(_full_sentence(text, mention)) and not _CORRECTION.search(before)
        ) or (
            mention.kind in ("option", "bracket", "subject") and _modal(_full_sentence(text, mention))
        ):
            status = "hedged"
        elif mention.kind == "plural":  # named together with other options: never the answer on its own
            called_correct = _POSITIVE_AFTER.search(after) or _POSITIVE_AFTER.search(text[mention.end : mention.end + 40])
            status = "several" if called_correct else "listed"
        elif mention.kind == "alone" and (len(alone) >= 3 or _continues_list(mention, lines) or (
            _BARE_LABEL.fullmatch(text, mention.start, mention.end) and _WALK_THROUGH.search(text, 0, mention.start)
        )):
            status = "listed"  # "Let's go through each option one by one.\n\nA) " (cut off): a label, not an answer
        elif mention.kind in ("statement", "alone", "copula") or _POSITIVE_AFTER.search(after) or (
            (mention.kind in ("option", "bracket", "subject") or labelled)
            and (_CONCLUSION_BEFORE.search(before) or _in_conclusion(text, mention, mentions))
        ):
            status = "stated"
        elif (echoed and mention.kind in ("layout", "line")) or (mention.start in echoed_inline and mention.start not in leading):
            status = "listed"
        elif mention.kind == "inline" and not labelled:
            continue  # "x)" in running text is no option unless a line lists three or more, or its text follows
        elif mention.kind == "joined" or (mention.kind == "text" and len(texts) >= 3 and mention.start not in leading):
            status = "listed"
        else:
            status = "bare"
        out.append(replace(mention, status=status))
    return out


def _labels_its_text(text: str, mention: Mention, choices: Sequence[str] | None) -> bool:
    """The letter is followed by its own option's text, read loosely up to the segment's end: "… so the smear shows
    c) microcytic hypochromic cells", "The first step is C: start chest compressions"."""
    if not choices or len(choices) != len(CHOICES):
        return False
    rest = text[mention.end : mention.end + _LABELLED_TEXT_CHARS].lstrip(" \t:：—–)")
    end = _SEGMENT_END.search(rest)
    scores = [scored.score for scored in score_options(rest[: end.start()] if end else rest, choices)]
    best = max(scores)  # the letter says which option; its text need only fit that option best
    return best >= MIN_SCORE and scores.count(best) == 1 and CHOICES[scores.index(best)] == mention.letter


_LABELLED_TEXT_CHARS = 100


# right after an option's text, "or" and what follows it up to the clause's end ("متی‌مازول یا PTU")
_OR_AFTER = re.compile(r"\s*(?:یا|(?i:or))\s+(?P<other>[^.!?؟\n،,;؛()]{1,40})")
# right after an option's text, a question mark before the sentence ends
_ASKED_AFTER = re.compile(r"[^.!\n]{0,25}[?؟]")


def _another_option_or(rest: str, letter: str, choices: Sequence[str] | None) -> bool:
    """What follows the option's text is "or" and another option, named by its text, a concept or an
    abbreviation: two options offered, not one answer."""
    offered = _OR_AFTER.match(rest)
    if offered is None or not choices:
        return False
    other = match_option(offered.group("other"), choices)
    return other is not None and other.letter != letter


_STEM_CHARS = 6  # "exclude"/"excluded"


_PLAIN_NOT = re.compile(r"(?i:not|isn't|isn’t)|نیست|نمی\u200c?باشد")


def _echoes_question(clause: str, question: str | None) -> bool:
    """The clause after an option's text repeats the question's own verdict (or, where the question asks for the
    exception, gives one) and another of its words: it answers the question, it does not reject the option ("Which
    is not one of the ABCDE criteria?" - "Itching is not one of the ABCDE criteria"; "The Apgar score includes all of
    the following EXCEPT" - "Blood pressure is not part of the Apgar score"; "Which diagnosis must be excluded
    first?" - "Retinoblastoma must be excluded first")."""
    verdict = _REJECTION.search(clause)
    if not question or verdict is None:
        return False
    asked = {word[:_STEM_CHARS] for word in _WORD.findall(question.lower()) if word not in _STOPWORDS}
    said = {word[:_STEM_CHARS] for word in _WORD.findall(clause.lower()) if word not in _STOPWORDS and len(word) >= 3}
    verdict_words = {word[:_STEM_CHARS] for word in _WORD.findall(verdict.group().lower())}
    # "… all of the following EXCEPT" asks for what is not so: a plain "not" gives it ("excluded", "wrong" do not)
    plain_not = _PLAIN_NOT.fullmatch(verdict.group()) is not None
    echoed = verdict_words <= asked or (asks_for_exception(question) and plain_not)
    return bool(verdict_words) and echoed and len((said & asked) - verdict_words) >= 1


# a sentence that opens with a conclusion word: "بنابراین، از گزینه‌های ارائه‌شده، تنها گزینه نزدیک به واقعیت
# گزینه [B] است", "So, of the four, option C fits."
_CONCLUSION_START = re.compile(
    r"^[\s>#\-•]*(?:(?:بنابراین|پس|در\s+نتیجه|لذا|نتیجتا|نتیجتاً|در\s+مجموع)(?!\w)|"
    r"(?i:so|therefore|thus|hence|overall)\b)"
)


def _in_conclusion(text: str, mention: Mention, mentions: list[Mention]) -> bool:
    """The mention is the only option letter of a sentence that opens with a conclusion word."""
    start = _sentence_start(text, mention.start)
    end_match = _FULL_STOP.search(text, mention.end)
    end = end_match.start() if end_match else len(text)
    others = [m for m in mentions if start <= m.start < end and not m.by_text and m.letter != mention.letter]
    return not others and bool(_CONCLUSION_START.match(text[start : mention.start]))


#: The stops of a long text are found once (:func:`_stop_ends`); only the last stretch before a position is searched
#: again, where a stop's look-ahead (a digit after a full stop) could see past the position.
_STOP_LOOKAHEAD = 64


@lru_cache(maxsize=32)
def _stop_ends(pattern: re.Pattern, text: str) -> tuple[int, ...]:
    return tuple(m.end() for m in pattern.finditer(text))


def _sentence_start(text: str, position: int, stops: re.Pattern | None = None) -> int:
    """Where the sentence around ``position`` starts: the end of the last stop before it (0 where none), read as
    if the text ended at ``position``; linear in the text however many mentions ask (an output of 30,000
    mentions is read in seconds, not hours)."""
    stops = stops or _FULL_STOP
    near = max(0, position - _STOP_LOOKAHEAD)
    ends = _stop_ends(stops, text)
    count = bisect_right(ends, near)  # the stops that end at or before ``near``
    before = ends[count - 1] if count else 0
    tail = max((m.end() for m in stops.finditer(text, max(0, near - 4), position)), default=0)
    return max(before, tail)


def _full_sentence(text: str, mention: Mention) -> str:
    start = _sentence_start(text, mention.start)
    end = _FULL_STOP.search(text, mention.end)
    return text[start : end.start() if end else len(text)]


_LIST_SEPARATOR = re.compile(r"\s*(?:[,،]|(?i:\band\b)|(?<!\w)و(?!\w))\s*")
_LIST_SEPARATOR_BEFORE = re.compile(r"(?:[,،]|(?i:\band)|(?<!\w)و)\s*$")  # ending the text before a mention


def _enumerated(text: str, mention: Mention) -> bool:
    """The mention is an item of a list of three or more in its sentence ("VSD, overriding aorta, pulmonary stenosis
    and RVH"): a separator on either side, and at least two in the sentence."""
    sentence = _full_sentence(text, mention)
    if len(_LIST_SEPARATOR.findall(sentence)) < 2:
        return False
    before = text[max(0, mention.start - 8) : mention.start]
    after = text[mention.end : mention.end + 8]
    return bool(_LIST_SEPARATOR_BEFORE.search(before) or _LIST_SEPARATOR.match(after))


def _counterfactual(text: str, mention: Mention) -> bool:
    """The mention's sentence supposes what is not asked: an "if" before the mention, a counterfactual verb in it."""
    start = _sentence_start(text, mention.start, _SENTENCE_END)
    end = _SENTENCE_END.search(text, mention.end)
    return bool(_HYPOTHETICAL.search(text[start : mention.start])) and bool(
        _COUNTERFACTUAL.search(text[start : end.start() if end else len(text)])
    )


def _leading_text(text: str, mentions: list[Mention]) -> set[int]:
    """Starts of the option text an opening sentence names alone, with no option letter and no other option's text
    in it ("Protamine sulfate neutralizes heparin. Vitamin K is for warfarin, …"): the answer stated first, not the
    head of a list of the options' texts."""
    opening = _opening_sentence_end(text)
    first = [m for m in mentions if m.start < opening]
    if first and all(m.kind == "text" for m in first) and len({m.letter for m in first}) == 1:
        return set() if _walks_through_options(text, mentions) else {m.start for m in first}
    return set()


def _walks_through_options(text: str, mentions: list[Mention]) -> bool:
    """Every option's text opens a sentence of its own, in the options' order ("Papillary carcinoma is … .
    Follicular carcinoma tends … . Medullary … . Anaplastic …"): a walk through the options, not an answer first."""
    openers = [m.letter for m in mentions if m.by_text and _opens_its_sentence(text, m.start)]
    return "".join(dict.fromkeys(openers)) == "".join(CHOICES)


def _opens_its_sentence(text: str, position: int) -> bool:
    start = _sentence_start(text, position)
    return not text[start:position].strip(" \t\n>#-•*")


def _continues_list(mention: Mention, lines: set[str]) -> bool:
    """A lone option line right after line-start items of every option before it ("A. …\nB. …\nC."): the next item
    of an echoed list cut short, not an answer."""
    index = CHOICES.index(mention.letter)
    return index >= 2 and set(CHOICES[:index]) <= lines


_JOINED_TOKEN = re.compile(rf"(?:{_LATIN}|{_DIGIT}|{_FA}|{_ORDINAL_WORD})\W*$")


def _joined_letter(joined: str) -> str | None:
    match = _JOINED_TOKEN.search(joined.strip().rstrip("])»").strip())
    if match is None:
        return None
    token = match.group().strip("])» \t")
    return _TO_LETTER.get(token) or _TO_LETTER.get(token.lower())


def _opening_sentence_end(text: str) -> int:
    """The end of the opening sentence, after a preface that only rules a letter out ("Not B. …", "نه الف. …")."""
    stripped = len(text) - len(text.lstrip())
    label = _LEADING_LABEL.match(text, stripped)
    if label is not None:  # "a. dry cough": the label's full stop ends no sentence
        stripped = label.end()
    preface = _NEGATION_PREFACE.match(text, stripped)
    if preface is not None:
        stripped = preface.end()
    end = _SENTENCE_END.search(text, stripped)
    return end.start() if end else len(text)


_LEADING_LABEL = re.compile(r"[\[(]?(?:[A-Da-d]|الف|ب|ج|د)[.)\]][ \t]+(?=\w)")
_NEGATION_PREFACE = re.compile(
    r"\s*(?:(?i:not)|نه)\s+(?:(?i:option)\s+|گزینه\s*)?[\[(]?\s*(?:[A-D]|الف|ب|ج|د)\s*[\])]?\s*[.!،,;؛]\s*"
)


def _rejected_letters(norm: str, mentions: list[Mention]) -> set[str]:
    """Options the output rejects by their letter in a sentence that says so ("گزینه الف نیست", "not C"; not a mere
    comparison, "بیشتر از [B]"): never read from their text elsewhere in the output (the text is then what the
    rejection is about: "…، چون کلیندامایسین خودش …")."""
    return {m.letter for m in mentions if m.status == "negated" and not m.by_text
            and _REJECTION.search(_full_sentence(norm, m))}  # fmt: skip


def _opening_after_rejection(norm: str, mentions: list[Mention]) -> int:
    """The end of the opening sentence; where that sentence only rejects options ("Not succinylcholine — that's a
    trigger! Give dantrolene …", "گزینه الف صحیح نیست. داروی انتخابی …"), the end of the sentence after it."""
    opening = _opening_sentence_end(norm)
    first = [m for m in mentions if m.start < opening]
    if not first or any(m.status != "negated" for m in first):
        return opening
    end = _SENTENCE_END.search(norm, opening + 1)
    return end.start() if end else len(norm)


_ELIMINATED = re.compile(_ELIMINATION)


def _left_by_elimination(norm: str, mentions: list[Mention]) -> str | None:
    """The one option left where the output rejects the other three and then says it ends on what is left ("It's not
    C (…), not A (…), and not D (…). That leaves the simian crease."); None where any mention calls a rejected
    option the answer, or the elimination words come before the last rejection."""
    rejected = {m.letter for m in mentions if m.status == "negated"}
    if len(rejected) != len(CHOICES) - 1:
        return None
    if any(m.letter in rejected and m.status in ("stated", "several") for m in mentions):
        return None
    last = max(m.end for m in mentions if m.status == "negated")
    if _ELIMINATED.search(norm, last) is None:
        return None
    return next(letter for letter in CHOICES if letter not in rejected)


def _decide_bare(norm: str, bare: list[Mention]) -> tuple[str, str] | None:
    letters = {m.letter for m in bare}
    if len(letters) == 1:
        return bare[0].letter, "the only option named"
    opening = _opening_sentence_end(norm)
    first = {m.letter for m in bare if m.start < opening}
    if len(first) == 1:
        return bare[0].letter, "named alone in the opening sentence"
    head = bare[0]
    if head.by_text and not norm[: head.start].strip(" \t\n#>-•*") and _HEADING_END.match(norm, head.end):
        return head.letter, "the output opens with the option's text as its heading"
    return None


# a retraction of what was just said, in either language: "B, oral vancomycin. Actually, wait — …", "Class II —
# sorry, correction: …", "… no, wait", "scratch that", "… ببخشید، اشتباه کردم", "اصلاح:", "صبر کنید"
_RETRACTION = re.compile(
    # "wait" withdraws, unless a check follows it: "so it's type IV... wait, let me double check. Yes, …"
    r"(?i:(?:^|(?<=[.!?—–:,])|\bactually,?|\bno,?|\bhmm+,?|\boh,?)[ \t]*\bwait\b(?=[ \t]*(?:[,—–!:.]|…|$))"
    r"(?![ \t]*[,—–:.…]*[ \t]*let\s+me\s+(?:double[\s-]?)?(?:check|verify|confirm|make\s+sure)\b))|"
    r"(?i:\bsorry\b|\bcorrection\b|\bon\s+second\s+thought\b|\bi\s+was\s+wrong\b|\blet\s+me\s+correct\b|"
    r"\bscratch\s+that\b|\b(?:change|changing)\s+my\s+answer\b|\bactually,?\s+no\b|\bno,\s+actually\b)|"
    rf"{_ELLIPSIS_NO}|"
    r"ببخشید|اشتباه\s+کردم|اصلاح\s+می\u200c?کنم|(?<!\w)اصلاح\s*[:：]|"
    r"(?<!\w)صبر\s+کن(?:ید)?(?!\w)",
    re.MULTILINE,
)


def _retraction_after(norm: str, mentions: list[Mention], choice: str) -> re.Match | None:
    """A retraction after the first statement or naming of ``choice`` (or anywhere after the output's first
    character, where no mention gave it): what came before it is withdrawn."""
    named = [m.end for m in mentions if m.letter == choice and m.status in ("stated", "bare")]
    return _RETRACTION.search(norm, min(named, default=1))


def _read_after_retraction(
    norm: str,
    retraction: re.Match,
    mentions: list[Mention],
    choices: Sequence[str] | None,
    question: str | None,
    first: tuple[str, str],
) -> tuple[str, list[Mention], str]:
    """The answer the output gives after it retracts its first one, read from the rest of it alone; ``invalid`` where
    the rest states none (a withdrawn answer is no answer), or only names the withdrawn option again without stating
    it."""
    choice, reason = first
    said = f"{reason} ({choice}), then retracted ({retraction.group().strip()!r})"
    again, _, why = explain_choice(norm[retraction.end() :], choices, question)
    if again == INVALID:
        return INVALID, mentions, f"{said}, and no answer clear after it ({why}): abstained"
    if again == choice and "stated" not in why:
        # "7 mg/kg... hmm, no, 7 mg/kg is the limit with epinephrine. Plain lidocaine is 4.5.": the withdrawn option
        # named again in passing is the reason it was withdrawn, not the answer
        return INVALID, mentions, f"{said}; after it only the withdrawn option is named again ({why}): abstained"
    return again, mentions, f"{said}; after it: {why}"


# an answer word and what it says, up to the end of its sentence: "the answer is VSD.", "جواب: داکسی" (not "it would
# be …", which may be a counterfactual)
_LOOSE_ANSWER = re.compile(
    rf"(?:{_ANSWER_WORD}(?:\s+(?:است|این\s+است\s+که|عبارت\s+است\s+از))?|"
    r"(?i:\b(?:the\s+)?(?:(?:correct|right|best|final)\s+)?answer(?:\s+is)?))"
    r"\s*[:：,،\-]?\s*(?P<said>[^.!؟?\n;؛:]{2,60})"
)


def _loose_answer_mentions(
    norm: str, choices: Sequence[str] | None, question: str | None, found: list[Mention]
) -> list[Mention]:
    """What an answer word says, read loosely (:mod:`.option_match`), where no mention is there already: "Since the
    question asks about all defects, the answer is VSD." states the ventricular septal defect."""
    if not choices or len(choices) != len(CHOICES):
        return []
    out = []
    for match in _LOOSE_ANSWER.finditer(norm):
        start, end = match.span("said")
        if any(m.start < end and start < m.end for m in found):
            continue
        read = match_option(match.group("said"), choices, question)
        if read is not None:
            out.append(Mention(start, end, read.letter, "statement", by_text=True))
    return out


# an option's text that opens the output and is set off from what follows: "Gout — urate crystals …", "Gout: …"
_HEADING_END = re.compile(r"[ \t]*(?:[—–:：]|\s-\s|\n|$)")


#: A longer output (a model that ran on, a hostile input) is read by its first and last halves of this many characters:
#: every output of the pool is under 2,000, and reading the mentions of 300,000 characters would take minutes.
MAX_READ_CHARS = 20_000


def explain_choice(
    text: object, choices: Sequence[str] | None = None, question: str | None = None
) -> tuple[str, list[Mention], str]:
    """(choice, classified mentions, reason) for a free-text answer; ``choice`` is :func:`extract_choice`'s."""
    if not isinstance(text, str) or not text.strip():
        return INVALID, [], "empty output"
    if len(text) > MAX_READ_CHARS:  # a runaway output: where an answer is stated, its start and its end
        half = MAX_READ_CHARS // 2 - 1  # the two halves and the paragraph break between them: MAX_READ_CHARS
        choice, mentions, reason = explain_choice(text[:half] + "\n\n" + text[-half:], choices, question)
        return choice, mentions, f"{reason} (read: the first and last {half:,} of {len(text):,} characters)"
    folded = _folded_answer_text(text)
    norm = _drop_emphasis(folded)
    letters = _letter_mentions(norm)
    found = letters + _text_mentions(norm, choices, letters)
    found = sorted(found + _loose_answer_mentions(norm, choices, question, found), key=lambda m: m.start)
    mentions = _classify(norm, found, question, choices)
    singled = _checked_item(norm, choices) or _only_option(norm, choices)
    if singled is not None:
        return singled[0], mentions, singled[1]
    left = _left_by_elimination(norm, mentions)
    if left is not None:
        return left, mentions, "the option left after the other three are rejected"
    choice, _, reason = decided = _decide(norm, mentions, choices, question, _emphasised(folded))
    if choice == INVALID or not choices or len(choices) != len(CHOICES):
        return decided
    retraction = _retraction_after(norm, mentions, choice)
    if retraction is not None:
        return _read_after_retraction(norm, retraction, mentions, choices, question, (choice, reason))
    conflict = _conflicting_evidence(norm, mentions, choices, choice, reason)
    if conflict is not None:
        return INVALID, mentions, f"{reason} ({choice}), but {conflict}: abstained"
    return decided


# a check mark at the end (or the start) of one line
_CHECK_MARK = "✅✔✓☑"
_CHECKED_LINE = re.compile(rf"^[ \t]*[{_CHECK_MARK}]\ufe0f?[ \t]*(?P<a>.+?)[ \t]*$|^(?P<b>.+?)[ \t]*[{_CHECK_MARK}]\ufe0f?[ \t]*$",
                           re.MULTILINE)  # fmt: skip


def _options_named(segment: str, choices: Sequence[str]) -> set[str]:
    """The options a segment names by their exact text or by a concept of the lexicon no other option shares."""
    named = {m.letter for m in _text_mentions(segment, choices, [])}
    said = {span.concept for span in concept_spans(segment)}
    by_option = [{span.concept for span in concept_spans(str(choice))} for choice in choices]
    for letter, concepts in zip(CHOICES, by_option):
        own = concepts - set().union(*(c for c, other in zip(by_option, CHOICES) if other != letter))
        if own & said:
            named.add(letter)
    return named


def _checked_item(norm: str, choices: Sequence[str] | None) -> tuple[str, str] | None:
    """A check mark beside one line of a list of the options states that line's option, not the first listed."""
    if not choices or len(choices) != len(CHOICES):
        return None
    if norm.count("\n") < 2:
        return None
    items = [_item_named(m.group("a") or m.group("b"), choices) for m in _CHECKED_LINE.finditer(norm)]
    named = {letter for item in items for letter in item}
    if len(items) > 1 and len(named) > 1:
        return INVALID, "several items of the list checked"
    if len(items) != 1 or len(named) != 1:
        return None
    return next(iter(named)), "stated as the answer by a check mark beside its item"


def _item_named(line: str, choices: Sequence[str]) -> set[str]:
    """The options one line of a list names: its label, else its option texts."""
    label = _LINE_LABEL.match(line)
    return {_TO_LETTER[label.group("opt")]} if label else _options_named(line, choices)


_LINE_LABEL = re.compile(r"[ \t\-•]*[\[(]?(?P<opt>[A-D]|الف|ب|ج|د)[\])]?[ \t]*[.):：\-—–]")
# "the only option that really …", "تنها گزینه‌ای که واقعاً …": what follows names the answer
_ONLY_OPTION = re.compile(
    r"(?i:\bthe\s+only\s+(?:option|one|choice|drug|answer|agent|treatment)\s+(?:that|which))|"
    r"(?<!\w)(?:تنها|فقط)\s+(?:گزینه|مورد|دارو|درمان)(?:\u200c?ای|\u200c?ی)?\s+که(?!\w)"
)


def _only_option(norm: str, choices: Sequence[str] | None) -> tuple[str, str] | None:
    """"The only option that really/actually …" followed by one option's text (or its concept) states that option."""
    if not choices or len(choices) != len(CHOICES):
        return None
    match = _ONLY_OPTION.search(norm)
    if match is None:
        return None
    rest = norm[match.end() :]
    end = _FULL_STOP.search(rest)
    named = _options_named(rest[: end.start() if end else len(rest)], choices)
    if len(named) != 1:
        return None
    return next(iter(named)), "stated as the only option that fits"


# Words that name no option on their own (an option's identity is in its other words).
_STOPWORDS = frozenset(
    "the and with for from that this are was use used into over under its their than then only all any both none "
    "of in on at to by or an a is be as it no not".split()
    + "و با در از به که را یا برای این آن است هر یک دو بر تا".split()
)


def _distinctive_words(choices: Sequence[str]) -> list[list[str]]:
    """Each option's words that no other option shares (loosely): what names that option and no other."""
    words = [[w for w in _words(str(c)) if _names_something(w)] for c in choices]
    out = []
    for index, own in enumerate(words):
        others = [w for j, other in enumerate(words) if j != index for w in other]
        out.append([w for w in own if not any(_same_word(w, o) for o in others)])
    return out


def _names_something(word: str) -> bool:
    """A word that can carry an option's identity: not a stop word; three letters or more, an abbreviation of two
    Latin letters or digits ("IM", "MB"), or a number."""
    if word in _STOPWORDS:
        return False
    return len(word) >= 3 or word.isdigit() or (len(word) == 2 and word.isascii() and word.isalnum())


def _same_word(a: str, b: str) -> bool:
    """The same word, or a form of it with a short ending ("steroid"/"steroids", "آنتی‌بادی"/"آنتی‌بادی‌ها"); not a
    longer word that contains it ("parainfluenza" is not "influenza") nor a near spelling that is another term
    ("hypocalcemia" is not "hypercalcemia")."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 4 and long_.startswith(short) and len(long_) - len(short) <= _ENDING_CHARS


_ENDING_CHARS = 3


_FULL_STOP = re.compile(r"[.!؟?\n;؛](?!\d)|\s[—–]\s")  # a dash between spaces sets a clause off too


def _sentences(text: str, ends: re.Pattern) -> list[tuple[int, int]]:
    spans, start = [], 0
    for end in ends.finditer(text):
        if text[start : end.start()].strip():
            spans.append((start, end.start()))
        start = end.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _supported(segment: str, distinct: list[list[str]], strict: bool = False) -> set[str]:
    """Options at least half (``strict``: more than half) of whose distinctive words the segment says (loosely): the
    evidence an option's text gives, even when partial ("Epinephrine intramuscularly" for "IM epinephrine")."""
    said = _words(segment)
    return {
        letter
        for letter, own in zip(CHOICES, distinct)
        if own and _share_said(own, said) >= _SUPPORT_SHARE and (not strict or _share_said(own, said) > _SUPPORT_SHARE)
    }


_SUPPORT_SHARE = 0.5  # at least half of an option's distinctive words (more than half where ``strict``)


def _share_said(own: list[str], said: list[str]) -> float:
    return sum(any(_same_word(w, s) for s in said) for w in own) / len(own)


def _conflicting_evidence(
    norm: str, mentions: list[Mention], choices: Sequence[str], choice: str, reason: str
) -> str | None:
    """Evidence against the decided option, or None. The decision stands only where nothing else the output says
    gives another option as its answer; otherwise extraction abstains (an abstention is never a wrong letter):

    - an option read from letters that are not stated as the answer (named in passing, "diphenhydramine (option A)")
      while an earlier sentence that names no letter gives one other option's text ("Epinephrine intramuscularly is
      first-line.");
    - an option read from its text while the same sentence also gives another option's text ("پنی‌سیلین یا
      داکسی‌سایکلین");
    - a letter stated as the answer while the words right after it, or the next sentence when the option's own text
      is nowhere, give another option's text ("The answer is B (oral prednisone)", "جواب گزینه ۱ است. بیماری گریوز …").
    """
    distinct = _distinctive_words(choices)
    sentences = _sentences(norm, _FULL_STOP)
    deciding = [m for m in mentions if m.letter == choice and m.status == ("stated" if "stated" in reason else "bare")]
    if not deciding:
        return None
    if reason.startswith("stated") and all(_modal(_sentence_of(norm, sentences, m)) for m in deciding):
        others = {m.letter for m in mentions if m.letter != choice and m.status in ("bare", "stated", "listed")}
        if others:
            return f"it is only what the answer would be, and option {min(others)} is given too"
    if "by its text" in reason and not any(m.letter == choice and not m.by_text and m.status in ("stated", "bare")
                                           for m in mentions):  # fmt: skip
        for mention in deciding:
            segment = _sentence_of(norm, sentences, mention)
            rivals = _supported(segment, distinct, strict=True) - {choice}
            set_aside = {m.letter for m in mentions if m.status == "negated" and norm[m.start : m.end] in segment}
            rivals -= set_aside
            if rivals and not _NEGATION_AFTER.search(segment):
                return f"the same sentence gives option {min(rivals)}'s text too"
        return None
    if not reason.startswith("stated"):
        if not all(_labels_in_passing(norm, sentences, m, distinct) for m in deciding if not m.by_text):
            return None
        letters_at = [m.start for m in mentions if not m.by_text]
        for start, end in sentences:
            if start > deciding[0].start:
                break
            segment = norm[start:end]
            if any(start <= at < end for at in letters_at) or _NEGATION_AFTER.search(segment):
                continue
            if norm[end : end + 1] == "\n" and segment.rstrip().endswith((":", "：")):
                continue  # a lead-in ("… the following:") restates the question
            claimed = _supported(segment, distinct)
            if len(claimed) == 1 and choice not in claimed:
                return f"an earlier sentence gives option {min(claimed)}'s text; option {choice} is only named later"
        return None
    for mention in deciding:
        if mention.by_text:
            continue
        sentence_end = next((end for start, end in sentences if start <= mention.start < end), mention.end)
        after = norm[mention.end : max(mention.end, sentence_end)][:_CLAUSE_CHARS]
        if not _APPOSITION.match(after):
            continue
        set_aside = {m.letter for m in mentions if m.status == "negated" and mention.end <= m.start < mention.end + len(after)}
        named = _supported(after, distinct) - set_aside
        if named - {choice} and choice not in named and not _NEGATION_AFTER.search(after):
            return f"the words after it give option {min(named - {choice})}'s text"
    return None


# the words right after a letter that gloss it: "B (oral prednisone)", "C: طحال", "D — vitamin K", "ب، آدنوم"
_APPOSITION = re.compile(r"\s*[\])»]?\s*(?:[:：(\-—–,،=]|(?i:\bi\.?e\.?|\bwhich\s+is\b)|یعنی)")


def _labels_in_passing(
    norm: str, sentences: list[tuple[int, int]], mention: Mention, distinct: list[list[str]]
) -> bool:
    """A letter that only labels something the sentence is about: its sentence also gives the option's text
    ("diphenhydramine (option A) …"), or the letter is a parenthesis in the middle of a sentence ("Steroids
    (option C) may …")."""
    if mention.letter in _supported(_sentence_of(norm, sentences, mention), distinct):
        return True
    bracketed = norm[mention.start : mention.start + 1] in "([«"
    before = norm[max(0, mention.start - 12) : mention.start] + ("(" if bracketed else "")
    after = norm[mention.end : mention.end + 12]
    return bool(_PARENTHESIS_OPEN.search(before) and (_PARENTHESIS_BODY.match(")" + after if bracketed else after)))


_PARENTHESIS_OPEN = re.compile(r"\w[^\w\n]*[(«\[]\s*(?:(?i:option|choice)|گزینه(?:\u0654|\u200c?ی)?)?\s*$")
_PARENTHESIS_BODY = re.compile(r"\s*[)»\]][ \t]*[^\W\d]")


# a statement only of what the answer would be ("Option B would be the answer in children", "در کودکان پاسخ گزینه ب
# می‌بود"); "I would choose B" commits
_MODAL = re.compile(
    r"(?<!\bI )(?<!\bwe )(?i:\bwould(?:n't|’t)?\b|\bcould\s+be\b|\bmight\s+be\b)|"
    r"(?<!\w)(?:می\u200c?بود|می\u200c?شد)(?!\w)"
)


def _modal(sentence: str) -> bool:
    return bool(_MODAL.search(sentence)) and not _FIRST_PERSON_CHOICE.search(sentence)


_FIRST_PERSON_CHOICE = re.compile(r"(?i:\bI(?:'d|’d|\s+would)\s+(?:go\s+with|choose|pick|say|select))")


def _sentence_of(text: str, sentences: list[tuple[int, int]], mention: Mention) -> str:
    span = next((sp for sp in sentences if sp[0] <= mention.start < sp[1]), (mention.start, mention.end))
    return text[span[0] : span[1]]


# two options offered as both acceptable: "هم پیگیری و هم بیوپسی … قابل قبول است", "both X and Y are reasonable"
_BOTH_ACCEPTABLE = re.compile(
    r"(?<!\w)هم\s+[^.!؟?\n]{1,80}?\s+و\s+هم\s+[^.!؟?\n]{1,120}?(?:قابل\s+قبول|ممکن|درست|صحیح|مناسب|منطقی)(?!\w)|"
    r"(?i:\bboth\s+[^.!?\n]{1,120}?\b(?:are|is|would\s+be)\s+(?:equally\s+)?"
    r"(?:acceptable|reasonable|valid|appropriate)\b)"
)


def _decide(
    norm: str, mentions: list[Mention], choices: Sequence[str] | None, question: str | None = None,
    emphasised: Sequence[str] = (),
) -> tuple[str, list[Mention], str]:
    """Step 5 and 6 of the rule: the option the classified mentions (or the whole output) give, before the evidence
    against it is weighed."""
    several = [m.start for m in mentions if m.status == "several"]
    if several and not any(m.status == "stated" and m.start > max(several) for m in mentions):
        return INVALID, mentions, "several options given as possible answers"
    stated = [m for m in mentions if m.status == "stated"]
    both = [b.span() for b in _BOTH_ACCEPTABLE.finditer(norm)]
    if stated and all(any(a <= m.start < b for a, b in both) for m in stated):
        return INVALID, mentions, "the answer named with another as both acceptable"
    if stated:
        chosen = {m.letter for m in stated}
        how = "stated as the answer" + (" (by its text)" if all(m.by_text for m in stated) else "")
        if len(chosen) == 1 and all(m.by_text for m in stated) and _UNSURE.search(norm, stated[-1].end):
            # "… so amlodipine (B) fits. … Without more information I can't choose definitively between B and D."
            return INVALID, mentions, f"{how} ({stated[0].letter}), but then says it cannot choose: abstained"
        maybe = _MAYBE_ANOTHER.search(norm, stated[-1].end)
        if len(chosen) == 1 and maybe is not None and _TO_LETTER[maybe.group("maybe")] not in chosen:
            return INVALID, mentions, f"{how} ({stated[0].letter}), then another offered as a maybe: abstained"
        if len(chosen) == 1:
            return stated[0].letter, mentions, how
        last = stated[-1]
        earlier = max(m.end for m in stated if m.letter != last.letter)
        corrected = _CORRECTION.search(norm[max(0, last.start - 60) : last.end]) or _CORRECTION_MARK.search(
            norm[earlier : last.start]
        )
        corrected = corrected or _FINAL_ANSWER.search(norm[max(0, last.start - _FINAL_REACH) : last.end])
        if corrected and all(
            m.start < last.start or m.letter == last.letter for m in stated
        ):
            return last.letter, mentions, "stated as the answer after a correction"
        if _concludes_over_texts(norm, last, stated):
            return last.letter, mentions, "stated as the answer in the closing conclusion, after options' texts"
        return INVALID, mentions, f"several options stated as correct ({', '.join(sorted(chosen))})"
    if _UNSURE.search(norm):
        return INVALID, mentions, "the output says it is unsure and states no answer"
    # bare letters anywhere, and option texts in the opening sentence (a text named in passing later is no answer)
    opening = _opening_after_rejection(norm, mentions)
    rejected = _rejected_letters(norm, mentions)
    bare = [m for m in mentions if m.status == "bare" and (not m.by_text or m.start < opening)
            and not (m.by_text and m.letter in rejected)]  # fmt: skip
    if bare:
        decided = _decide_bare(norm, bare)
        opening_reads = _opening_read(norm, choices, question) if decided is not None else None
        if opening_reads is not None and opening_reads.letter != decided[0]:
            # "N-acetylcysteine.\n\nNaloxone (option B) is used in other settings.": the opening names one option
            # by a loose form of its text, a later mention another; a wrong letter costs more than a miss
            return INVALID, mentions, (f"{decided[1]} ({decided[0]}), but the opening names option "
                                       f"{opening_reads.letter} by its text loosely: abstained")
        objection = None if decided is None else _bare_objection(norm, bare, decided[0], question, choices)
        if objection is not None:
            return INVALID, mentions, f"{decided[1]} ({decided[0]}), but {objection}: abstained"
        if decided is not None:
            by_text = all(m.by_text for m in bare if m.letter == decided[0])
            return decided[0], mentions, decided[1] + (" (by its text)" if by_text else "")
        named = ", ".join(sorted({m.letter for m in bare}))
        return INVALID, mentions, f"several options named, none stated as the answer ({named})"
    lone = _LONE.match(norm.strip())
    if lone is not None:
        as_text = match_option(norm, choices, question)  # "B+" among blood groups is group B, not option B
        if as_text is not None and as_text.letter != _TO_LETTER[lone.group("opt")]:
            return INVALID, mentions, f"one letter, but as an option's text it names {as_text.letter}: abstained"
        return _TO_LETTER[lone.group("opt")], mentions, "the whole output is one option"
    set_aside = all(m.status in ("listed", "negated") for m in mentions)
    loose = _loose_text_choice(norm, choices, question, emphasised) if set_aside else None
    if loose is not None and any(m.letter == loose.letter for m in mentions):
        loose = None  # "Vanco (or daptomycin). Cefazolin and nafcillin don't cover MRSA.": only an option not set aside
    if loose is not None:
        return loose.letter, mentions, f"the output's opening names the option's text loosely ({loose.describe()})"
    acronym = None if mentions else _acronym_choice(norm, choices)
    if acronym is not None:
        return acronym, mentions, "the whole output is the initials of the option's words"
    if mentions:
        kinds = sorted({m.status for m in mentions})
        return INVALID, mentions, f"options only {' and '.join(kinds)}"
    return INVALID, mentions, "no option named"


def _concludes_over_texts(norm: str, last: Mention, stated: list[Mention]) -> bool:
    """The last statement names its option by letter in a closing sentence that opens with a conclusion word, and the
    others it overrides were options' texts said on the way: "In outpatients it's primary hyperparathyroidism, but in
    hospitalized patients malignancy dominates. So the answer is B." (not a letter against a letter)."""
    if last.by_text or norm[last.end :].strip(" \t.!)]\n"):
        return False
    start = _sentence_start(norm, last.start)
    return bool(_CONCLUSION_START.match(norm[start : last.end])) and all(
        m.by_text for m in stated if m.letter != last.letter
    )


def _bare_objection(
    norm: str, bare: list[Mention], letter: str, question: str | None, choices: Sequence[str] | None
) -> str | None:
    """Why the option the bare mentions give is no answer after all; None where nothing speaks against it."""
    if asks_for_exception(question) and all(m.by_text and _enumerated(norm, m) for m in bare if m.letter == letter):
        # "Tetralogy of Fallot includes all of the following EXCEPT:" — "The four components are VSD, overriding
        # aorta, pulmonary stenosis and RVH.": an option listed among what the question includes is not the exception
        return "only as an item of a list"
    if _UNDECIDED.search(norm) and not _is_option_text(norm, letter, choices):  # "هیچ‌کدام" is an option too
        return "the output weighs two readings"  # "… so it could be B as well.", "پس بستگی دارد؛ الف یا ب"
    return None


def _is_option_text(norm: str, letter: str, choices: Sequence[str] | None) -> bool:
    """The whole output is the option's text, word for word after folding."""
    if not choices or len(choices) != len(CHOICES):
        return False
    return fold_words(norm) == fold_words(str(choices[CHOICES.index(letter)]))


def extract_choice(text: object, choices: Sequence[str] | None = None, question: str | None = None) -> str:
    """The option a free-text answer picks: "A", "B", "C", "D", or "invalid" (see the module docstring).

    ``choices`` (the question's four option texts, in A-D order) lets an answer given as an option's text count;
    ``question`` (its stem) gives its polarity: where it asks for the false statement or the exception, an option
    called false or the exception is the answer.
    """
    return explain_choice(text, choices, question)[0]


def decision_trace(text: object, choices: Sequence[str] | None = None, question: str | None = None) -> dict:
    """The decision behind :func:`extract_choice` for a per-question record: the reason and each mention (letter,
    kind, status and the text it was read from)."""
    choice, mentions, reason = explain_choice(text, choices, question)
    norm = normalize_answer_text(text) if isinstance(text, str) else ""
    return {
        "choice": choice,
        "reason": reason,
        "mentions": [{"letter": m.letter, "kind": m.kind, "status": m.status, "by_text": m.by_text,
                      "text": norm[m.start : m.end]} for m in mentions],  # fmt: skip
    }


def letter_to_index(letter: str) -> int:
    return CHOICES.index(letter)


def index_to_letter(index: int) -> str:
    return CHOICES[int(index)]
