"""Regenerate the name gazetteer shipped in this folder (the redaction reads only the .txt files; this script is the
only code that needs the source packages).

    pip install -c constraints.txt '.[gazetteer]'
    # farsi-faker, persian-names, persian-gender-detection, name-variants, hazm (all MIT)
    python -m hub_tools.data.gazetteer.build [--crawl ../shared/data/gaokerena/MF3QA]

Sources (see SOURCE.md): Persian given names and family names from **farsi-faker** (its curated name pools,
read through its public ``FarsiFaker`` class), Persian given names and their Latin spellings from **persian-names**,
the registry given names of **persian-gender-detection**,
Latin spelling variants of Persian names from **name-variants**. Every name is folded with
:func:`hub_tools.folding.fold_letters` (Arabic yeh/kaf -> Persian), ZWNJ and spaces inside a name are normalised,
and a double given name (``محمدرضا``) is written three ways: joined, with a space and with a ZWNJ.

``ambiguous_given.txt``: given names that are also ordinary words (``امید``, ``بهار``, ``ماه``): a word of
**hazm**'s lexicon seen >= 300,000 times in its corpus and tagged as more than a noun (``شرکت``, ``رقابت``), or a
word of the MF3QA crawl (``--crawl``; the shared data) seen at least ``--common`` times that is not one of
persian-names' common given names (the crawl's answers are signed by doctors, so a frequent common name is a person,
not a word); plus the common given names of :data:`WORD_NAMES`, words first (``name_words.txt``). The redaction takes
such a word for a name only where the context says a name follows (``نام:``) or a family name comes after it.
``common_words.txt``: the crawl's other frequent words (``زردی``), never read as a family name because of their
ending.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from hub_tools.folding import ZWNJ, fold_letters

HERE = Path(__file__).parent
_WORD = re.compile(r"[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u0622]+")
_PERSIAN_ONLY = re.compile(r"^[\u0621-\u064a\u067e\u0686\u0698\u06a9\u06af\u06cc\u0622\u0654 \u200c]+$")


#: common given names that are ordinary words first ("dear", "sweet", "calm", "free", "breath", "hope", "light"...)
WORD_NAMES = frozenset(
    "عزیز شیرین آرام آزاد نفس بهمن آذر نور قادر امید پری هاله عسل رها ایران رحمت هستی خاطره شادی سحر لاله هامون "
    "فرهنگ جهان کمال مینو صبا بهار باران ماه روز گل مهر ناز دریا آسمان آفتاب صدف یاس آتش خورشید بهشت آینده "
    "پاک حق سمیه شهره".split()
)

#: words the name lists hold that a medical text uses as words, names only with a name's cue ("system", "tariff",
#: "block", "insole", "experience"; "henna", "breeze", "oath" and "eyelashes" are given names too, but a message that
#: opens with one is about the thing)
WORD_NOT_NAMES = frozenset("سامانه تعرفه بلوک کفی تجربه حنا نسیم سوگند مژگانم ایرانه سمن پاکیزه احیای".split())


def normalise(name: str) -> str:
    """One spelling of ``name``: Persian letters, single spaces, no diacritics."""
    name = fold_letters(name).replace("\u200c", " ").strip()
    name = re.sub(r"[\u064b-\u0652\u0670]", "", name)
    return re.sub(r"\s+", " ", name)


def _variants(name: str, given: set[str]) -> set[str]:
    """``name`` and, for a double name, its joined / spaced / ZWNJ spellings."""
    out = {name}
    if name.endswith("الله") or name.endswith("اله"):  # "یدالله" / "یداله" / "ید الله"
        stem = name[: -4 if name.endswith("الله") else -3].rstrip()
        out |= {stem + "الله", stem + "اله", stem + " الله"}
    parts = name.split(" ")
    if len(parts) == 2 and all(len(p) > 1 for p in parts):
        out |= {"".join(parts), ZWNJ.join(parts)}
    elif len(parts) == 1:
        for i in range(2, len(name) - 1):
            left, right = name[:i], name[i:]
            if left in given and right in given and len(right) > 1:
                out |= {f"{left} {right}", f"{left}{ZWNJ}{right}"}
                break
    return out


def persian_sources() -> tuple[set[str], set[str], dict[str, set[str]], set[str]]:
    """(given names, family names, Persian given name -> Latin spellings, persian-names' common given names)."""
    import persian_names
    from farsi_faker import FarsiFaker
    from name_variants.persian_names import PERSIAN_NAME_VARIANTS

    pools = FarsiFaker._read_names_database()
    given = {normalise(n) for n in pools["male_names"] + pools["female_names"]}
    family = {normalise(n) for n in pools["last_names"]}
    data = Path(persian_names.__file__).parent / "data"
    latin: dict[str, set[str]] = {}
    core: set[str] = set()
    for sex in ("male", "female"):
        fa = (data / f"{sex}_fa.txt").read_text(encoding="utf-8").split("\n")
        en = (data / f"{sex}_en.txt").read_text(encoding="utf-8").split("\n")
        for fa_name, en_name in zip(fa, en):
            fa_name, en_name = normalise(fa_name), en_name.strip()
            if fa_name:
                given.add(fa_name)
                core.add(fa_name)
                if en_name:
                    latin.setdefault(fa_name, set()).add(en_name)
    for fa_name, entry in PERSIAN_NAME_VARIANTS.items():
        latin.setdefault(normalise(fa_name), set()).update(f.title() for f in entry["forms"])
        core.add(normalise(fa_name))
    given |= registry_names()
    given = {n for n in given if _PERSIAN_ONLY.match(n) and len(n.replace(" ", "")) > 1}
    family = {n for n in family if _PERSIAN_ONLY.match(n) and len(n.replace(" ", "")) > 2}
    return given, family, latin, core


def lexicon_words(min_count: int) -> set[str]:
    """Common Persian words: the entries of hazm's lexicon (``hazm/data/words.dat``) seen at least ``min_count``
    times in its corpus and tagged as more than a noun; a name that is such a word too (``رقابت``, ``شرکت``) needs a
    stronger context."""
    import importlib.util

    spec = importlib.util.find_spec("hazm")  # located, not imported: hazm's import pulls in its taggers
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("gazetteer build: hazm is not installed (pip install '.[gazetteer]')")
    words = set()
    path = Path(list(spec.submodule_search_locations)[0]) / "data" / "words.dat"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        # a noun only ("پرهام", "داوود") is as likely a name; an adjective, adverb... too ("رقابت", "شرکت") is a word
        if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) >= min_count and parts[2] not in ("N", "N,RES"):
            words.add(normalise(parts[0]))
    return words


