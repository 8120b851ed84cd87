"""aya-expanse's tokens, chat template and token ids: the one module that knows them (standard library only).

Training (the tiny model, the 8B recipes, the loss-mask check, the merge), the GGUF and Ollama export, evaluation
and the Space take aya's special tokens from here, so a changed token is changed once:

    from hub_tools.aya import END_OF_TURN_TOKEN, token_ids
    ids = token_ids(tokenizer)            # AyaTokenIds(pad=..., bos=..., end_of_turn=..., chatbot=...)
    model.generation_config.eos_token_id = ids.end_of_turn

Nothing heavy is imported: ``tokenizer`` arguments are duck-typed (``convert_tokens_to_ids``, ``unk_token_id``).
"""

from __future__ import annotations

from dataclasses import dataclass


BOS_TOKEN = "<BOS_TOKEN>"
EOS_TOKEN = "<EOS_TOKEN>"
PAD_TOKEN = "<PAD>"
START_OF_TURN_TOKEN = "<|START_OF_TURN_TOKEN|>"
END_OF_TURN_TOKEN = "<|END_OF_TURN_TOKEN|>"
USER_TOKEN = "<|USER_TOKEN|>"
CHATBOT_TOKEN = "<|CHATBOT_TOKEN|>"
SYSTEM_TOKEN = "<|SYSTEM_TOKEN|>"

#: The role tokens a turn starts with (after ``START_OF_TURN_TOKEN``), by chat role.
ROLE_TOKENS = {"system": SYSTEM_TOKEN, "user": USER_TOKEN, "assistant": CHATBOT_TOKEN}

#: aya-expanse's special tokens in its order; the tiny model puts the turn tokens right after the first eight,
#: aya-expanse-8b at 255000+.
SPECIAL_TOKENS = [
    PAD_TOKEN, "<UNK>", "<CLS>", "<SEP>", "<MASK_TOKEN>", BOS_TOKEN, EOS_TOKEN, "<EOP_TOKEN>",
    START_OF_TURN_TOKEN, END_OF_TURN_TOKEN, USER_TOKEN, CHATBOT_TOKEN, SYSTEM_TOKEN,
]  # fmt: skip

#: Modules a LoRA adapter must never touch: aya ties them, and an adapter on one of them cannot merge into both.
TIED_MODULES = ("lm_head", "embed_tokens")

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

#: aya-expanse-8b's shape, for the GPU benchmarks (`bench/train_bench.py`, `bench/gguf_bench.py`) and documentation.
AYA_EXPANSE_8B_SHAPE = dict(
    vocab_size=256000, hidden_size=4096, intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32,
    num_key_value_heads=8, max_position_embeddings=8192, logit_scale=0.125, tie_word_embeddings=True,
    rope_parameters={"rope_type": "default", "rope_theta": 10000.0}, layer_norm_eps=1e-5, use_qk_norm=False,
)  # fmt: skip


class AyaTokenError(ValueError):
    """A tokenizer lacks one of aya's special tokens (it is not an aya / Cohere tokenizer)."""


@dataclass(frozen=True)
class AyaTokenIds:
    """The ids of the special tokens the toolkit uses, in one tokenizer's vocabulary."""

    pad: int
    bos: int
    eos: int
    end_of_turn: int
    chatbot: int


def token_id(tokenizer, token: str) -> int:
    """``token``'s id in ``tokenizer``; an :class:`AyaTokenError` naming it when the vocabulary lacks it."""
    value = tokenizer.convert_tokens_to_ids(token)
    if not isinstance(value, int) or value == getattr(tokenizer, "unk_token_id", None):
        raise AyaTokenError(f"the tokenizer has no {token}: is it an aya / Cohere tokenizer?")
    return value


def token_ids(tokenizer) -> AyaTokenIds:
    """All of :class:`AyaTokenIds` for ``tokenizer`` (an ``AyaTokenError`` names the first missing token)."""
    return AyaTokenIds(
        pad=token_id(tokenizer, PAD_TOKEN), bos=token_id(tokenizer, BOS_TOKEN), eos=token_id(tokenizer, EOS_TOKEN),
        end_of_turn=token_id(tokenizer, END_OF_TURN_TOKEN), chatbot=token_id(tokenizer, CHATBOT_TOKEN),
    )  # fmt: skip


def end_of_turn_id(tokenizer) -> int | None:
    """The id of ``END_OF_TURN_TOKEN`` in ``tokenizer``, or ``None`` for a tokenizer that is not aya's (a plain
    causal LM evaluated as a baseline stops on its own EOS)."""
    try:
        return token_id(tokenizer, END_OF_TURN_TOKEN)
    except AyaTokenError:
        return None
