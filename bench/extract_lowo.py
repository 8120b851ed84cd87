"""Leave-one-writer-out check of the loose option-text reading's thresholds (hub_tools/evaluation/option_match.py).

    python bench/extract_lowo.py

For each writer of the labelled pool, the thresholds (``MIN_SCORE``, ``MIN_MARGIN``) are chosen on the other writers
alone (most right answers, a wrong letter counting as ten misses; on a tie the stricter pair), then the held-out
writer is measured with them. Only the outputs that reach the loose reading can change with the thresholds; the rest
are read once. Prints, per held-out writer, the pair chosen without it and its accuracy and wrong letters, next to
the shipped pair's, then the whole pool's figures for every pair.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from itertools import product
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "hub_tools" / "evaluation" / "data"
SCORES = (0.3, 0.4, 0.5, 0.6, 0.7)
MARGINS = (0.1, 0.2, 0.3, 0.4, 0.5)
WRONG_LETTER_COST = 10


def _reaching(items, extract, option_match) -> set[int]:
    """Indexes of the items whose reading calls the loose matcher."""
    reached: list[int] = []
    original = extract.match_option

    def recording(*args, **kwargs):
        reached.append(current)
        return original(*args, **kwargs)

    extract.match_option = recording
    try:
        for current, item in enumerate(items):
            extract.explain_choice(item.output, item.choices, item.question)
    finally:
        extract.match_option = original
    return set(reached)


def _read(items, indexes, extract, option_match, score, margin) -> dict[int, str]:
    option_match.MIN_SCORE, option_match.MIN_MARGIN = score, margin
    return {i: extract.extract_choice(items[i].output, items[i].choices, items[i].question) for i in indexes}


def _tally(items, indexes, got) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "right": 0, "wrong_letters": 0})
    for i in indexes:
        item, read = items[i], got[i]
        block = out[item.writer]
        block["n"] += 1
        block["right"] += read == item.label
        block["wrong_letters"] += item.label != "invalid" and read not in ("invalid", item.label)
    return out


def main() -> int:
    from hub_tools.evaluation import extract, option_match
    from hub_tools.evaluation.extraction_pool import read_pool

    items = read_pool(DATA / "extraction_pool", DATA / "extraction_labelled.tsv")
    shipped = (option_match.MIN_SCORE, option_match.MIN_MARGIN)
    reach = _reaching(items, extract, option_match)
    fixed = {i: extract.extract_choice(it.output, it.choices, it.question)
             for i, it in enumerate(items) if i not in reach}  # fmt: skip
    base = _tally(items, fixed.keys(), fixed)
    grid = {pair: _tally(items, reach, _read(items, reach, extract, option_match, *pair))
            for pair in product(SCORES, MARGINS)}  # fmt: skip
    option_match.MIN_SCORE, option_match.MIN_MARGIN = shipped
    writers = sorted({it.writer for it in items})
    print(f"{len(reach)} of {len(items)} outputs reach the loose reading; shipped pair {shipped}")

    def utility(pair, keep):
        blocks = [grid[pair][w] for w in keep if w in grid[pair]]
        return sum(b["right"] - WRONG_LETTER_COST * b["wrong_letters"] for b in blocks), pair

    def figures(pair, writer):
        b0, b1 = base.get(writer, {}), grid[pair].get(writer, {})
        n = b0.get("n", 0) + b1.get("n", 0)
        right = b0.get("right", 0) + b1.get("right", 0)
        wrong = b0.get("wrong_letters", 0) + b1.get("wrong_letters", 0)
        return n, right, wrong

    totals = [0, 0, 0]
    for writer in writers:
        keep = [w for w in writers if w != writer]
        chosen = max(grid, key=lambda pair: utility(pair, keep))
        n, right, wrong = figures(chosen, writer)
        _, right_s, wrong_s = figures(shipped, writer)
        totals = [totals[0] + n, totals[1] + right, totals[2] + wrong]
        print(f"    {writer:<20} chosen without it: score {chosen[0]:.1f} margin {chosen[1]:.1f} -> {right}/{n} "
              f"({right / n:.4f}), wrong letters {wrong}; shipped pair {right_s}/{n}, "
              f"wrong letters {wrong_s}")  # fmt: skip
    print(f"held-out total: {totals[1]}/{totals[0]} = {totals[1] / totals[0]:.4f}, wrong letters {totals[2]}")
    print("whole pool by pair (right, wrong letters):")
    for score in SCORES:
        cells = [sum(figures((score, margin), w)[1] for w in writers) for margin in MARGINS]
        wrongs = [sum(figures((score, margin), w)[2] for w in writers) for margin in MARGINS]
        row = "  ".join(f"m{margin:.1f}: {r} ({w})" for margin, r, w in zip(MARGINS, cells, wrongs))
        print(f"    score {score:.1f}  {row}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