def registry_names() -> set[str]:
    """The ~19,900 given names of persian-gender-detection's ``iranianNamesDataset.csv`` (Kurdish, Azeri, Arabic and
    Armenian names of Iranians too: ``ایلچین``, ``هه ژار``), read from the package's data file, not imported."""
    import csv
    import importlib.util

    spec = importlib.util.find_spec("persian_gender_detection")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("gazetteer build: persian-gender-detection is not installed (pip install '.[gazetteer]')")
    path = Path(next(iter(spec.submodule_search_locations))) / "gender" / "iranianNamesDataset.csv"
    with path.open(encoding="utf-8") as fh:
        return {normalise(row["Names"]) for row in csv.DictReader(fh) if row.get("Names")}


def crawl_word_counts(folder: Path) -> Counter:
    """How often each word occurs in the questions and answers of every workbook under ``folder``."""
    import openpyxl

    counts: Counter = Counter()
    for path in sorted(folder.rglob("*.xlsx")):
        workbook = openpyxl.load_workbook(path, read_only=True)
        for row in workbook.active.iter_rows(min_row=2, max_col=2, values_only=True):
            for cell in row:
                if isinstance(cell, str):
                    counts.update(_WORD.findall(fold_letters(cell)))
        workbook.close()
    return counts


def write_list(path: Path, names: set[str], header: str) -> None:
    path.write_text(f"# {header}\n" + "\n".join(sorted(names)) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hub_tools.data.gazetteer.build",
                                     description=__doc__.split("\n")[0])  # fmt: skip
    shared = Path(__file__).parents[4] / "shared" / "data" / "gaokerena"
    parser.add_argument("--crawl", type=Path, default=shared / "MF3QA",
                        help="the MF3QA workbooks whose common words make a given name ambiguous")  # fmt: skip
    parser.add_argument("--common", type=int, default=10, help="occurrences that make a word common")
    parser.add_argument("--lexicon-count", type=int, default=300_000,
                        help="occurrences in hazm's corpus that make a lexicon word common")  # fmt: skip
    args = parser.parse_args(argv)
    if not args.crawl.is_dir():
        print(f"gazetteer build: {args.crawl} is not a folder (the shared MF3QA workbooks)", file=sys.stderr)
        return 2
    given, family, latin, core = persian_sources()
    counts = crawl_word_counts(args.crawl)
    lexicon = lexicon_words(args.lexicon_count)
    ambiguous = {n for n in given if " " not in n and (counts[n] >= args.common or n in lexicon) and n not in core}
    ambiguous |= (WORD_NAMES | WORD_NOT_NAMES) & given
    all_given: set[str] = set()
    for name in given:
        all_given |= _variants(name, given)
    latin_names = {spelling for spellings in latin.values() for spelling in spellings if spelling.isascii()}
    write_list(HERE / "given_names.txt", all_given, "Persian given names (farsi-faker, persian-names; MIT)")
    write_list(HERE / "family_names.txt", family, "Persian family names (farsi-faker; MIT)")
    write_list(HERE / "latin_names.txt", latin_names, "Latin spellings of Persian given names (persian-names, "
               "name-variants; MIT)")  # fmt: skip
    common = {w for w, n in counts.items() if n >= args.common and w not in family and w not in all_given}
    write_list(HERE / "common_words.txt", common, f"words seen >= {args.common} times in the MF3QA crawl that are no "
               "name of the gazetteer (never taken for a family name by its shape)")  # fmt: skip
    write_list(HERE / "name_words.txt", WORD_NAMES & given, "common given names that are words first (WORD_NAMES "
               "in build.py): names with a name's cue or after a kinship word")  # fmt: skip
    write_list(HERE / "ambiguous_given.txt", ambiguous, f"given names that are words seen >= {args.common} times in "
               "the MF3QA crawl or words of hazm's lexicon, and not common names; and common names that are words "
               "first")  # fmt: skip
    print(f"{len(all_given)} given names, {len(family)} family names, {len(latin_names)} Latin spellings, "
          f"{len(ambiguous)} ambiguous given names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
