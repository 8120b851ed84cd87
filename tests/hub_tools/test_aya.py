"""hub_tools.aya: aya's tokens and their ids in a real tokenizer; a tokenizer that is not aya's is named as such."""

from __future__ import annotations

import pytest

from hub_tools.aya import (
    AYA_EXPANSE_CHAT_TEMPLATE, CHATBOT_TOKEN, END_OF_TURN_TOKEN, ROLE_TOKENS, SPECIAL_TOKENS, START_OF_TURN_TOKEN,
    AyaTokenError, end_of_turn_id, token_id, token_ids,
)  # fmt: skip


@pytest.fixture(scope="module")
def aya_tokenizer(tiny_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


@pytest.fixture(scope="module")
def plain_tokenizer():
    """A byte-level BPE tokenizer with none of aya's special tokens (a baseline model's)."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.BPE(unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.train_from_iterator(["سلام دنیا", "hello world"], trainers.BpeTrainer(special_tokens=["[UNK]"]))
    return PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]")


def test_the_ids_are_the_tokenizers_and_distinct(aya_tokenizer):
    ids = token_ids(aya_tokenizer)
    assert ids.end_of_turn == aya_tokenizer.convert_tokens_to_ids(END_OF_TURN_TOKEN)
    assert ids.bos == aya_tokenizer.bos_token_id and ids.pad == aya_tokenizer.pad_token_id
    assert len({ids.pad, ids.bos, ids.eos, ids.end_of_turn, ids.chatbot}) == 5
    assert token_id(aya_tokenizer, CHATBOT_TOKEN) == ids.chatbot and end_of_turn_id(aya_tokenizer) == ids.end_of_turn


def test_a_tokenizer_without_aya_tokens_is_named(plain_tokenizer):
    with pytest.raises(AyaTokenError, match=r"the tokenizer has no <\|END_OF_TURN_TOKEN\|>: is it an aya"):
        token_id(plain_tokenizer, END_OF_TURN_TOKEN)
    with pytest.raises(ValueError, match="<PAD>"):  # an AyaTokenError is a ValueError, naming the first missing
        token_ids(plain_tokenizer)
    assert end_of_turn_id(plain_tokenizer) is None  # a baseline stops on its own EOS


def test_the_template_uses_the_turn_and_role_tokens():
    for token in (START_OF_TURN_TOKEN, END_OF_TURN_TOKEN, *ROLE_TOKENS.values()):
        assert token in AYA_EXPANSE_CHAT_TEMPLATE and token in SPECIAL_TOKENS
