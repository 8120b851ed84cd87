"""The Gaokerena Space: a streaming Persian medical chat, the benchmark leaderboard, and an About tab.

    MODEL_ID=path/or/repo RESULTS_REPO=gaokerena/leaderboard-results python -m space.app

``demo`` is built at import without a GPU, weights or network (the model loads on the first message, the
leaderboard on the first page load). Launch it with :func:`launch_options`, which carries the stylesheet and the
bidi script: ``demo.queue(...).launch(**launch_options())``, as :func:`main` and the Hub's root ``app.py`` do.
Host and port come from ``GRADIO_SERVER_NAME`` / ``GRADIO_SERVER_PORT`` (see ``space.settings``).
"""

from __future__ import annotations

import functools
import inspect
import logging
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

import gradio as gr
import pandas as pd
from jinja2 import TemplateError

from space import about, chat, decode, leaderboard, safety, texts
from space.settings import Settings, get_settings
from space.texts import T


logger = logging.getLogger(__name__)

CSS_PATH = Path(__file__).with_name("style.css")

# Gives every paragraph-like element of a chat message, and the message box, dir="auto" (direction from its
# first strong letter; code stays ltr). Streaming re-renders messages, so an observer re-applies it.
DIR_JS = """
() => {
  const SEL = ".gk-chat .message p, .gk-chat .message li, .gk-chat .message h1, .gk-chat .message h2, " +
              ".gk-chat .message h3, .gk-chat .message blockquote, .gk-chat .message td, .gk-chat textarea, " +
              ".gk-input textarea, .gk-pinned-notice p, .gk-pinned-notice li";
  const apply = () => {
    document.querySelectorAll(SEL).forEach((el) => {
      if (el.getAttribute("dir") !== "auto") el.setAttribute("dir", "auto");
    });
    document.querySelectorAll(".gk-chat .message pre").forEach((el) => el.setAttribute("dir", "ltr"));
  };
  new MutationObserver(apply).observe(document.body, { childList: true, subtree: true, characterData: true });
  apply();
}
"""


def build_i18n(settings: Settings | None = None) -> gr.I18n:
    """The interface texts (space.texts) plus the About tab for these settings, Persian and English."""
    settings = settings or get_settings()
    return texts.build_i18n({"about": (about.about_markdown_fa(settings), about.about_markdown(settings))})


def launch_options(settings: Settings | None = None) -> dict[str, Any]:
    """Keyword arguments every ``demo.launch`` of this app needs (stylesheet, bidi script, translations)."""
    settings = settings or get_settings()
    return {"css_paths": [str(CSS_PATH)], "js": DIR_JS, "i18n": build_i18n(settings),
            "mcp_server": settings.mcp_server}


# ---------------------------------------------------------------------------------------------- chat


class ReplyError(Exception):
    """A failure shown inside the reply (bilingual), so the chat box stays usable; ``str()`` is the Markdown note."""


def failure_note(persian: str, english: str) -> str:
    """The bilingual Markdown note a failed reply ends with."""
    return f"**⚠️ {persian}**\n\n⚠️ {english}"


EMPTY_MESSAGE_HINT = "لطفاً پرسش خود را بنویسید. · Please type your question."


def trim_warning(report: chat.TrimReport, budget: int, total_history: int) -> str:
    """The Persian (then English) warning that says which part of the conversation was left out."""
    kept = total_history - report.dropped_messages
    fa, en = [], []
    if report.dropped_messages:
        fa.append(f"{report.dropped_messages} پیام قدیمی‌تر گفتگو کنار گذاشته شد؛ پیام سیستم و "
                  f"{kept} پیام تازه‌تر نگه داشته شد")
        en.append(f"the {report.dropped_messages} oldest message(s) were left out; the system prompt and the "
                  f"{kept} newest were kept")
    if report.shortened_last:
        fa.append("ابتدای پیام شما حذف شد و انتهای آن نگه داشته شد")
        en.append("the beginning of your message was cut and its end kept")
    return (f"گفتگو از بودجه ورودی مدل ({budget} توکن) بلندتر بود: " + "، و ".join(fa) + ". · "
            f"The conversation was longer than the {budget}-token input budget: " + "; ".join(en) + ".")


