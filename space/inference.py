"""The model side of the chat: loading, prompt tokens, and the streaming generator ZeroGPU runs on a GPU.

    from space import inference
    ids = inference.prompt_ids([{"role": "user", "content": "سلام"}])
    for piece in inference.stream_reply(ids, max_new_tokens=64, temperature=0.7, top_p=0.9, repetition_penalty=1.1):
        print(piece, end="")

The only module of the Space that imports torch, transformers and ``spaces``. ``spaces`` is imported first, as
ZeroGPU requires. On ZeroGPU (``SPACES_ZERO_GPU=true``) the model is loaded at import onto "cuda" (``spaces``
patches CUDA so this works before a GPU is attached); anywhere else it is loaded on first use, so importing the
app needs neither a GPU nor the weights. ``@spaces.GPU`` decorates ``stream_reply`` only, and is a no-op off
ZeroGPU. Without the ``spaces`` package the chat still answers: ``stream_reply`` is left undecorated and a warning
says the model runs on this machine (on the CPU unless a GPU is visible).

Generation runs ``model.generate`` in a thread feeding a :class:`TokenStream` (token ids only; the text is
decoded in the consuming generator, incrementally, over all the ids that arrived since its last piece). A
``StoppingCriteria`` watches a ``threading.Event`` that the generator's ``finally`` sets, so closing the
generator (the Stop button, a closed tab; on ZeroGPU the worker closes it too) ends ``generate`` at the next
token. An exception in the thread is re-raised in the generator as ``gr.Error``, which ZeroGPU forwards to the
browser unchanged.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gradio as gr


try:
    import spaces  # before torch, as ZeroGPU requires
except ImportError:  # not on ZeroGPU and not installed: the model runs on this machine (see spaces_missing_warning)
    spaces = None

import torch  # noqa: E402 (after spaces, as ZeroGPU requires)
from transformers import AutoModelForCausalLM, AutoTokenizer, StoppingCriteria, StoppingCriteriaList
from transformers.generation.streamers import BaseStreamer

from space import decode
from space.settings import Settings, get_settings


logger = logging.getLogger(__name__)

GENERATION_THREAD_NAME = "gaokerena-generate"
_POLL_S = 0.1  # how often the generator checks that the generation thread is still alive
_JOIN_S = 30.0  # longest wait for the thread to finish its current step after a Stop


@dataclass(frozen=True)
class _LoadKey:
    model_id: str
    revision: str | None
    adapter_id: str | None
    device: str
    dtype: str


_LOCK = threading.Lock()
_TOKENIZERS: dict[tuple[str, str | None], Any] = {}
_MODEL: tuple[_LoadKey, Any] | None = None


SPACES_MISSING = (
    "the `spaces` package is not installed, so there is no ZeroGPU: the model runs on this machine's "
    "{device}. Install `spaces` (pip install spaces) on ZeroGPU hardware."
)


def resolve_device(settings: Settings) -> str:
    """"cuda" on ZeroGPU (with ``spaces`` installed) or when a GPU is visible (unless ``DEVICE`` says otherwise),
    else "cpu"."""
    if settings.device != "auto":
        return settings.device
    return "cuda" if (settings.zero_gpu and spaces is not None) or torch.cuda.is_available() else "cpu"


def gpu_decorator(settings: Settings) -> Callable[[Callable], Callable]:
    """``@spaces.GPU`` with the reply's duration and ``GPU_SIZE`` (a no-op off ZeroGPU); without the ``spaces``
    package, the function unchanged and a warning that the model runs here, on the CPU unless a GPU is visible."""
    if spaces is None:
        logger.warning(SPACES_MISSING.format(device=resolve_device(settings)))
        return lambda fn: fn
    return spaces.GPU(duration=_gpu_duration, size=settings.gpu_size)


def resolve_dtype(settings: Settings, device: str) -> torch.dtype:
    """bfloat16 on a GPU, float32 on a CPU, unless ``DTYPE`` says otherwise."""
    if settings.dtype != "auto":
        return getattr(torch, settings.dtype)
    return torch.bfloat16 if device == "cuda" else torch.float32


def get_tokenizer(settings: Settings | None = None):
    """The model's tokenizer (with its chat template), loaded once per model id and revision."""
    settings = settings or get_settings()
    key = (settings.model_id, settings.revision)
    with _LOCK:
        if key not in _TOKENIZERS:
            _TOKENIZERS[key] = AutoTokenizer.from_pretrained(
                settings.model_id, revision=settings.revision, token=settings.hf_token
            )
        return _TOKENIZERS[key]


