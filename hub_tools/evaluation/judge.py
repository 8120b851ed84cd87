"""LLM judges for K-QA-fa: a local transformers model, or any OpenAI-compatible chat-completions endpoint.

    make_judge("local:PATH_OR_ID")                         # greedy, chat template, a few new tokens
    make_judge("openai:http://host:port/v1", model="gpt-4o-mini", api_key_env="OPENAI_API_KEY")

The API key is read from the named environment variable at request time and only ever placed in the
``Authorization`` header: it is never logged, never put in an error message and never written to a result
(``describe()`` records the variable's *name*).

Verdicts are parsed by ``parse_pairwise``, ``parse_statement`` (three-way) and ``parse_yes_no`` (K-QA's two
questions); the judge is asked for JSON, and when a reply holds none its words are read with their negations.
Anything they cannot read is "unparseable" (it is counted in the result, never an exception).
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


# Statement verdicts. The judge is asked for JSON ({"verdict": "entailed" | "contradicted" | "neutral"} in the
# three-way mode, {"answer": true | false} for K-QA's two yes/no questions); when the reply holds no such JSON, the
# words are read with their negations ("NOT CONTRADICTED", "does not entail", "neither entailed nor contradicted").
STATEMENT_LABELS = ("entailed", "contradicted", "neutral")
_LABEL_WORDS = {
    "entailed": r"entail(?:ed|s|ment)?|support(?:ed|s)?|implie[sd]|confirm(?:ed|s)?|consistent",
    "contradicted": r"contradict(?:ed|s|ion|ory)?|refut(?:ed|es)|conflict(?:s|ing)?|inconsistent",
    "neutral": r"neutral|unrelated|irrelevant|(?:not|isn't|is\s+not)\s+(?:mentioned|addressed|discussed|covered)",
}
_LABEL_RE = re.compile(
    "|".join(rf"(?P<{label}>\b(?:{words})\b)" for label, words in _LABEL_WORDS.items()), re.IGNORECASE
)
# a negation right before a label word: not, no, never, neither, nor, does not, doesn't, isn't, without, nothing
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:not|no|never|neither|nor|without|nothing|cannot)\b|n't|n’t)"
    r"(?:\s+(?:does|do|did|is)\s+(?:it|they|the\s+answer))?"
    r"(?:\s+(?:be|been|being|a|an|the|any|directly|"
    r"clearly|explicitly|actually|really|strictly|so|fully|at\s+all))*\s*$",
    re.IGNORECASE,
)
_LABELLED_VERDICT = re.compile(
    r"(?:verdict|label|answer|judg(?:e)?ment|classification)\s*(?:is)?\s*[:：=\-]?\s*\**\s*$", re.IGNORECASE
)
_TRUE_FALSE = re.compile(r"\b(?:answer|verdict)\s*(?:is)?\s*[:：=\-]?\s*\**\s*(true|false|yes|no)\b", re.IGNORECASE)
_LONE_BOOL = re.compile(r"^\W*(true|false|yes|no)\W*$", re.IGNORECASE)
_JSON_OBJECT = re.compile(r"\{[^{}]*\}")
_BOOL_WORDS = {"true": True, "yes": True, "false": False, "no": False}


def _json_object(text: str) -> dict | None:
    for match in _JSON_OBJECT.finditer(text):
        try:
            value = json.loads(match.group())
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return {str(k).lower(): v for k, v in value.items()}
    return None


def _word_claims(text: str) -> list[tuple[str, bool, bool]]:
    """(label, asserted, labelled) for each label word: asserted unless a negation comes right before it; labelled
    when it follows "verdict:"/"answer:"."""
    claims = []
    for match in _LABEL_RE.finditer(text):
        label = match.lastgroup
        before = text[max(0, match.start() - 40) : match.start()]
        negated = bool(_NEGATION_BEFORE.search(before))
        claims.append((label, not negated, bool(_LABELLED_VERDICT.search(before))))
    return claims


def _three_way_from_words(text: str) -> str:
    claims = _word_claims(text)
    labelled = {label for label, asserted, is_labelled in claims if asserted and is_labelled}
    if len(labelled) == 1:
        return labelled.pop()
    asserted = {label for label, ok, _ in claims if ok}
    if len(asserted) == 1:
        return asserted.pop()
    if not asserted and claims:  # only negations: "NOT CONTRADICTED", "neither entailed nor contradicted"
        return "neutral"
    return UNPARSEABLE


def parse_statement(text: object) -> str:
    """A judge's three-way statement verdict -> "entailed" | "contradicted" | "neutral" | "unparseable".

    JSON first (``{"verdict": "contradicted"}``, or ``{"entailed": true, "contradicted": false}``); otherwise the
    label words, each read with the negation before it: a labelled verdict ("Verdict: X") wins, else the one label
    asserted; only negated labels ("NOT CONTRADICTED", "neither entailed nor contradicted") -> "neutral"; two
    different labels asserted, or none named -> "unparseable".
    """
    if not isinstance(text, str) or not text.strip():
        return UNPARSEABLE
    data = _json_object(text)
    if data is not None:
        for key in ("verdict", "label", "answer", "relation"):
            if isinstance(data.get(key), str):
                return _three_way_from_words(data[key])
        flags = {k: data.get(k) for k in ("entailed", "contradicted") if isinstance(data.get(k), bool)}
        if flags:
            if flags.get("entailed") and flags.get("contradicted"):
                return UNPARSEABLE
            return "entailed" if flags.get("entailed") else "contradicted" if flags.get("contradicted") else "neutral"
    return _three_way_from_words(text)


def parse_yes_no(text: object, relation: str) -> str:
    """K-QA's yes/no question "does the answer {relation} the statement?" -> "yes" | "no" | "unparseable".

    ``relation`` is "entailed" or "contradicted". JSON first (``{"answer": true}``, ``{"contradicted": false}``);
    then K-QA's own closing "The answer is True/False" (the last one), a lone yes/no/true/false; then the label words
    with their negations (asked "contradicted?", "NOT CONTRADICTED" and "ENTAILED" are both "no").
    """
    if relation not in ("entailed", "contradicted"):
        raise ValueError(f"relation must be 'entailed' or 'contradicted', got {relation!r}")
    if not isinstance(text, str) or not text.strip():
        return UNPARSEABLE
    data = _json_object(text)
    if data is not None:
        for key in (relation, "answer", "verdict", "label", relation[:-1] + "s"):
            value = data.get(key)
            if isinstance(value, bool):
                return "yes" if value else "no"
            if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
                return "yes" if _BOOL_WORDS[value.strip().lower()] else "no"
            if isinstance(value, str):
                verdict = _three_way_from_words(value)
                if verdict != UNPARSEABLE:
                    return "yes" if verdict == relation else "no"
    closing = _TRUE_FALSE.findall(text)
    if closing:
        return "yes" if _BOOL_WORDS[closing[-1].lower()] else "no"
    lone = _LONE_BOOL.match(text)
    if lone:
        return "yes" if _BOOL_WORDS[lone.group(1).lower()] else "no"
    verdict = _three_way_from_words(text)
    if verdict == UNPARSEABLE:
        return UNPARSEABLE
    return "yes" if verdict == relation else "no"


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

    def __init__(self, model: str, *, max_new_tokens: int = 32, batch_size: int = 8, device: str | None = None,
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
        max_tokens: int = 32,
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
