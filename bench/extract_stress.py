"""Answer extraction under conflicting evidence: does a mention of another option, in passing, ever become the answer?

    python bench/extract_stress.py            # every pool output with a single-answer label, every other letter
    python bench/extract_stress.py --show 20  # and the first 20 outputs read as that other letter

Each labelled pool output (``tests/hub_tools/evaluation/data/extraction_pool/*.jsonl``, label A-D) is given, for each
other option Y, a sentence that names Y without giving it as the answer (negated, contrasted, compared, ruled out, a
distractor, a mistake, a counterfactual or what the answer would be elsewhere, a label in passing), in English and
Persian, appended or prefixed. A variant read as Y, or as any letter other than the label, is counted: a *flip*. An
abstention (``invalid``) is not a flip. This is a synthetic check of the conflict categories, not a blind figure.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POOL_DIR = ROOT / "tests" / "hub_tools" / "evaluation" / "data" / "extraction_pool"
PERSIAN = {"A": "الف", "B": "ب", "C": "ج", "D": "د"}
#: {o}: the output; {y}: the other option's letter; {fy}: its Persian letter; {ty}: its text
TEMPLATES = (
    "{o}\n\nOption {y} is not correct.", "{o}\n\n{y} is wrong.", "{o}\n\nUnlike option {y}, this fits.",
    "{o}\n\nIt is not {y}.", "Not {y}.\n\n{o}", "{o}\n\nRather than {y}.", "{o}\n\n(Option {y} can be ruled out.)",
    "{o}\n\n{y} is less likely.", "{o}\n\nCompared with option {y}, this is better.",
    "{o}\n\nIf the question were different, the answer would be {y}.", "{o}\n\n{ty} (option {y}) is only an adjunct.",
    "{o}\n\nWe can exclude {y}.", "{o}\n\n{y} would be incorrect here.", "{o}\n\nA common mistake is to pick {y}.",
    "{o}\n\nOption {y} would be the answer in children.", "Some would say {y}.\n\n{o}",
    "{o}\n\nگزینه {fy} نادرست است.", "{o}\n\nگزینه {fy} غلط است.", "{o}\n\nبرخلاف گزینه {fy}، این درست است.",
    "نه {fy}.\n\n{o}", "{o}\n\nگزینه {fy} رد می‌شود.", "{o}\n\nبه جای گزینه {fy}.", "{o}\n\nگزینه {fy} صحیح نیست.",
    "{o}\n\nدر مقایسه با گزینه {fy}، این بهتر است.", "{o}\n\nاشتباه رایج انتخاب گزینه {fy} است.",
    "{o}\n\nدر کودکان پاسخ گزینه {fy} می‌بود.",
    # a neutral label in passing: the limit (see README): read as Y where the output's own answer is unreadable
    "{o}\n\n{ty} (option {y}) is used in other settings.", "{o}\n\n{ty} (گزینه {fy}) در موارد دیگر به کار می‌رود.",
)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    from hub_tools.evaluation.extract import CHOICES, extract_choice
    from hub_tools.evaluation.extraction_pool import read_pool

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show", type=int, default=0, help="print this many flipped variants")
    args = parser.parse_args(argv)
    items = [item for item in read_pool(POOL_DIR) if item.label in CHOICES]
    flips, total, shown = Counter(), Counter(), 0
    for item in items:
        for other in CHOICES:
            if other == item.label:
                continue
            for template in TEMPLATES:
                text = template.format(o=item.output, y=other, fy=PERSIAN[other],
                                       ty=item.choices[CHOICES.index(other)])  # fmt: skip
                got = extract_choice(text, item.choices, item.question)
                total[template] += 1
                if got not in (item.label, "invalid"):
                    flips[template] += 1
                    if shown < args.show:
                        shown += 1
                        print(f"    {item.where}: label {item.label}, read {got}: {text[-160:]!r}")
    print(f"flips: {sum(flips.values())} of {sum(total.values())} variants ({len(items)} outputs)")
    for template, count in flips.most_common():
        print(f"    {count:>5} / {total[template]:<5} {template!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
