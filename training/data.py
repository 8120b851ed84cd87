"""Load the two stages' datasets in the shapes ``trl.SFTTrainer`` takes.

Both read a built dataset folder or a Hub repo with ``datasets.load_dataset(name, config)`` (layout in
.notes/SCHEMAS.md §1):

- stage 1, ``load_corpus``: the corpus' ``text`` column (language modelling; TRL packs it). Validation comes from the
  ``dataset_test_split`` split when it exists, otherwise from a held-out slice of the train split chosen by a hash of
  each row's ``id``: the slice stays the same whatever the row order, seed or machine.
- stage 2, ``load_qa``: MF3QA question/answer rows as conversational prompt/completion pairs (aya chat turns), so
  TRL computes the loss on the answer only.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field

from training.configs import RecipeError


logger = logging.getLogger(__name__)


@dataclass
class StageData:
    """The training and evaluation datasets of a stage, and where they came from (training_metadata.json)."""

    train: object
    eval: object | None
    sources: list[dict] = field(default_factory=list)


def _source(name: str, config: str | None, split: str, dataset, **extra) -> dict:
    return {
        "name": name,
        "config": config,
        "split": split,
        "rows": len(dataset),
        "fingerprint": dataset._fingerprint,
        **extra,
    }


def _load(script_args):
    from datasets import load_dataset

    return load_dataset(script_args.dataset_name, script_args.dataset_config)


def _limit(dataset, limit: int | None):
    return dataset if limit is None or len(dataset) <= limit else dataset.select(range(limit))


def held_out_mask(keys: list[str], fraction: float) -> list[bool]:
    """True for the rows whose key hashes into the first ``fraction`` of the hash space (at least one, never all)."""
    scores = [int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:12], 16) / 16**12 for key in keys]
    mask = [score < fraction for score in scores]
    if len(keys) > 1 and not any(mask):
        mask[min(range(len(keys)), key=scores.__getitem__)] = True
    if len(keys) > 1 and all(mask):
        mask[max(range(len(keys)), key=scores.__getitem__)] = False
    return mask


def load_corpus(script_args, training_args, corpus_args) -> StageData:
    """Stage 1: ``text`` rows for training and validation."""
    splits = _load(script_args)
    name, config = script_args.dataset_name, script_args.dataset_config
    text_field = training_args.dataset_text_field
    train = splits[script_args.dataset_train_split]
    if text_field not in train.column_names:
        raise RecipeError(f"{name} ({config}) has no {text_field!r} column: columns are {train.column_names}")
    sources = [_source(name, config, script_args.dataset_train_split, train)]
    if script_args.dataset_test_split in splits:
        eval_set = splits[script_args.dataset_test_split]
        sources.append(_source(name, config, script_args.dataset_test_split, eval_set))
    else:
        keys = train["id"] if "id" in train.column_names else train[text_field]
        mask = held_out_mask([str(key) for key in keys], corpus_args.eval_fraction)
        eval_set = train.select([i for i, held in enumerate(mask) if held])
        train = train.select([i for i, held in enumerate(mask) if not held])
        logger.info(
            "no %r split in %s: holding out %d of %d rows (eval_fraction %.3f, by id hash) for validation",
            script_args.dataset_test_split, name, len(eval_set), len(mask), corpus_args.eval_fraction,
        )  # fmt: skip
        selection = f"id-hash held-out slice, eval_fraction={corpus_args.eval_fraction}"
        sources[0].update(rows=len(train), selection=f"complement of the {selection}")
        sources.append(_source(name, config, script_args.dataset_train_split, eval_set, selection=selection))
    train = _limit(train.select_columns([text_field]), corpus_args.max_train_samples)
    eval_set = _limit(eval_set.select_columns([text_field]), corpus_args.max_eval_samples)
    return StageData(train=train, eval=eval_set, sources=sources)


def to_conversation(question: str, answer: str, system_prompt: str | None = None) -> dict:
    """One QA pair as a conversational prompt/completion example (the answer is the completion)."""
    prompt = [{"role": "system", "content": system_prompt}] if system_prompt else []
    prompt.append({"role": "user", "content": question.strip()})
    return {"prompt": prompt, "completion": [{"role": "assistant", "content": answer.strip()}]}


def _conversations(dataset, qa_args):
    q, a = qa_args.question_field, qa_args.answer_field
    missing = [column for column in (q, a) if column not in dataset.column_names]
    if missing:
        raise RecipeError(f"QA dataset lacks the column(s) {missing}: columns are {dataset.column_names}")
    kept = dataset.filter(lambda row: bool((row[q] or "").strip()) and bool((row[a] or "").strip()))
    if len(kept) < len(dataset):
        logger.info("dropped %d QA rows with an empty question or answer", len(dataset) - len(kept))
    return kept.map(
        lambda row: to_conversation(row[q], row[a], qa_args.system_prompt), remove_columns=kept.column_names
    )


def load_qa(script_args, qa_args) -> StageData:
    """Stage 2: conversational prompt/completion pairs for training and evaluation (``dataset_test_split``)."""
    splits = _load(script_args)
    name, config = script_args.dataset_name, script_args.dataset_config
    train = splits[script_args.dataset_train_split]
    sources = [_source(name, config, script_args.dataset_train_split, train)]
    eval_set = None
    if script_args.dataset_test_split in splits:
        eval_set = splits[script_args.dataset_test_split]
        sources.append(_source(name, config, script_args.dataset_test_split, eval_set))
    else:
        logger.warning("no %r split in %s: stage 2 runs without validation", script_args.dataset_test_split, name)
    train = _conversations(_limit(train, qa_args.max_train_samples), qa_args)
    if eval_set is not None:
        eval_set = _conversations(_limit(eval_set, qa_args.max_eval_samples), qa_args)
    return StageData(train=train, eval=eval_set, sources=sources)