def _prompt_ids(message: str, history: list[dict], system_prompt: str, settings: Settings,
                max_new_tokens: int | None = None) -> list[int]:
    """Token ids of the conversation, trimmed to :func:`space.inference.input_budget` (with a ``gr.Warning`` in
    Persian and English saying what was left out). Raises :class:`ReplyError` when the prompt cannot be built."""
    from space import inference

    templated: dict[str, Any] = {}

    def count(messages: list[dict]) -> int:  # remembers the last templating, which is usually the final prompt
        templated["messages"], templated["ids"] = messages, inference.prompt_ids(messages, settings)
        return len(templated["ids"])

    try:
        budget = inference.input_budget(settings, settings.default_new_tokens if max_new_tokens is None
                                        else max_new_tokens)
        conversation = chat.build_conversation(message, history, system_prompt)
        messages, report = chat.trim_to_budget(
            conversation, count, budget, shorten=lambda text, n: inference.keep_last_tokens(text, n, settings),
        )
        ids = templated["ids"] if templated.get("messages") == messages else inference.prompt_ids(messages, settings)
    except ValueError as exc:
        raise ReplyError(failure_note("گفتگو در بودجه ورودی مدل جا نمی‌شود. پیام سیستم را کوتاه‌تر کنید.",
                                      f"The conversation does not fit the model's input budget: {exc}")) from exc
    except TemplateError as exc:
        raise ReplyError(failure_note("قالب گفتگوی مدل این گفتگو را نپذیرفت. گفتگوی تازه‌ای شروع کنید.",
                                      f"The model's chat template rejected the conversation: {exc}")) from exc
    except OSError as exc:  # tokenizer files missing or the Hub unreachable
        logger.error("could not load the tokenizer of %s: %s", settings.model_id, exc)
        raise ReplyError(failure_note("مدل بارگذاری نشد. لطفاً کمی بعد دوباره تلاش کنید.",
                                      f"The model {settings.model_id} could not be loaded. Please try again later.")
                         ) from exc
    if report.trimmed:
        history_messages = sum(1 for m in conversation[:-1] if m["role"] != "system")
        gr.Warning(trim_warning(report, budget, history_messages))
    return ids


def chat_reply(
    message: str,
    history: list[dict],
    system_prompt: str,
    max_new_tokens: int,
    temperature: float,
    top_p: float,
    repetition_penalty: float,
) -> Iterator[str]:
    """The chat handler: emergency guidance first for red-flag messages, then the model's streamed reply.

    Never raises for the user's input or a model failure: an empty message gets a short bilingual hint, and a
    model, template or generation error ends the reply with a bilingual note (Gradio 6.31's ChatInterface
    leaves its textbox disabled after a ``gr.Error``, which would lock the chat), so the conversation goes on.

    Yields the growing reply, at most once per STREAM_INTERVAL_S (the first piece at once), so a fast model does
    not spend its time on one browser update per token. Over-long conversations lose their oldest turns (never
    the system prompt or the latest message) with a ``gr.Warning``. Closing this generator (Stop) closes the
    model stream, which stops generation. Message contents are never logged.
    """
    settings = get_settings()
    if not message or not message.strip():
        yield EMPTY_MESSAGE_HINT
        return
    reply = safety.emergency_message(safety.detect_red_flags(message))
    if reply:
        yield reply
    from space import inference  # torch/transformers load here, not when the UI is built

    try:
        input_ids = _prompt_ids(message, history, system_prompt, settings, int(max_new_tokens))
    except ReplyError as exc:
        yield reply + str(exc)
        return
    stream = inference.stream_reply(input_ids, inference.new_token_cap(settings, int(max_new_tokens)),
                                    float(temperature), float(top_p), float(repetition_penalty),
                                    settings.stream_interval_s)
    last_update, pending = 0.0, False
    try:
        for piece in stream:
            reply, pending = reply + piece, True
            if time.monotonic() - last_update >= settings.stream_interval_s:
                last_update, pending = time.monotonic(), False
                yield reply
        if pending:
            yield reply
    except gr.Error as exc:  # inference's own bilingual failures; on ZeroGPU also the worker's errors
        yield (reply + "\n\n" if reply else "") + failure_note(
            "پاسخ کامل نشد. لطفاً دوباره تلاش کنید.", str(exc.message))
    finally:
        stream.close()  # Stop / disconnect: ends generation at the next token


