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


logger = logging.getLogger(__name__)

#: The bundled Persian sample articles the tokenizer is trained on (``text`` and ``title`` fields).
SAMPLE_CORPUS = Path(str(resources.files("hub_tools"))) / "data" / "samples" / "corpus" / "articles.jsonl"

#: Modules a LoRA adapter must never touch: aya ties them, and an adapter on one of them cannot merge into both.
TIED_MODULES = ("lm_head", "embed_tokens")

BOS_TOKEN = "<BOS_TOKEN>"
EOS_TOKEN = "<EOS_TOKEN>"
PAD_TOKEN = "<PAD>"
END_OF_TURN_TOKEN = "<|END_OF_TURN_TOKEN|>"

#: Special tokens in aya-expanse's order; the turn tokens sit right after the first eight instead of at 255000+.
SPECIAL_TOKENS = [
    PAD_TOKEN, "<UNK>", "<CLS>", "<SEP>", "<MASK_TOKEN>", BOS_TOKEN, EOS_TOKEN, "<EOP_TOKEN>",
    "<|START_OF_TURN_TOKEN|>", END_OF_TURN_TOKEN, "<|USER_TOKEN|>", "<|CHATBOT_TOKEN|>", "<|SYSTEM_TOKEN|>",
]  # fmt: skip

#: aya-expanse-8b's chat template, verbatim (tokenizer_config.json of CohereForAI/aya-expanse-8b).
AYA_EXPANSE_CHAT_TEMPLATE = (
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
    "{% set system_message = messages[0]['content'] %}{% elif false == true %}{% set loop_messages = messages %}"
    "{% set system_message = 'You are Aya, a brilliant, sophisticated, multilingual AI-assistant trained to assist "
    "human users by providing thorough responses. You are able to interact and respond to questions in 23 languages "
    "and you are powered by a multilingual model built by Cohere For AI.' %}{% else %}"
    "{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% if system_message != false %}"
    "{{ '<|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>' + system_message + '<|END_OF_TURN_TOKEN|>' }}{% endif %}"
    "{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% set content = message['content'] %}{% if message['role'] == 'user' %}"
    "{{ '<|START_OF_TURN_TOKEN|><|USER_TOKEN|>' + content.strip() + '<|END_OF_TURN_TOKEN|>' }}"
    "{% elif message['role'] == 'assistant' %}"
    "{{ '<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>'  + content.strip() + '<|END_OF_TURN_TOKEN|>' }}{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>' }}{% endif %}"
)

#: aya-expanse-8b's shape, for the GPU benchmark (`bench/train_bench.py`) and documentation.
AYA_EXPANSE_8B_SHAPE = dict(
    vocab_size=256000, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
    num_key_value_heads=8, max_position_embeddings=8192, logit_scale=0.125, tie_word_embeddings=True,
    rope_parameters={"rope_type": "default", "rope_theta": 10000.0}, layer_norm_eps=1e-5, use_qk_norm=False,
)  # fmt: skip

#: The tiny shape: same architecture, a few hundred thousand parameters.
TINY_SHAPE = dict(
    hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
    max_position_embeddings=2048, logit_scale=0.125, tie_word_embeddings=True,
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
    tokenizer = CohereTokenizer(
        vocab=vocab, merges=merges, add_bos_token=True, add_eos_token=False, extra_special_tokens=SPECIAL_TOKENS[8:]
    )
    tokenizer.chat_template = AYA_EXPANSE_CHAT_TEMPLATE
    tokenizer.model_max_length = TINY_SHAPE["max_position_embeddings"]
    return tokenizer


def init_tiny(out_dir: Path, *, seed: int = 0, corpus: Path | None = None) -> Path:
    """Write a randomly initialised tiny aya-shaped ``CohereForCausalLM`` + tokenizer to ``out_dir``; return it.

    The same seed and corpus always give the same files. ``corpus`` defaults to the bundled sample articles.
    """
    import torch
    from transformers import CohereConfig, CohereForCausalLM, GenerationConfig

    out_dir = Path(out_dir)
    tokenizer = train_tokenizer(read_sample_texts(corpus or SAMPLE_CORPUS))
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in (PAD_TOKEN, BOS_TOKEN, END_OF_TURN_TOKEN)}
    config = CohereConfig(
        vocab_size=len(tokenizer),
        pad_token_id=ids[PAD_TOKEN],
        bos_token_id=ids[BOS_TOKEN],
        eos_token_id=ids[END_OF_TURN_TOKEN],
        dtype="float32",
        **TINY_SHAPE,
    )
    torch.manual_seed(seed)
    model = CohereForCausalLM(config)
    model.generation_config = GenerationConfig(
        bos_token_id=ids[BOS_TOKEN], eos_token_id=ids[END_OF_TURN_TOKEN], pad_token_id=ids[PAD_TOKEN]
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    logger.info(
        "tiny aya-shaped model (%d parameters, vocab %d) written to %s",
        model.num_parameters(),
        len(tokenizer),
        out_dir,
    )
    return out_dir