def get_model(settings: Settings | None = None):
    """The causal LM in eval mode on its device; loaded on first call and again only if the settings change."""
    global _MODEL
    settings = settings or get_settings()
    device = resolve_device(settings)
    key = _LoadKey(settings.model_id, settings.revision, settings.adapter_id, device, settings.dtype)
    with _LOCK:
        if _MODEL is None or _MODEL[0] != key:
            _MODEL = None  # free the old weights before loading new ones
            logger.info("loading %s@%s on %s", settings.model_id, settings.revision or "main", device)
            model = AutoModelForCausalLM.from_pretrained(
                settings.model_id,
                revision=settings.revision,
                token=settings.hf_token,
                dtype=resolve_dtype(settings, device),
            )
            if settings.adapter_id:
                from peft import PeftModel

                model = PeftModel.from_pretrained(model, settings.adapter_id, token=settings.hf_token)
                model = model.merge_and_unload()
            _MODEL = (key, model.to(device).eval())
        return _MODEL[1]


_CONTEXTS: dict[tuple[str, str | None], int | None] = {}
_MIN_PROMPT_TOKENS = 64  # what a reply always leaves for the prompt, however many new tokens are asked for


def context_length(settings: Settings | None = None) -> int | None:
    """The model's context window (``max_position_embeddings`` of its config), or None when the config has none."""
    from transformers import AutoConfig

    settings = settings or get_settings()
    key = (settings.model_id, settings.revision)
    with _LOCK:
        if key not in _CONTEXTS:
            config = AutoConfig.from_pretrained(settings.model_id, revision=settings.revision, token=settings.hf_token)
            value = getattr(config, "max_position_embeddings", None)
            _CONTEXTS[key] = int(value) if isinstance(value, int) and value > 0 else None
        return _CONTEXTS[key]


def new_token_cap(settings: Settings, requested: int) -> int:
    """``requested`` new tokens, at most the model's context minus a minimal prompt."""
    context = context_length(settings)
    return max(1, min(requested, context - _MIN_PROMPT_TOKENS)) if context else max(1, requested)


def input_budget(settings: Settings, max_new_tokens: int) -> int:
    """Prompt tokens allowed: min(``MAX_INPUT_TOKEN_LENGTH``, model context − the reply's new tokens)."""
    context = context_length(settings)
    if context is None:
        return settings.max_input_tokens
    return max(1, min(settings.max_input_tokens, context - new_token_cap(settings, max_new_tokens)))


def model_loaded() -> bool:
    """Whether the weights are in memory (False after importing the app off ZeroGPU)."""
    return _MODEL is not None


def prompt_ids(messages: list[dict[str, str]], settings: Settings | None = None) -> list[int]:
    """Token ids of ``messages`` through the model's chat template, ending with the assistant prompt."""
    tokenizer = get_tokenizer(settings)
    ids = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True, return_dict=False)
    return list(ids)


def count_tokens(messages: list[dict[str, str]], settings: Settings | None = None) -> int:
    """Length of the prompt ``messages`` make; the ``count_tokens`` that ``chat.trim_to_budget`` expects."""
    return len(prompt_ids(messages, settings))


def keep_last_tokens(text: str, n_drop: int, settings: Settings | None = None) -> str:
    """``text`` without its first ``n_drop`` tokens (the end of a long message usually holds the question)."""
    tokenizer = get_tokenizer(settings)
    ids = tokenizer(text, add_special_tokens=False)["input_ids"]
    return tokenizer.decode(ids[max(n_drop, 0) :], skip_special_tokens=True)


