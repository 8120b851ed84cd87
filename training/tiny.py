"""A tiny, randomly initialised model with aya-expanse-8b's architecture, tokenizer layout and chat template.

    gaokerena train init-tiny --out artifacts/tiny-aya

Every offline run (tests, `make demo`, benchmarks) trains, merges, evaluates and serves this model instead of the
8B one: it is a real ``CohereForCausalLM`` (tied embeddings, logit scale, GQA) with a byte-level BPE tokenizer
trained on the bundled Persian sample articles, aya's special tokens and aya-expanse's chat template, saved with
``save_pretrained`` so that ``AutoModelForCausalLM`` / ``AutoTokenizer`` load it like the real thing.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path

from hub_tools.aya import AYA_EXPANSE_CHAT_TEMPLATE, BOS_TOKEN, PAD_TOKEN, SPECIAL_TOKENS, token_ids  # noqa: F401


logger = logging.getLogger(__name__)

#: The bundled Persian sample articles the tokenizer is trained on (``text`` and ``title`` fields).
SAMPLE_CORPUS = Path(str(resources.files("hub_tools"))) / "data" / "samples" / "corpus" / "articles.jsonl"

#: The tiny shape: same architecture, a few hundred thousand parameters. ``logit_scale`` keeps aya's logit range:
#: aya's 0.125 x sqrt(4096) = 8 = 1.0 x sqrt(64). With aya's own 0.125 a 64-wide model's logits stay nearly flat
#: and a LoRA adapter (which cannot touch the tied embeddings or the final norm) cannot sharpen them: nothing learns.
TINY_SHAPE = dict(
    hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
    max_position_embeddings=2048, logit_scale=1.0, tie_word_embeddings=True,
    rope_parameters={"rope_type": "default", "rope_theta": 10000.0}, layer_norm_eps=1e-5, use_qk_norm=False,
)  # fmt: skip

TINY_VOCAB_SIZE = 2048


def read_sample_texts(path: Path = SAMPLE_CORPUS) -> list[str]:
    """All non-empty ``title`` and ``text`` fields of a JSON-lines corpus, in file order."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"the Persian sample corpus the tiny tokenizer is trained on is missing: {path} "
            "(expected JSON lines with 'title' and 'text' fields; it ships with hub_tools)"
        )
    texts = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                texts += [row[key] for key in ("title", "text") if row.get(key)]
    if not texts:
        raise ValueError(f"{path} holds no 'title' or 'text' values to train the tokenizer on")
    return texts


