"""Train the learned name detector (:mod:`hub_tools.data.name_model`) on the redaction pool and cross-validate it
leaving one writer out (scikit-learn, for training only; the shipped model is plain arrays).

    python -m hub_tools.data.train_name_model tests/hub_tools/data/redaction_pool            # LOWO table only
    python -m hub_tools.data.train_name_model tests/hub_tools/data/redaction_pool --write    # + model, figures

For each writer (a pool file), the model is trained on the other files and measured on that file, for the rules
alone and for the rules OR-ed with the model: name recall (labelled names entirely redacted, by any kind) and
negatives changed (texts without personal data that the redaction changed). The threshold is the lowest of a grid
whose pooled held-out results keep negatives changed <= 1% and the precision of the redaction >= 0.97.
``--write`` trains on all files and writes ``hub_tools/data/name_model.npz`` and ``name_model_cv.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

from hub_tools.data import name_model as nm
from hub_tools.data.gazetteer import name_key
from hub_tools.data.redact import find_personal_data
from hub_tools.data.redaction_eval import LabelledItem, load_pool

PACKAGE = Path(__file__).resolve().parent
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
MAX_NEGATIVES_CHANGED = 0.01
MIN_PRECISION = 0.97
VOCAB_MIN_COUNT = 5
C = 1.0
# The own score (intercept + the word's features) a word needs to be scored in context. Leave-one-writer-out at the
# chosen threshold loses no name between -3.8 (the lowest own score of a word scored as a name in training, less 1)
# and 1.0, and the model costs half as much at 1.0; at 2.0 held-out recall drops.
GATE = 1.0


def _vocab(items: Sequence[LabelledItem]) -> frozenset[str]:
    """Context words kept by identity: frequent words of the training texts that are mostly not names."""
    seen, named = Counter(), Counter()
    for item in items:
        for start, end in nm.tokens(item.text):
            key = name_key(item.text[start:end])
            seen[key] += 1
            named[key] += any(k == "name" and s < end and start < e for k, s, e in item.spans)
    return frozenset(w for w, n in seen.items() if n >= VOCAB_MIN_COUNT and named[w] * 2 < n)


def _matrix(items: Sequence[LabelledItem], vocab: frozenset[str]) -> tuple[csr_matrix, np.ndarray]:
    rows, cols, labels = [], [], []
    for item in items:
        spans = nm.tokens(item.text)
        for i, (start, end) in enumerate(spans):
            feats = nm.token_features(item.text[start:end]) + tuple(nm.context_features(item.text, spans, i, vocab))
            indices = {nm.feature_index(f) for f in feats}
            rows += [len(labels)] * len(indices)
            cols += list(indices)
            labels.append(any(k == "name" and s < end and start < e for k, s, e in item.spans))
    data = np.ones(len(rows))
    return csr_matrix((data, (rows, cols)), shape=(len(labels), 1 << nm.BITS)), np.asarray(labels, dtype=int)


def fit(items: Sequence[LabelledItem], threshold: float = 0.5) -> nm.NameModel:
    vocab = _vocab(items)
    x, y = _matrix(items, vocab)
    classifier = LogisticRegression(C=C, max_iter=2000, solver="liblinear", random_state=0)
    classifier.fit(x, y)
    model = nm.NameModel(coef=classifier.coef_[0].astype(np.float64), intercept=float(classifier.intercept_[0]),
                         threshold=threshold, vocab=vocab, gate=GATE)
    return model


def measure(items: Sequence[LabelledItem], model: nm.NameModel | None) -> dict:
    """Name recall, negatives changed and precision of the redaction (rules, with ``model`` when given)."""
    names = covered = negatives = changed = predicted = right = 0
    for item in items:
        found = find_personal_data(item.text, name_model=model)
        predicted += len(found)
        right += sum(any(p.start < e and s < p.end for _, s, e in item.spans) for p in found)
        if not item.spans:
            negatives += 1
            changed += bool(found)
        for kind, start, end in item.spans:
            if kind != "name":
                continue
            names += 1
            chars = set()
            for p in found:
                chars.update(range(max(p.start, start), min(p.end, end)))
            covered += len(chars) == end - start
    return {"names": names, "names_covered": covered, "negatives": negatives, "negatives_changed": changed,
            "redacted_spans": predicted, "redacted_right": right}


def _rates(counts: dict) -> dict:
    return {"names_recall": round(counts["names_covered"] / max(counts["names"], 1), 4),
            "negatives_changed_rate": round(counts["negatives_changed"] / max(counts["negatives"], 1), 4),
            "precision": round(counts["redacted_right"] / max(counts["redacted_spans"], 1), 4), **counts}


def _add(total: dict, counts: dict) -> None:
    for key, value in counts.items():
        total[key] = total.get(key, 0) + value


def cross_validate(pool: dict[str, list[LabelledItem]]) -> dict:
    """Leave one writer out: per writer and pooled, rules alone and rules + model at each threshold."""
    rules, learned = {}, {t: {} for t in THRESHOLDS}
    for writer, held in pool.items():
        model = fit([item for other, items in pool.items() if other != writer for item in items])
        rules[writer] = measure(held, None)
        for threshold in THRESHOLDS:
            model.threshold = threshold
            learned[threshold][writer] = measure(held, model)
        print(f"{writer}: rules {_rates(rules[writer])['names_recall']}, "
              f"+model@0.5 {_rates(learned[0.5][writer])['names_recall']}", file=sys.stderr)
    chosen = None
    pooled_rules: dict = {}
    for counts in rules.values():
        _add(pooled_rules, counts)
    for threshold in THRESHOLDS:
        pooled: dict = {}
        for counts in learned[threshold].values():
            _add(pooled, counts)
        ok = (pooled["negatives_changed"] / pooled["negatives"] <= MAX_NEGATIVES_CHANGED
              and pooled["redacted_right"] / pooled["redacted_spans"] >= MIN_PRECISION)
        if ok and chosen is None:
            chosen = threshold
    chosen = chosen if chosen is not None else THRESHOLDS[-1]
    pooled_model: dict = {}
    for counts in learned[chosen].values():
        _add(pooled_model, counts)
    return {
        "method": "leave one writer out: trained on the other pool files, measured on the held-out one",
        "threshold": chosen,
        "per_writer": {w: {"rules": _rates(rules[w]), "rules_model": _rates(learned[chosen][w])} for w in pool},
        "pooled": {"rules": _rates(pooled_rules), "rules_model": _rates(pooled_model)},
        "by_threshold": {str(t): _rates(_pooled(learned[t])) for t in THRESHOLDS},
    }


def _pooled(per_writer: dict) -> dict:
    total: dict = {}
    for counts in per_writer.values():
        _add(total, counts)
    return total


def export(path: Path, model: nm.NameModel) -> None:
    np.savez_compressed(path, coef=model.coef.astype(np.float32), intercept=np.float64(model.intercept),
                        threshold=np.float64(model.threshold), gate=np.float64(model.gate), bits=np.int64(model.bits),
                        vocab=np.array(sorted(model.vocab), dtype=str))


def table(cv: dict) -> str:
    lines = [f"{'writer':14} {'rules':>7} {'+model':>7} {'neg rules':>9} {'neg +model':>10}"]
    rows = list(cv["per_writer"].items()) + [("pooled", cv["pooled"])]
    for writer, figures in rows:
        r, m = figures["rules"], figures["rules_model"]
        lines.append(f"{writer:14} {r['names_recall']:7.4f} {m['names_recall']:7.4f} "
                     f"{r['negatives_changed']:>4}/{r['negatives']:<4} "
                     f"{m['negatives_changed']:>5}/{m['negatives']:<4}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pool", nargs="+", type=Path)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    pool = load_pool(args.pool)
    cv = cross_validate(pool)
    print(table(cv))
    print(f"threshold {cv['threshold']}")
    if args.write:
        model = fit([item for items in pool.values() for item in items], threshold=cv["threshold"])
        export(PACKAGE / nm.MODEL_FILE, model)
        (PACKAGE / "name_model_cv.json").write_text(json.dumps(cv, indent=2, ensure_ascii=False) + "\n",
                                                    encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