def respond(
    message: str,
    system_prompt: str = chat.DEFAULT_SYSTEM_PROMPT,
    max_new_tokens: int = 512,
    temperature: float = 0.6,
    top_p: float = 0.9,
    repetition_penalty: float = 1.1,
) -> Iterator[str]:
    """Answer one Persian medical question with Gaokerena; emergency guidance (call 115) comes first when the
    message describes an emergency. Research use only: not a substitute for a physician.

    Args:
        message: the question, in Persian (English and mixed text are understood too).
        system_prompt: instructions for the model; empty for none.
        max_new_tokens: the longest reply, in tokens (at most the Space's MAX_NEW_TOKENS).
        temperature: sampling temperature; 0 answers greedily.
        top_p: nucleus sampling threshold.
        repetition_penalty: penalty for repeated tokens (1 for none).
    Returns:
        the reply, growing as it streams.
    """
    settings = get_settings()
    new_tokens = max(1, min(int(max_new_tokens), settings.max_new_tokens))
    yield from chat_reply(message, [], system_prompt, new_tokens, temperature, top_p, repetition_penalty)


def pinned_notice(message: str) -> dict:
    """The emergency notice pinned above the message box for a flagged message (the same guidance the reply
    starts with, kept in view while the reply streams and scrolls); a message without red flags leaves the
    notice of an earlier one as it is."""
    guidance = safety.emergency_message(safety.detect_red_flags(message or ""))
    if not guidance:
        return gr.update()
    return gr.update(value=guidance, visible=True)


def hide_notice() -> dict:
    """A cleared chat clears its pinned notice."""
    return gr.update(value="", visible=False)


# (component, its update in a language): every label the language switch sets (see apply_language).
Relabels = list[tuple[gr.components.Component | gr.blocks.BlockContext, Callable[[str], Any]]]


def build_chat(settings: Settings, relabels: Relabels) -> gr.ChatInterface:
    """The Chat tab: ChatInterface in messages format, with system prompt and sampling sliders; the emergency
    line and the pinned notice of a flagged message sit between the conversation and the message box."""
    chatbot = gr.Chatbot(
        label=T("chat_label"),
        elem_classes=["gk-chat"],
        height="46vh",
        min_height=240,
        layout="bubble",
        buttons=["copy"],
        feedback_options=None,
        placeholder=(
            "<p dir='rtl'>سؤال پزشکی خود را به فارسی بپرسید.</p><p dir='ltr'>Ask a medical question in Persian.</p>"
        ),
    )
    textbox = gr.Textbox(
        placeholder=T("chat_placeholder"),
        label="پیام · Message",  # the API page's name for the message (show_label=False hides it here)
        elem_classes=["gk-input"],
        show_label=False,
        submit_btn=True,
        stop_btn=True,
    )
    inputs = [  # render=False: ChatInterface places them in its accordion
        gr.Textbox(label=T("chat_system_prompt"), value=chat.DEFAULT_SYSTEM_PROMPT, lines=3, rtl=True,
                   render=False),
        gr.Slider(label=T("chat_max_new_tokens"), minimum=1, maximum=settings.max_new_tokens, step=1,
                  value=settings.default_new_tokens, render=False),
        gr.Slider(label=T("chat_temperature"), minimum=0.0, maximum=2.0, step=0.05, value=0.6, render=False),
        gr.Slider(label=T("chat_top_p"), minimum=0.05, maximum=1.0, step=0.05, value=0.9, render=False),
        gr.Slider(label=T("chat_repetition_penalty"), minimum=1.0, maximum=2.0, step=0.05, value=1.1, render=False),
    ]
    with gr.Column(elem_classes=["gk-chat-tab"]):
        # Rendered before the ChatInterface, placed by style.css between the conversation and the message box.
        notice = gr.Markdown(visible=False, elem_classes=["gk-pinned-notice"], elem_id="gk-pinned-notice")
        # Registered before ChatInterface's own submit listeners, which empty the box: this one reads the message.
        textbox.submit(pinned_notice, textbox, notice, queue=False, api_visibility="private")
        gr.HTML(about.emergency_line_html(), elem_classes=["gk-emergency-line-block"], padding=False)
        interface = gr.ChatInterface(
            fn=chat_reply,
            chatbot=chatbot,
            textbox=textbox,
            additional_inputs=inputs,
            additional_inputs_accordion=gr.Accordion(label=T("chat_settings"), open=False, render=False),
            examples=[[example] for example in chat.EXAMPLES],  # message only: shown inside the empty chat
            cache_examples=False,
            flagging_mode="never",
            save_history=False,
            concurrency_limit=settings.concurrency_limit,
            # Gradio 6.31's MCP server cannot call ChatInterface's own endpoint (its State output makes every call
            # fail with "pop index out of range"), so the API and the MCP tool are `respond` below, named "chat".
            api_visibility="private",
            fill_height=False,
        )
    text = texts.text
    accordion = inputs[0].parent  # the accordion ChatInterface rendered the settings into
    relabels += [
        (chatbot, lambda lang: gr.Chatbot(label=text("chat_label", lang))),
        (textbox, lambda lang: gr.Textbox(placeholder=text("chat_placeholder", lang))),
        (inputs[0], lambda lang: gr.Textbox(label=text("chat_system_prompt", lang))),
        (inputs[1], lambda lang: gr.Slider(label=text("chat_max_new_tokens", lang))),
        (inputs[2], lambda lang: gr.Slider(label=text("chat_temperature", lang))),
        (inputs[3], lambda lang: gr.Slider(label=text("chat_top_p", lang))),
        (inputs[4], lambda lang: gr.Slider(label=text("chat_repetition_penalty", lang))),
    ] + ([(accordion, lambda lang: gr.Accordion(label=text("chat_settings", lang)))]
          if isinstance(accordion, gr.Accordion) else [])
    chatbot.clear(hide_notice, None, notice, queue=False, api_visibility="private")
    gr.api(respond, api_name="chat", concurrency_limit=settings.concurrency_limit)
    return interface


