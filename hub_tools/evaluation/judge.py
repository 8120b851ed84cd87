"""LLM judges for K-QA-fa: a local transformers model, or any OpenAI-compatible chat-completions endpoint.

    make_judge("local:PATH_OR_ID")                         # greedy, chat template, a few new tokens
    make_judge("openai:http://host:port/v1", model="gpt-4o-mini", api_key_env="OPENAI_API_KEY")

The API key is read from the named environment variable at request time and only ever placed in the
``Authorization`` header: it is never logged, never put in an error message and never written to a result
(``describe()`` records the variable's *name*).

Verdicts are parsed by ``parse_pairwise`` / ``parse_statement``; anything they cannot read is "unparseable" (it is
counted in the result, never an exception).
"""

from __future__ import annotations

import abc
import json
import logging
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import jinja2


logger = logging.getLogger(__name__)

UNPARSEABLE = "unparseable"


class JudgeError(RuntimeError):
    """The judge could not be reached or answered with an error (after retries)."""


# ------------------------------------------------------------------------------------------------ verdict parsing
_PAIR_LABELED = re.compile(
    r"(?:VERDICT|WINNER|BETTER(?:\s+ANSWER)?|FINAL(?:\s+ANSWER)?|ANSWER)\s*(?:IS)?\s*[:：=\-]?\s*\[*\s*(A|B|TIE)\b"
)
_PAIR_TOKEN = re.compile(r"(?<![A-Z0-9])(A|B|TIE|TIED|EQUAL)(?![A-Z0-9])")
_PAIR_FA = {"مساوی": "tie", "برابر": "tie", "الف": "A", "ب": "B"}


def parse_pairwise(text: object) -> str:
    """A judge's pairwise verdict -> "A" | "B" | "tie" | "unparseable".

    Rule: a labelled verdict ("Verdict: A", "[[B]]" after "winner", "Answer: TIE") wins; otherwise the output must
    name exactly one of A / B / TIE (also "tie"/"equal", Persian مساوی) as a standalone token; else unparseable.
    """
    if not isinstance(text, str) or not text.strip():
        return UNPARSEABLE
    upper = text.upper()
    labelled = _PAIR_LABELED.search(upper)
    if labelled:
        return _norm_pair(labelled.group(1))
    found = {_norm_pair(m.group(1)) for m in _PAIR_TOKEN.finditer(upper)}
    stripped = text.strip().strip(".[]()*:!\"' ")
    if not found and stripped in _PAIR_FA:
        found = {_PAIR_FA[stripped]}
    if not found:
        found = {value for word, value in _PAIR_FA.items() if word in ("مساوی", "برابر") and word in text}
    return found.pop() if len(found) == 1 else UNPARSEABLE


def _norm_pair(token: str) -> str:
    return token if token in ("A", "B") else "tie"


_STATEMENT = re.compile(
    r"(NOT\s+ENTAILED|NOT\s+MENTIONED|ENTAIL\w*|CONTRADICT\w*|NEUTRAL|SUPPORTED|NOT\s+SUPPORTED|REFUTED)"
)
_STATEMENT_MAP = {"ENTAIL": "entailed", "SUPPORTED": "entailed", "CONTRADICT": "contradicted", "REFUTED": "contradicted"}


def parse_statement(text: object) -> str:
    """A judge's statement verdict -> "entailed" | "contradicted" | "neutral" | "unparseable" (first keyword wins)."""
    if not isinstance(text, str) or not text.strip():
        return UNPARSEABLE
    match = _STATEMENT.search(text.upper())
    if not match:
        return UNPARSEABLE
    word = match.group(1)
    if word.startswith("NOT") or word == "NEUTRAL":
        return "neutral"
    for prefix, value in _STATEMENT_MAP.items():
        if word.startswith(prefix):
            return value
    return UNPARSEABLE


# ------------------------------------------------------------------------------------------------ judges
class Judge(abc.ABC):
    """``complete([(system, user), ...]) -> [text, ...]`` in order."""

    @abc.abstractmethod
    def complete(self, prompts: Sequence[tuple[str, str]]) -> list[str]:
        """One completion per (system, user) prompt, in order."""

    @abc.abstractmethod
    def describe(self) -> dict:
        """What judged (for the result's config); never a secret."""


