"""Train the red-flag net's learned component and measure it honestly (a development tool: needs scikit-learn).

    python space/train_red_flag_model.py [--pool tests/space/data/red_flags] [--out space/red_flag_model.npz]

The model: TF-IDF over hashed character n-grams (2-5 characters within words, as scikit-learn's ``char_wb``
makes them; :func:`space.safety.ngram_buckets`, 2**18 buckets) of the folded message without greetings
(:func:`space.safety.model_text`), then scikit-learn's class-balanced logistic regression, emergency or not. Every message is also
trained with help-seeking tails (:data:`space.safety_pool.HELP_SEEKING_TAILS`), so a tail carries no signal.

It is exported as plain float arrays (idf, coefficients, intercept, threshold; ``np.savez_compressed``, loaded
with ``allow_pickle=False``) and applied by :class:`space.safety.NgramModel` with numpy only; the script checks that
the exported model scores as the trained one does. The same featurizer runs at training and at run time, so no
scikit-learn vectorizer has to be reproduced.

**The threshold is chosen for recall.** Rules OR model: the model only adds flags. With out-of-fold scores from
leave-one-writer-out cross-validation, the threshold is the lowest at which the combination's false alarms stay
within ``--max-false-alarms`` (default 4%: on writers it had never seen, false alarms ran 2-3 times the
cross-validated rate, and recall, not false alarms, had the margin).

**The figure to quote is cross-validated by writer.** For each writer: choose the threshold by the same rule on
the other writers only (nested), train on the other writers, measure on this one. The held-out writer's messages
never shape the model or its threshold. Printed, and stored in the JSON under ``cross_validation``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from space import safety
from space.safety_pool import HELP_SEEKING_TAILS, Labelled, read_pool


REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POOL = REPO_ROOT / "tests" / "space" / "data" / "red_flags"
NGRAM_RANGE = (2, 5)
BITS = 18  # 262,144 hash buckets
MIN_DF = 2
C = 4.0


def _augmented(rows: Sequence[Labelled], seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Each message as written plus with two help-seeking tails, folded; labels 1 = emergency."""
    rng = random.Random(seed)
    texts, labels = [], []
    for row in rows:
        for tail in ("", *rng.sample(HELP_SEEKING_TAILS, 2)):
            texts.append(safety.model_text(row.text + tail))
            labels.append(int(row.emergency))
    return texts, np.asarray(labels)


def _matrix(texts: Sequence[str]):
    """Counts of hashed n-gram buckets (:func:`space.safety.ngram_buckets`), one row per text (scipy CSR)."""
    from scipy.sparse import csr_matrix

    rows, columns, counts = [], [], []
    for row, text in enumerate(texts):
        buckets, numbers = np.unique(safety.ngram_buckets(text, *NGRAM_RANGE, BITS), return_counts=True)
        rows.append(np.full(len(buckets), row)), columns.append(buckets.astype(np.int64)), counts.append(numbers)
    shape = (len(texts), 2**BITS)
    return csr_matrix((np.concatenate(counts).astype(np.float64), (np.concatenate(rows), np.concatenate(columns))),
                      shape=shape)  # fmt: skip


def _tfidf(counts, idf: np.ndarray):
    """tf = 1 + log(count), times idf, each row l2-normalised: what :meth:`space.safety.NgramModel.features` does."""
    from sklearn.preprocessing import normalize

    matrix = counts.copy()
    matrix.data = 1.0 + np.log(matrix.data)
    return normalize(matrix.multiply(idf).tocsr())


@dataclass(frozen=True)
class Fitted:
    idf: np.ndarray
    coef: np.ndarray
    intercept: float

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        return _tfidf(_matrix(texts), self.idf) @ self.coef + self.intercept


def fit(rows: Sequence[Labelled]) -> Fitted:
    """Smoothed idf (as scikit-learn's ``TfidfVectorizer``) over buckets seen in at least ``MIN_DF`` messages, 0
    elsewhere; then a class-balanced logistic regression."""
    from sklearn.linear_model import LogisticRegression

    texts, labels = _augmented(rows)
    counts = _matrix(texts)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.where(df >= MIN_DF, np.log((1 + len(texts)) / (1 + df)) + 1.0, 0.0)
    classifier = LogisticRegression(C=C, class_weight="balanced", max_iter=5000)
    classifier.fit(_tfidf(counts, idf), labels)
    return Fitted(idf=idf, coef=classifier.coef_[0].copy(), intercept=float(classifier.intercept_[0]))


def scores(fitted: Fitted, rows: Sequence[Labelled]) -> np.ndarray:
    return fitted.scores([safety.model_text(row.text) for row in rows])


def _writers(rows: Sequence[Labelled]) -> list[str]:
    return sorted({row.writer for row in rows})


def out_of_fold(rows: Sequence[Labelled]) -> np.ndarray:
    """Each row's score from a model trained on the other writers."""
    result = np.zeros(len(rows))
    for writer in _writers(rows):
        held = [i for i, row in enumerate(rows) if row.writer == writer]
        fitted = fit([row for row in rows if row.writer != writer])
        result[held] = scores(fitted, [rows[i] for i in held])
    return result