# ---------------------------------------------------------------------------------------------- leaderboard


@dataclass
class LeaderboardStore:
    """The parsed results, shared by all visitors; re-read from the Hub on Refresh or when older than the TTL."""

    loaded: leaderboard.LoadedResults = field(default_factory=leaderboard.LoadedResults)
    scores: pd.DataFrame = field(default_factory=lambda: leaderboard.scores_frame([]))
    fetched_at: float = 0.0
    source: str = ""
    error: str | None = None  # the last failed read, shown until a read succeeds
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ensure(self, settings: Settings, force: bool = False) -> str | None:
        """Re-read the results repo if forced or stale; returns an error message (old data kept) or None."""
        with self.lock:
            if not force and self.fetched_at and time.time() - self.fetched_at < settings.leaderboard_ttl_s:
                return None
            try:
                paths = leaderboard.fetch_results(
                    settings.results_repo,
                    revision=settings.results_revision,
                    endpoint=settings.hf_endpoint,
                    token=settings.hf_token,
                )
            except (OSError, ValueError) as exc:  # HfHubHTTPError and network errors are OSErrors
                logger.warning("could not read %s: %s", settings.results_repo, exc)
                self.error = (f"خواندن {settings.results_repo} ممکن نشد. · Could not read {settings.results_repo} "
                              f"from {settings.hub_url}: {type(exc).__name__}.")
                return self.error
            self.loaded = leaderboard.load_results(paths)
            release = {settings.model_id} | ({settings.adapter_id} if settings.adapter_id else set())
            self.scores = leaderboard.scores_frame(self.loaded.results, release_ids=release)
            self.fetched_at = time.time()
            self.source = settings.results_repo
            self.error = None
            return None


STORE = LeaderboardStore()


@dataclass(frozen=True)
class View:
    """What the leaderboard controls ask for (None: every type / every column group / the default)."""

    search: str = ""
    protocol: str | None = None
    types: Sequence[str] | None = None
    groups: Sequence[str] | None = None
    sort_by: str | None = None
    descending: bool = True
    show_ci: bool = True
    chart: str | None = None
    show_small: bool = False
    lang: str | None = "en"  # the table's language: "en" (the API's default) or "fa"


_CONTROLS_SIGNATURE = inspect.Signature(
    [
        inspect.Parameter(f.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=f.default, annotation=f.type)
        for f in fields(View)
    ]
)
R = TypeVar("R")


