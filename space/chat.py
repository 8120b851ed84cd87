"""Pure chat helpers: the conversation sent to the model and the token-budget trimming (no torch, no gradio).

    messages = build_conversation("سلام", history, DEFAULT_SYSTEM_PROMPT)
    messages, report = trim_to_budget(messages, count_tokens, limit=4096, shorten=keep_last_tokens)

``count_tokens(messages) -> int`` is the length of the prompt the chat template produces for ``messages``
(``space.inference`` supplies it from the tokenizer); the functions here only decide what to keep.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hub_tools.space_text import DEFAULT_SYSTEM_PROMPT  # noqa: F401 (the chat tab's default, re-exported)


Message = dict[str, str]


EXAMPLES = [
    "علائم کم‌خونی فقر آهن چیست و چه آزمایش‌هایی برای تشخیص آن لازم است؟",
    "برای سرماخوردگی ساده در بزرگسالان چه اقداماتی در خانه مفید است؟",
    "تفاوت دیابت نوع ۱ و نوع ۲ را توضیح بده.",
    "What is the first-line treatment for uncomplicated hypertension? پاسخ را به فارسی بده.",
]


def content_text(content: object) -> str:
    """Plain text of a Gradio message ``content``: a string, a list of ``{"type": "text", "text": ...}`` parts,
    or one such dict. Files and components contribute nothing (the chat is text only)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return str(content.get("text", "")) if content.get("type", "text") == "text" else ""
    if isinstance(content, (list, tuple)):
        return "".join(content_text(part) for part in content)
    return ""


def build_conversation(message: str, history: Sequence[dict], system_prompt: str | None) -> list[Message]:
    """``[system?, *history, user]`` as plain ``{"role", "content"}`` dicts ready for a chat template.

    ``history`` is Gradio's messages format; ``metadata``/``options`` keys and empty messages are dropped, and
    the result alternates user/assistant as chat templates require: consecutive messages of one role (after an
    empty or failed reply) are joined, a leading assistant message is dropped. A blank ``system_prompt`` means
    no system message.
    """
    turns: list[Message] = []
    for item in [*history, {"role": "user", "content": message}]:
        role = item.get("role")
        text = content_text(item.get("content"))
        if role not in {"user", "assistant"} or not text.strip():
            continue
        if turns and turns[-1]["role"] == role:  # e.g. a reply that failed or came out empty
            turns[-1] = {"role": role, "content": turns[-1]["content"] + "\n\n" + text}
        elif turns or role == "user":
            turns.append({"role": role, "content": text})
    if not turns or turns[-1]["role"] != "user":  # a blank latest message still gets its own turn
        turns.append({"role": "user", "content": message})
    system = [{"role": "system", "content": system_prompt.strip()}] if system_prompt and system_prompt.strip() else []
    return system + turns


@dataclass(frozen=True)
class TrimReport:
    """What :func:`trim_to_budget` did: turns dropped, whether the last message was shortened, final length."""

    dropped_messages: int
    shortened_last: bool
    tokens: int

    @property
    def trimmed(self) -> bool:
        return self.dropped_messages > 0 or self.shortened_last


def trim_to_budget(
    messages: list[Message],
    count_tokens: Callable[[list[Message]], int],
    limit: int,
    shorten: Callable[[str, int], str] | None = None,
) -> tuple[list[Message], TrimReport]:
    """Drop the oldest turns until the prompt fits ``limit`` tokens; the system prompt and the last message stay.

    Messages are dropped from the oldest non-system one, and an assistant message left at the front of the
    history is dropped with its user turn, so the history still alternates user/assistant. If the system
    prompt plus the latest message alone are too long, ``shorten(text, n_tokens)`` shortens the latest
    message by ``n_tokens``; without ``shorten`` a ``ValueError`` says what does not fit.
    """
    if not messages:
        raise ValueError("trim_to_budget needs at least the latest user message")
    head = [messages[0]] if messages[0]["role"] == "system" else []
    body = list(messages[len(head) : -1])
    last = dict(messages[-1])
    dropped = 0
    tokens = count_tokens(head + body + [last])
    while tokens > limit and body:
        body.pop(0)
        dropped += 1
        while body and body[0]["role"] != "user":
            body.pop(0)
            dropped += 1
        tokens = count_tokens(head + body + [last])
    shortened = False
    for _ in range(5):  # token counts of a text and of its templated form are not exactly additive
        if tokens <= limit:
            break
        if shorten is None:
            raise ValueError(f"the system prompt and the latest message need {tokens} tokens; the limit is {limit}")
        last["content"] = shorten(last["content"], tokens - limit)
        shortened = True
        tokens = count_tokens(head + [last])
    if tokens > limit:
        raise ValueError(f"the system prompt alone needs about {tokens} tokens; the limit is {limit}")
    return head + body + [last], TrimReport(dropped, shortened, tokens)