class TokenStream(BaseStreamer):
    """What ``generate`` streams to: new token ids, handed to a consumer that decodes them incrementally.

    transformers' ``TextIteratorStreamer`` decodes in ``put()``, i.e. in the generation thread, once per token,
    and re-decodes every token since the last newline each time: quadratic in a reply without newlines, and all
    of it holding the GIL that ``generate``'s own Python loop needs (on the tiny model it cost ~35% of the
    decode speed). Here ``put()`` only appends ids; :meth:`pieces` wakes when ids arrive (or, with
    ``min_interval_s``, once per interval, without a wake-up per token), takes all of them and decodes a short
    window (the ids since the last emitted piece, plus the previous piece's ids for context, as
    text-generation-inference does), so each token is decoded about twice whatever the reply's length. A piece
    ending in U+FFFD (a character whose bytes are split over tokens, common in Persian) waits for the next id.
    For byte-level BPE tokenizers such as aya's the pieces join to ``tokenizer.decode(ids,
    skip_special_tokens=True)`` (tests/space/test_space_inference.py checks it on Persian text).
    """

    def __init__(self, tokenizer, skip_prompt: bool = True):
        self.tokenizer = tokenizer
        self._skip_prompt = skip_prompt
        self._ids: list[int] = []
        self._done = False
        self._waiting = True  # whether the consumer wants a wake-up for every new id
        self._ready = threading.Condition()

    def put(self, value) -> None:
        if value.dim() > 1:
            if value.shape[0] > 1:
                raise ValueError("TokenStream supports batch size 1 only")
            value = value[0]
        if self._skip_prompt:  # the first put() is the prompt
            self._skip_prompt = False
            return
        ids = value.tolist()
        with self._ready:
            self._ids.extend(ids)
            if self._waiting:
                self._ready.notify()

    def end(self) -> None:
        with self._ready:
            self._done = True
            self._ready.notify()

    def _decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True)

    def _take(self, seen: int, due: float, alive: Callable[[], bool], poll_s: float) -> tuple[int, bool]:
        """Wait until ids beyond ``seen`` have arrived and ``due`` (a monotonic time) has passed, or the end;
        returns (number of ids now available, whether generation has ended)."""
        with self._ready:
            while not self._done:
                now = time.monotonic()
                if now < due:  # too early for another piece: sleep without a wake-up per id
                    self._waiting = False
                    self._ready.wait(min(due - now, poll_s))
                elif len(self._ids) > seen:
                    break
                else:
                    self._waiting = True
                    if not self._ready.wait(poll_s) and not alive():
                        break
                if not alive() and not self._done:
                    break
            self._waiting = True
            return len(self._ids), self._done or not alive()

    def pieces(
        self, alive: Callable[[], bool], min_interval_s: float = 0.0, poll_s: float = _POLL_S
    ) -> Iterator[str]:
        """New text as it becomes decodable, the first piece at once and the next ones at most once per
        ``min_interval_s`` (each holding all the text decoded meanwhile); ends after ``end()``, or when
        ``alive()`` turns false."""
        prefix, read, seen = 0, 0, 0  # ids[prefix:read] produced the last piece; ids[:seen] have been taken
        due = 0.0
        while True:
            seen, done = self._take(seen, due, alive, poll_s)
            ids = self._ids  # only ever extended, so slices up to ``seen`` are stable
            if seen > read:
                known = self._decode(ids[prefix:read])
                text = self._decode(ids[prefix:seen])
                if len(text) > len(known) and (done or not text.endswith("\ufffd")):
                    yield text[len(known) :]
                    prefix, read = read, seen
                    due = time.monotonic() + min_interval_s
            if done:
                return


class _EventStop(StoppingCriteria):
    """Stops every sequence of the batch once ``event`` is set."""

    def __init__(self, event: threading.Event):
        self.event = event

    def __call__(self, input_ids: torch.LongTensor, scores: torch.FloatTensor, **kwargs) -> torch.BoolTensor:
        return torch.full((input_ids.shape[0],), self.event.is_set(), dtype=torch.bool, device=input_ids.device)