def _from_controls(handler: Callable[[View], R]) -> Callable[..., R]:
    """``handler(view)`` as a Gradio handler of the leaderboard ``controls`` (see :func:`build_leaderboard`).

    Gradio passes the eight control values positionally, in :class:`View`'s field order; they become the View. The
    returned function's signature is View's fields with their defaults, because Gradio's API takes its parameter
    names, and which parameters a client may leave out, from the signature
    (``client.predict("aya", api_name="/export_records")``)."""

    @functools.wraps(handler)
    def from_controls(*controls: Any, **named: Any) -> R:
        return handler(View(*controls, **named))

    from_controls.__signature__ = _CONTROLS_SIGNATURE.replace(  # type: ignore[attr-defined]
        return_annotation=inspect.signature(handler).return_annotation
    )
    return from_controls


def _min_n(view: View) -> int:
    return 0 if view.show_small else get_settings().leaderboard_min_n


def _visible_keys(view: View) -> list[str]:
    """Model keys of the rows the search, type and minimum-n filters keep (for the chart and the CSV)."""
    kept = leaderboard.filter_scores(STORE.scores, view.search or "", view.types)
    small = leaderboard.small_model_keys(STORE.scores, _min_n(view)) if _min_n(view) else set()
    return sorted(set(kept["model_key"]) - small)


def _table(view: View, protocol: str, links: bool = True) -> pd.DataFrame:
    return leaderboard.leaderboard_table(
        STORE.scores, protocol, hub_url=get_settings().hub_url, search=view.search or "", types=view.types,
        groups=leaderboard.COLUMN_GROUPS if view.groups is None else view.groups, sort_by=view.sort_by,
        descending=view.descending, show_ci=view.show_ci, min_n=_min_n(view), links=links,
    )


def _protocol(view: View) -> tuple[list[str], str]:
    protocols = leaderboard.mc_protocols(STORE.scores)
    return protocols, view.protocol if view.protocol in protocols else (protocols[0] if protocols else "generate")


def _render(view: View) -> tuple:
    """The table and the controls that depend on the data. The columns (and so the Sort and Chart choices) depend
    on the protocol and column groups only, never on the search, so the visitor's Sort and Chart stay as chosen;
    a choice that is no longer offered falls back to the default. Headers, model types, sources and verdicts are
    shown in ``view.lang``; the Sort and Chart values stay the English headers (the API's)."""
    protocols, protocol = _protocol(view)
    table = _table(view, protocol)
    headers = leaderboard.score_headers(table)
    sort_by = view.sort_by if view.sort_by in headers + ["Model"] else leaderboard.default_sort_column(headers)
    chart = view.chart if view.chart in headers else sort_by if sort_by in headers else None
    datatype = ["markdown"] + ["number" if c in headers or c.endswith(" n") else "str" for c in table.columns[1:]]
    widths = [200] + [110 if c in headers else 90 if c.endswith(" n") else 120 for c in table.columns[1:]]
    svg = leaderboard.bar_chart_svg(STORE.scores, chart, _visible_keys(view))
    label = functools.partial(texts.table_header, lang=view.lang)
    return (
        gr.Dataframe(value=_localized(table, headers, view.lang), datatype=datatype, column_widths=widths),
        gr.Dropdown(choices=[(label(h), h) for h in ["Model"] + headers], value=sort_by),
        gr.Dropdown(choices=protocols, value=protocol if protocols else None),
        gr.Dropdown(choices=[(label(h), h) for h in headers], value=chart),
        svg,
        _status(view.lang),
    )


def _localized(table: pd.DataFrame, headers: list[str], lang: str | None) -> pd.DataFrame:
    """``table`` with its headers and its text cells (type, source, pass verdicts) in ``lang``."""
    if texts.language(lang) == "en":
        return table
    shown = table.copy()
    for column in shown.columns[1:]:
        if column not in headers and not column.endswith(" n") and not column.endswith(" 95% CI"):
            shown[column] = shown[column].map(lambda v: texts.table_value(v, lang) if isinstance(v, str) else v)
    return shown.rename(columns=lambda c: texts.table_header(c, lang))