def train_tokenizer(texts: list[str], vocab_size: int = TINY_VOCAB_SIZE):
    """A byte-level BPE tokenizer with Cohere's pipeline (NFC, single digits, byte level) and aya's special tokens."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import CohereTokenizer

    backend = Tokenizer(models.BPE(continuing_subword_prefix="", end_of_word_suffix="", fuse_unk=False))
    backend.normalizer = normalizers.NFC()
    backend.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.ByteLevel(add_prefix_space=False)]
    )
    backend.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    backend.train_from_iterator(texts, trainer=trainer)
    vocab = backend.get_vocab()
    merges = [tuple(pair) for pair in json.loads(backend.to_str())["model"]["merges"]]
    # Every one of aya's special tokens is special here too (aya's tokenizer marks all of them), so decoding with
    # skip_special_tokens drops them: the named ones through CohereTokenizer's own slots, the others as extras
    # (<EOS_TOKEN> and <EOP_TOKEN> among them, which a reply would otherwise show as text).
    named = {PAD_TOKEN, "<UNK>", "<CLS>", "<SEP>", "<MASK_TOKEN>", BOS_TOKEN}
    tokenizer = CohereTokenizer(
        vocab=vocab, merges=merges, add_bos_token=True, add_eos_token=False,
        extra_special_tokens=[token for token in SPECIAL_TOKENS if token not in named],
    )
    tokenizer.chat_template = AYA_EXPANSE_CHAT_TEMPLATE
    tokenizer.model_max_length = TINY_SHAPE["max_position_embeddings"]
    return tokenizer


#: The brief pretraining ``init_tiny`` runs: enough for the tiny model to be a small real language model of the
#: bundled Persian text (held-out loss well under ln(vocab)) that also answers multiple-choice prompts in the paper's
#: answer format, as aya-expanse does; a few seconds on one CPU core.
PRETRAIN_STEPS = 120
PRETRAIN_BATCH = 8
PRETRAIN_LENGTH = 128
PRETRAIN_LR = 3e-3
#: The answer format the drills teach: the opening the fine-tuned Gaokerena writes (see hub_tools.evaluation.prompts).
DRILL_ANSWER = "پاسخ صحیح گزینه [{letter}] است"


def outside_stage1(path: Path = SAMPLE_CORPUS) -> list[str]:
    """``title`` and ``text`` of the articles the corpus' ``cpt`` config leaves out (by the builder's own rule and
    default seed/fraction: 40% of the articles). The tiny base pretrains on these only, so that stage 1 brings it text
    it has not seen, and the stage-1 held-out slice is text neither has seen: the drop in held-out loss is learning,
    not recall."""
    from hub_tools.data.builders.corpus import in_cpt
    from hub_tools.data.dedup import match_text
    from hub_tools.data.builders import BuildOptions

    defaults = BuildOptions()
    texts = []
    with Path(path).open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line) if line.strip() else {}
            if row.get("text") and not in_cpt(match_text(row["text"]), defaults.seed, defaults.cpt_fraction):
                texts += [row[key] for key in ("title", "text") if row.get(key)]
    return texts


def multiple_choice_drills(texts: list[str], *, seed: int = 0, limit: int = 48) -> list[list[dict]]:
    """Cloze questions made from the corpus sentences (a word blanked, three other corpus words as distractors), as
    chat turns in the paper's prompt, answered in the paper's format. They teach the tiny stand-in the answer *form*
    an instruction-tuned base like aya-expanse already has; no benchmark question is used."""
    import random

    from hub_tools.evaluation.prompts import LETTERS, mc_prompt

    rng = random.Random(seed)
    sentences = [s.strip() for text in texts for s in text.replace("؟", ".").split(".") if len(s.split()) >= 6]
    vocabulary = sorted({word for sentence in sentences for word in sentence.split() if len(word) >= 3})
    drills = []
    for sentence in sentences[:limit]:
        words = sentence.split()
        position = rng.randrange(len(words))
        answer = words[position]
        distractors = rng.sample([w for w in vocabulary if w != answer], 3)
        gold = rng.randrange(4)
        choices = distractors[:gold] + [answer] + distractors[gold:]
        question = " ".join(words[:position] + ["......"] + words[position + 1 :])
        drills.append([
            {"role": "user", "content": mc_prompt(question, choices)},
            {"role": "assistant", "content": DRILL_ANSWER.format(letter=LETTERS[gold])},
        ])  # fmt: skip
    return drills


def _pretraining_stream(tokenizer, texts: list[str], drills: list[list[dict]]) -> list[list[int]]:
    """Token rows: each text as BOS + text + EOS, each drill in the chat template."""
    eos = token_ids(tokenizer).eos
    rows = [tokenizer(text)["input_ids"] + [eos] for text in texts]
    rows += [tokenizer.apply_chat_template(drill, tokenize=True, return_dict=True)["input_ids"] for drill in drills]
    return rows


def pretrain(model, rows: list[list[int]], *, steps: int = PRETRAIN_STEPS, seed: int = 0) -> list[float]:
    """Full-parameter AdamW on random windows of ``rows`` (one CPU thread: the same seed gives the same weights).
    Returns the loss of each step."""
    import torch

    from training.train import torch_threads

    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(rows), generator=generator).tolist()
    stream = torch.tensor([token for index in order for token in rows[index]], dtype=torch.long)
    optimizer = torch.optim.AdamW(model.parameters(), lr=PRETRAIN_LR, weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: min(1.0, (step + 1) / 10))
    losses = []
    model.train()
    with torch_threads(1):
        for _ in range(steps):
            starts = torch.randint(0, len(stream) - PRETRAIN_LENGTH - 1, (PRETRAIN_BATCH,), generator=generator)
            batch = torch.stack([stream[start : start + PRETRAIN_LENGTH] for start in starts.tolist()])
            loss = model(input_ids=batch, labels=batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(loss.item())
    model.eval()
    return losses


def init_tiny(out_dir: Path, *, seed: int = 0, corpus: Path | None = None, pretrain_steps: int = PRETRAIN_STEPS) -> Path:
    """Write the tiny aya-shaped ``CohereForCausalLM`` + tokenizer to ``out_dir``, briefly pretrained on the corpus
    (``pretrain_steps`` steps; 0 keeps the random initialisation); return ``out_dir``.

    The same seed and corpus always give the same files. ``corpus`` defaults to the bundled sample articles.
    """
    import torch
    from transformers import CohereConfig, CohereForCausalLM, GenerationConfig

    out_dir = Path(out_dir)
    texts = read_sample_texts(corpus or SAMPLE_CORPUS)
    general = outside_stage1(corpus or SAMPLE_CORPUS)
    drills = multiple_choice_drills(general, seed=seed)
    tokenizer = train_tokenizer(texts + [turn["content"] for drill in drills for turn in drill])
    ids = token_ids(tokenizer)
    config = CohereConfig(
        vocab_size=len(tokenizer),
        pad_token_id=ids.pad,
        bos_token_id=ids.bos,
        eos_token_id=ids.end_of_turn,
        dtype="float32",
        **TINY_SHAPE,
    )
    torch.manual_seed(seed)
    model = CohereForCausalLM(config)
    model.generation_config = GenerationConfig(
        bos_token_id=ids.bos, eos_token_id=ids.end_of_turn, pad_token_id=ids.pad
    )
    losses = pretrain(model, _pretraining_stream(tokenizer, general, drills), steps=pretrain_steps, seed=seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    logger.info(
        "tiny aya-shaped model (%d parameters, vocab %d) written to %s; pretrained %d steps, loss %s",
        model.num_parameters(),
        len(tokenizer),
        out_dir,
        len(losses),
        f"{losses[0]:.3f} -> {losses[-1]:.3f}" if losses else "n/a",
    )
    return out_dir