def gpu_seconds(settings: Settings, max_new_tokens: int) -> int:
    """Seconds to ask of ZeroGPU for a reply of up to ``max_new_tokens``: ``GPU_BASE_S`` (model on the GPU, prefill)
    plus ``GPU_S_PER_TOKEN`` per new token, rounded up and capped at ``GPU_DURATION``. ZeroGPU counts the requested
    duration against the visitor's daily quota and queues long requests behind short ones, so a short reply
    asks for little."""
    wanted = settings.gpu_base_s + settings.gpu_s_per_token * max(int(max_new_tokens), 1)
    return max(1, min(settings.gpu_duration, math.ceil(wanted)))


def _gpu_duration(input_ids, max_new_tokens, temperature, top_p, repetition_penalty, min_interval_s=0.0) -> int:
    """The ``duration`` callable of ``@spaces.GPU``: called with ``stream_reply``'s arguments for each reply."""
    return gpu_seconds(get_settings(), max_new_tokens)


@gpu_decorator(get_settings())
def stream_reply(
    input_ids: list[int],
    max_new_tokens: int,
    temperature: float,
    top_p: float,
    repetition_penalty: float,
    min_interval_s: float = 0.0,
) -> Iterator[str]:
    """Yield the reply to the prompt ``input_ids`` piece by piece (new text only, not the running total).

    The first piece comes as soon as it is decodable, the next ones at most once per ``min_interval_s`` (0: as
    soon as tokens arrive), so a fast model is not slowed by waking the consumer for every token.

    ``temperature`` 0 means greedy decoding. Raises ``gr.Error`` if generation fails; closing the generator
    stops generation at the next token and waits for the thread to finish.
    """
    try:
        model = get_model()
        tokenizer = get_tokenizer()
    except OSError as exc:  # weights missing, the Hub unreachable, a revision that does not exist
        logger.error("could not load %s: %s", get_settings().model_id, exc)
        raise gr.Error("مدل بارگذاری نشد؛ لطفاً کمی بعد دوباره تلاش کنید. · The model could not be loaded; "
                       "please try again later.") from exc
    mode = decode.decode_mode()  # CHAT_DECODE: dynamic (default) or static (space/decode.py)
    stop = threading.Event()
    streamer = TokenStream(tokenizer)
    sampling: dict[str, Any] = {"do_sample": False}
    if temperature > 0:
        sampling = {"do_sample": True, "temperature": float(temperature), "top_p": float(top_p)}
    kwargs = dict(
        input_ids=torch.tensor([input_ids], dtype=torch.long, device=model.device),
        attention_mask=torch.ones((1, len(input_ids)), dtype=torch.long, device=model.device),
        streamer=streamer,
        max_new_tokens=int(max_new_tokens),
        repetition_penalty=float(repetition_penalty),
        stopping_criteria=StoppingCriteriaList([_EventStop(stop)]),
        pad_token_id=tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id,
        **sampling,
        **decode.generate_kwargs(mode),
    )
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with torch.inference_mode():
                model.generate(**kwargs)
        except BaseException as exc:  # noqa: BLE001 (handed to the generator below, which raises it as gr.Error)
            failure.append(exc)
            streamer.end()

    thread = threading.Thread(target=run, name=GENERATION_THREAD_NAME, daemon=True)
    thread.start()
    try:
        yield from streamer.pieces(thread.is_alive, min_interval_s)
        if failure:
            exc = failure[0]
            logger.error("generation failed", exc_info=(type(exc), exc, exc.__traceback__))
            raise gr.Error(f"تولید پاسخ با خطا متوقف شد. · Generation failed ({type(exc).__name__}: {exc}). "
                           "Please try again.")
    finally:
        stop.set()
        thread.join(timeout=_JOIN_S)


if get_settings().zero_gpu:  # ZeroGPU: weights at import, the documented way (spaces defers the CUDA move)
    get_model()
    get_tokenizer()