def _status(lang: str | None = "en") -> str:
    """The line under the table (how many result files, from where, when, what was skipped) in ``lang``."""
    english = texts.language(lang) == "en"
    if not STORE.fetched_at:
        return STORE.error or ("Results not loaded yet." if english else "نتایج هنوز بارگذاری نشده‌اند.")
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(STORE.fetched_at))
    count = len(STORE.loaded.results)
    if english:
        text = f"{count} result files from `{STORE.source}`, read {stamp}."
    else:
        text = f"{about.persian_digits(str(count))} پرونده نتیجه از `{STORE.source}`، خوانده‌شده در {stamp}."
    if STORE.loaded.errors:
        skipped = ", ".join(f"{name} ({why})" for name, why in STORE.loaded.errors[:5])
        count_fa = about.persian_digits(str(len(STORE.loaded.errors)))
        text += (f" Skipped malformed file(s): {skipped}" if english
                 else f" {count_fa} پرونده نادرست کنار گذاشته شد: {skipped}")
    if STORE.error:
        text += f" Last refresh failed: {STORE.error}" if english else f" آخرین به‌روزرسانی ناموفق بود: {STORE.error}"
    return text


@_from_controls
def render_leaderboard(view: View) -> tuple:
    """Table, sort choices, protocol choices, chart choices, chart (SVG) and status for the given controls."""
    return _render(view)


@_from_controls
def load_leaderboard(view: View) -> tuple:
    """Page load: read the Hub unless a read younger than LEADERBOARD_TTL_S exists, then render."""
    error = STORE.ensure(get_settings())
    if error:
        gr.Warning(error)
    return _render(view)


@_from_controls
def refresh_leaderboard(view: View) -> tuple:
    """Refresh button: re-read the results repo from the Hub now (no restart), then render."""
    error = STORE.ensure(get_settings(), force=True)
    if error:
        gr.Warning(error)
    else:
        count = len(STORE.loaded.results)
        gr.Info(f"جدول به‌روز شد: {count} پرونده نتیجه. · Leaderboard reloaded: {count} result files.")
    return _render(view)


@_from_controls
def export_records(view: View) -> str:
    """Write the per-question records of the models the table shows to a CSV (UTF-8 with a BOM); returns its path."""
    keys = _visible_keys(view)
    out = Path(tempfile.mkdtemp(prefix="gaokerena-records-")) / "gaokerena-leaderboard-records.csv"
    rows = leaderboard.write_records_csv(STORE.loaded.results, out, keys)
    if rows == 0:
        gr.Warning(texts.NO_RECORDS)
    return str(out)


@_from_controls
def export_table(view: View) -> str:
    """Write the table as shown (filters, sort, columns; plain model names) to a CSV (UTF-8 with a BOM)."""
    _, protocol = _protocol(view)
    out = Path(tempfile.mkdtemp(prefix="gaokerena-table-")) / "gaokerena-leaderboard.csv"
    leaderboard.write_table_csv(_table(view, protocol, links=False), out)
    return str(out)


# Runs in the browser before the search handler: waits until typing pauses. With trigger_mode="always_last" only
# the newest of the searches that arrive while one runs is rendered, so fast typing costs one render per pause.
DEBOUNCE_JS = "(...controls) => new Promise((resolve) => setTimeout(() => resolve(controls), 300))"