class LocalJudge(Judge):
    """A transformers causal LM as judge: chat template (system + user), greedy, ``max_new_tokens`` tokens."""

    def __init__(self, model: str, *, max_new_tokens: int = 16, batch_size: int = 8, device: str | None = None,
                 loaded=None):  # fmt: skip
        from .runner import load_model

        self.model_name = model
        self.max_new_tokens = max_new_tokens
        self.batch_size = batch_size
        self.lm = loaded or load_model(model, device=device)

    def _chat(self, system: str, user: str) -> str:
        tok = self.lm.tokenizer
        if getattr(tok, "chat_template", None):
            messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
            try:
                return tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
            except jinja2.TemplateError:  # templates that refuse a system role: fold it into the user turn
                messages = [{"role": "user", "content": f"{system}\n\n{user}"}]
                return tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return f"{system}\n\n{user}"

    def complete(self, prompts: Sequence[tuple[str, str]]) -> list[str]:
        from .runner import generate

        texts = [self._chat(system, user) for system, user in prompts]
        return generate(self.lm, texts, max_new_tokens=self.max_new_tokens, batch_size=self.batch_size)

    def describe(self) -> dict:
        return {"kind": "local", "model": self.model_name, "max_new_tokens": self.max_new_tokens}


class OpenAIJudge(Judge):
    """Any OpenAI-compatible ``/v1/chat/completions`` endpoint (temperature 0)."""

    def __init__(
        self,
        url: str,
        *,
        model: str = "gpt-4o-mini",
        api_key_env: str = "OPENAI_API_KEY",
        max_tokens: int = 16,
        timeout: float = 60.0,
        retries: int = 3,
        concurrency: int = 4,
    ):
        self.url = self.endpoint_url(url)
        self.model = model
        self.api_key_env = api_key_env
        self.max_tokens = max_tokens
        self.timeout = timeout
        self.retries = retries
        self.concurrency = max(1, concurrency)

    @staticmethod
    def endpoint_url(url: str) -> str:
        """``http://h/v1`` or ``http://h`` or ``http://h/v1/chat/completions`` -> the chat-completions URL."""
        url = url.rstrip("/")
        if url.endswith("/chat/completions"):
            return url
        if not re.search(r"/v\d+$", url):
            url += "/v1"
        return url + "/chat/completions"

    def _one(self, prompt: tuple[str, str]) -> str:
        system, user = prompt
        body = json.dumps(
            {
                "model": self.model,
                "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
                "temperature": 0,
                "max_tokens": self.max_tokens,
            }
        ).encode()
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        last = ""
        for attempt in range(self.retries + 1):
            request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    payload = json.loads(response.read().decode("utf-8"))
                return _content(payload)
            except urllib.error.HTTPError as err:
                detail = err.read()[:300].decode("utf-8", "replace")
                last = f"HTTP {err.code} from {self.url}: {detail}"
                if err.code not in (408, 409, 429) and err.code < 500:
                    break
            except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
                last = f"cannot reach {self.url}: {getattr(err, 'reason', err)}"
            except (ValueError, KeyError, IndexError, TypeError) as err:
                last = f"unexpected response from {self.url}: {err}"
                break
            if attempt < self.retries:
                time.sleep(min(8.0, 0.5 * 2**attempt))
        if key:
            last = last.replace(key, "***")
        raise JudgeError(last)

    def complete(self, prompts: Sequence[tuple[str, str]]) -> list[str]:
        if self.concurrency == 1 or len(prompts) < 2:
            return [self._one(p) for p in prompts]
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(self._one, prompts))

    def describe(self) -> dict:
        return {"kind": "openai", "url": self.url, "model": self.model, "api_key_env": self.api_key_env}


def _content(payload: dict) -> str:
    message = payload["choices"][0]["message"]
    content = message.get("content")
    if isinstance(content, list):  # content parts
        content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content or ""


def make_judge(
    spec: str, *, judge_model: str | None = None, api_key_env: str = "OPENAI_API_KEY", concurrency: int = 4,
    batch_size: int = 8,
) -> Judge:  # fmt: skip
    """``local:PATH_OR_ID`` or ``openai:URL`` -> a judge."""
    kind, _, target = spec.partition(":")
    if kind == "local" and target:
        return LocalJudge(target, batch_size=batch_size)
    if kind == "openai" and target:
        return OpenAIJudge(target, model=judge_model or "gpt-4o-mini", api_key_env=api_key_env,
                           concurrency=concurrency)  # fmt: skip
    raise ValueError(f"--judge must be local:PATH_OR_ID or openai:URL, got {spec!r}")