def choose_threshold(rows: Sequence[Labelled], model_scores: np.ndarray, rule_flags: Sequence[bool],
                     max_false_alarms: float, consulted: Sequence[bool]) -> float:  # fmt: skip
    """The lowest threshold at which rules OR model keeps false alarms within ``max_false_alarms`` (the model counts
    only where :func:`space.safety.model_consulted`)."""
    emergency = np.array([row.emergency for row in rows])
    rules, asked = np.array(rule_flags), np.array(consulted)
    negatives = ~emergency
    for threshold in np.unique(np.round(model_scores, 4)):
        flagged = rules | (asked & (model_scores >= threshold))
        if flagged[negatives].mean() <= max_false_alarms:
            return float(threshold)
    return float(model_scores.max() + 1)


def _rates(rows: Sequence[Labelled], flagged: np.ndarray) -> dict:
    emergency = np.array([row.emergency for row in rows])
    return {"emergencies": int(emergency.sum()), "caught": int(flagged[emergency].sum()),
            "non_emergencies": int((~emergency).sum()), "false_alarms": int(flagged[~emergency].sum())}  # fmt: skip


def cross_validate(rows: Sequence[Labelled], rule_flags: Sequence[bool], max_false_alarms: float,
                   consulted: Sequence[bool]) -> dict:  # fmt: skip
    """Leave-one-writer-out figures for rules alone, model alone and rules OR model (threshold nested)."""
    rules, asked = np.array(rule_flags), np.array(consulted)
    per_writer, combined, model_only, rules_only = {}, np.zeros(len(rows), bool), np.zeros(len(rows), bool), rules
    for writer in _writers(rows):
        held = np.array([row.writer == writer for row in rows])
        train = [row for row in rows if row.writer != writer]
        train_rules = rules[~held]
        inner = out_of_fold(train) if len(_writers(train)) > 1 else scores(fit(train), train)
        threshold = choose_threshold(train, inner, train_rules, max_false_alarms, asked[~held])
        held_scores = scores(fit(train), [row for row in rows if row.writer == writer])
        model_only[held] = held_scores >= threshold
        combined[held] = rules[held] | (asked[held] & model_only[held])
        held_rows = [row for row in rows if row.writer == writer]
        per_writer[writer] = {"threshold": threshold, **_rates(held_rows, combined[held])}
        print(f"  held out {writer}: {per_writer[writer]}", file=sys.stderr)
    return {"method": "leave one writer out; threshold chosen on the other writers only",
            "rules": _rates(rows, rules_only), "model": _rates(rows, model_only),
            "rules_or_model": _rates(rows, combined), "per_writer": per_writer}  # fmt: skip


def export(path: Path, fitted: Fitted, threshold: float, meta: dict) -> safety.NgramModel:
    """Write the model as float32 arrays (``np.savez_compressed``; no pickle) and load it back as the Space will."""
    np.savez_compressed(
        path, idf=fitted.idf.astype(np.float32), coef=fitted.coef.astype(np.float32),
        intercept=np.float64(fitted.intercept), threshold=np.float64(threshold), ngram_range=np.array(NGRAM_RANGE),
        meta=np.array(json.dumps(meta, ensure_ascii=False)),
    )  # fmt: skip
    return safety.NgramModel.load(path)


def check_export(fitted: Fitted, model: safety.NgramModel, rows: Sequence[Labelled]) -> float:
    """Largest difference between the training-side score and :class:`space.safety.NgramModel`'s on ``rows``."""
    ours = np.array([model.score(safety.model_text(row.text)) for row in rows])
    return float(np.abs(ours - scores(fitted, rows)).max())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pool", type=Path, default=DEFAULT_POOL, help="folder of labelled *.tsv files")
    parser.add_argument("--out", type=Path, default=safety.MODEL_FILE, help="the model (.npz) to write")
    parser.add_argument("--max-false-alarms", type=float, default=0.04)
    args = parser.parse_args(argv)
    try:
        rows = read_pool(args.pool)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    writers = _writers(rows)
    if len(writers) < 2:
        print(f"error: {args.pool}: cross-validation by writer needs 2 writers or more, found {writers}",
              file=sys.stderr)
        return 2
    rule_flags = [bool(safety.detect_red_flags(row.text, model=None)) for row in rows]
    consulted = [safety.model_consulted(row.text) for row in rows]
    print(f"{len(rows)} messages from {len(writers)} writers; cross-validating by writer ...", file=sys.stderr)
    cv = cross_validate(rows, rule_flags, args.max_false_alarms, consulted)
    for name in ("rules", "model", "rules_or_model"):
        r = cv[name]
        print(f"held-out {name:15s} recall {r['caught']}/{r['emergencies']}  false alarms "
              f"{r['false_alarms']}/{r['non_emergencies']}")  # fmt: skip
    threshold = choose_threshold(rows, out_of_fold(rows), rule_flags, args.max_false_alarms, consulted)
    fitted = fit(rows)
    meta = {"trained_on": {"messages": len(rows), "writers": writers, "max_false_alarms": args.max_false_alarms},
            "ngram_range": NGRAM_RANGE, "bits": BITS, "C": C, "min_df": MIN_DF, "cross_validation": cv}  # fmt: skip
    model = export(args.out, fitted, threshold, meta)
    difference = check_export(fitted, model, rows)
    if difference > 1e-3:
        print(f"error: {args.out}: the exported model scores differ from training's by {difference:.2g}",
              file=sys.stderr)
        return 1
    used = int(np.count_nonzero(fitted.idf))
    print(f"wrote {args.out} ({used} buckets used of {2**BITS}, threshold {threshold:.3f}; "
          f"the exported arrays score within {difference:.1g} of training)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