def build_leaderboard(demo: gr.Blocks, language: gr.Radio, relabels: Relabels) -> None:
    """The Leaderboard tab: filters, the table, the chart with 95% intervals, refresh and CSV exports; shown in the
    language of the switch ``language``."""
    settings = get_settings()
    text = texts.text
    # The table's language as a leaderboard control: hidden, set from the switch, and the API's `lang` ("en" unless
    # a client asks for "fa"). The switch itself has no value until the page has loaded, so it is not the control.
    table_language = gr.Textbox(value="en", visible=False, label=T("language"))
    intro = gr.Markdown(T("lb_intro"), elem_classes=["gk-rtl"])
    with gr.Row():
        search = gr.Textbox(label=T("lb_search"), value="", scale=3, placeholder=T("lb_search_placeholder"))
        protocol = gr.Dropdown(label=T("lb_protocol"), choices=[], value=None, scale=1)
        sort_by = gr.Dropdown(label=T("lb_sort"), choices=[], value=None, scale=2)
        descending = gr.Checkbox(label=T("lb_descending"), value=True, scale=1)
    with gr.Row():
        types = gr.CheckboxGroup(list(leaderboard.MODEL_TYPES), value=list(leaderboard.MODEL_TYPES),
                                 label=T("lb_types"))
        groups = gr.CheckboxGroup(list(leaderboard.COLUMN_GROUPS), value=list(leaderboard.COLUMN_GROUPS),
                                  label=T("lb_columns"))
        show_ci = gr.Checkbox(label=T("lb_show_ci"), value=True)
        show_small = gr.Checkbox(label=T("lb_show_small"), value=False,
                                 info=f"n < {settings.leaderboard_min_n}")
    table = gr.Dataframe(label=T("lb_table"), interactive=False, wrap=True, elem_id="leaderboard-table",
                         max_height=640, pinned_columns=1)
    status = gr.Markdown(elem_id="leaderboard-status")
    with gr.Row():
        refresh = gr.Button(T("lb_refresh"), variant="secondary")
        export_view = gr.Button(T("lb_export_table"))
        export = gr.Button(T("lb_export_records"))
        csv_file = gr.File(label=T("lb_download"), interactive=False)
    chart_metric = gr.Dropdown(label=T("lb_chart"), choices=[], value=None)
    chart = gr.HTML(elem_id="leaderboard-chart")
    relabels += [
        (intro, lambda lang: gr.Markdown(text("lb_intro", lang),
                                         elem_classes=["gk-rtl"] if texts.language(lang) == "fa" else [])),
        (search, lambda lang: gr.Textbox(label=text("lb_search", lang),
                                         placeholder=text("lb_search_placeholder", lang))),
        (protocol, lambda lang: gr.Dropdown(label=text("lb_protocol", lang))),
        (sort_by, lambda lang: gr.Dropdown(label=text("lb_sort", lang))),
        (descending, lambda lang: gr.Checkbox(label=text("lb_descending", lang))),
        (types, lambda lang: gr.CheckboxGroup(
            label=text("lb_types", lang), choices=[(texts.table_value(t, lang), t) for t in leaderboard.MODEL_TYPES])),
        (groups, lambda lang: gr.CheckboxGroup(
            label=text("lb_columns", lang),
            choices=[(texts.table_value(g, lang), g) for g in leaderboard.COLUMN_GROUPS])),
        (show_ci, lambda lang: gr.Checkbox(label=text("lb_show_ci", lang))),
        (show_small, lambda lang: gr.Checkbox(label=text("lb_show_small", lang))),
        (table, lambda lang: gr.Dataframe(label=text("lb_table", lang))),
        (refresh, lambda lang: gr.Button(text("lb_refresh", lang))),
        (export_view, lambda lang: gr.Button(text("lb_export_table", lang))),
        (export, lambda lang: gr.Button(text("lb_export_records", lang))),
        (csv_file, lambda lang: gr.File(label=text("lb_download", lang))),
        (chart_metric, lambda lang: gr.Dropdown(label=text("lb_chart", lang))),
    ]

    controls = [search, protocol, types, groups, sort_by, descending, show_ci, chart_metric, show_small,
                table_language]
    outputs = [table, sort_by, protocol, chart_metric, chart, status]
    # The page's first table and the re-render in the visitor's language share one queue slot, so they finish in the
    # order they started: the first load (English headers: the switch has no value yet) never lands after the
    # re-render the language switch asks for a moment later (it did on a slow server: Persian tabs, English headers).
    in_order = dict(concurrency_id="leaderboard-first-render", concurrency_limit=1)
    demo.load(load_leaderboard, controls, outputs, api_name="load_leaderboard", **in_order)
    refresh.click(refresh_leaderboard, controls, outputs, api_name="refresh_leaderboard")
    for control in (protocol, types, groups, sort_by, descending, show_ci, chart_metric, show_small):
        control.input(render_leaderboard, controls, outputs, api_visibility="private")
    language.change(texts.language, language, table_language, api_visibility="private", queue=False).then(
        render_leaderboard, controls, outputs, api_visibility="private", **in_order)
    # One search handler for typing, pasting, Enter and clearing (.change fires for all of them).
    search.change(render_leaderboard, controls, outputs, api_name="search_leaderboard", js=DEBOUNCE_JS,
                  trigger_mode="always_last")
    export.click(export_records, controls, csv_file, api_name="export_records")
    export_view.click(export_table, controls, csv_file, api_name="export_table")


# ---------------------------------------------------------------------------------------------- app

LANGUAGE_STORAGE_KEY = "gaokerena-language"  # the browser's localStorage key that keeps the visitor's choice


def initial_language(stored: str | None, request: gr.Request) -> str:
    """The interface language on page load: ``?lang=fa|en`` in the address, else the visitor's last choice (kept in
    the browser's localStorage), else English for an English browser and Persian for every other."""
    asked = request.query_params.get("lang", "") if request is not None else ""
    if asked in texts.LANGUAGES:
        return asked
    if stored in texts.LANGUAGES:
        return stored
    accepted = request.headers.get("accept-language", "") if request is not None else ""
    return "en" if accepted.strip().lower().startswith("en") else "fa"


def build_demo(settings: Settings | None = None) -> gr.Blocks:
    """The whole app; builds without a GPU, weights or network."""
    settings = settings or get_settings()
    decode.decode_mode()  # a bad CHAT_DECODE fails here, at start-up, not on the first message
    relabels: Relabels = []
    about_texts = {"fa": about.about_markdown_fa(settings), "en": about.about_markdown(settings)}
    with gr.Blocks(title="Gaokerena · گائوکرنا", analytics_enabled=False) as demo:
        gr.HTML(about.header_html(settings), js_on_load=None)
        language = gr.Radio(texts.LANGUAGE_CHOICES, value=None, label=T("language"), show_label=False,
                            container=False, elem_id="gk-language", elem_classes=["gk-language"])
        # A fixed secret: the choice (not private) outlives a restart of the Space, which a random one would not.
        stored = gr.BrowserState("", storage_key=LANGUAGE_STORAGE_KEY, secret=LANGUAGE_STORAGE_KEY)
        with gr.Tabs():
            with gr.Tab(T("tab_chat"), id="chat") as chat_tab:
                build_chat(settings, relabels)
            with gr.Tab(T("tab_leaderboard"), id="leaderboard") as leaderboard_tab:
                build_leaderboard(demo, language, relabels)
            with gr.Tab(T("tab_about"), id="about") as about_tab:
                about_text = gr.Markdown(T("about"), elem_classes=["gk-about"])
        relabels += [
            (chat_tab, lambda lang: gr.Tab(label=texts.text("tab_chat", lang))),
            (leaderboard_tab, lambda lang: gr.Tab(label=texts.text("tab_leaderboard", lang))),
            (about_tab, lambda lang: gr.Tab(label=texts.text("tab_about", lang))),
            (about_text, lambda lang: gr.Markdown(about_texts[texts.language(lang)])),
        ]

        def apply_language(lang: str | None) -> list:
            """The visitor's language: kept in the browser, and every label of the app set in it."""
            lang = texts.language(lang)
            return [lang] + [update(lang) for _, update in relabels]

        demo.load(initial_language, stored, language, api_visibility="private", queue=False)
        language.change(apply_language, language, [stored] + [component for component, _ in relabels],
                        api_visibility="private", queue=False)
    demo.queue(max_size=settings.queue_size, default_concurrency_limit=settings.concurrency_limit)
    _set_queue_poll(demo, settings.queue_poll_s)
    return demo


def _set_queue_poll(demo: gr.Blocks, seconds: float) -> None:
    """Gradio's queue sleeps ``sleep_when_free`` (1 ms off Windows) between looks for work, also while a reply is
    being generated; each wake-up takes the GIL from the generation thread. There is no public option, so the
    attribute is set when this Gradio has it (a newer Gradio without it keeps its own polling)."""
    queue = getattr(demo, "_queue", None)
    if queue is not None and isinstance(getattr(queue, "sleep_when_free", None), (int, float)):
        queue.sleep_when_free = seconds


if get_settings().zero_gpu:
    # ZeroGPU needs its @spaces.GPU function and the weights at startup; elsewhere both load on the first message.
    from space import inference  # noqa: F401

demo = build_demo()


def main() -> None:
    """``python -m space.app``: serve on GRADIO_SERVER_NAME:GRADIO_SERVER_PORT."""
    settings = get_settings()
    logging.basicConfig(level=logging.INFO)
    demo.launch(server_name=settings.server_name, server_port=settings.server_port, **launch_options(settings))


if __name__ == "__main__":
    main()
