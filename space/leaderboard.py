"""The leaderboard: result JSON files (SCHEMAS §3) -> tables, a bar chart and CSVs of the table and the records.

    results = load_results(sorted(Path("results").glob("*.json")))
    scores = scores_frame(results.results, release_ids={"gaokerena/gaokerena-v1"})  # long: model x column
    table = leaderboard_table(scores, protocol="generate")                             # wide: what the Space shows

Everything here is pure except :func:`fetch_results` (the one Hub call, via ``huggingface_hub``). The result
schema, its constants and its validation come from ``hub_tools.evaluation.schema``, the one module `gaokerena eval`
writes with; ``space deploy`` ships that file (standard library only) beside the Space. Scores are shown in percent
(the files hold fractions). One row per model × revision × adapter; multiple-choice columns carry the protocol they
were scored with in their header ("MMLU-fa avg (generate)"), chosen with the protocol selector; K-QA-fa columns
carry their own protocol, and lower-is-better ones end in "↓". When several files give the same cell, the newest
``created_at`` wins.

Honesty rules: each row says where its numbers come from (Source: the paper's outputs re-scored, this release,
or other) and on how many questions (n); multiple-choice intervals are Wilson score intervals computed from the
file's correct/n (so 0 of 8 is 0.0–32.4, not 0.0–0.0); rows whose every score rests on fewer than ``min_n``
questions are hidden unless asked for; any interval resting on fewer than ``SMALL_N`` (30) questions is marked
"⚠ n=…". IBMSEE has one column per sitting, named by the sitting ("IBMSEE medicine-1402-06 (generate)"), and one for
``all``; a model scored on several sittings shows each. A sitting says "pass" only when its file records a pass mark
(the sitting's source gives one; ``all`` never has one) and the interval's lower bound clears it, "fail" when its
upper bound is below it, and "uncertain" otherwise. K-QA-fa columns carry their judging mode (the result's protocol:
``kqa``, ``kqa-3way``, legacy ``kqa-metrics``, ``pairwise``), so scores of different modes sit in different columns
and are never ranked together. K-QA intervals at small n are the conservative closed forms (Wilson at the mean for
shares, Byar's Poisson interval for the contradiction count), not the file's bootstrap, which is 0–0 when three
answers all score 0.
"""

from __future__ import annotations

import csv
import html
import json
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from hub_tools.evaluation import schema


try:  # orjson ships with gradio and parses large result files several times faster
    import orjson

    def _loads(raw: bytes) -> Any:
        return orjson.loads(raw)

except ImportError:  # pragma: no cover

    def _loads(raw: bytes) -> Any:
        return json.loads(raw)


logger = logging.getLogger(__name__)

MODEL_TYPES = schema.MODEL_TYPES
MC_BENCHMARKS = tuple(b for b in schema.BENCHMARKS if b != "kqa-fa")
KQA = "kqa-fa"
DEFAULT_MIN_N = 30  # rows resting only on fewer questions are hidden by default
Z95 = schema.Z95
LOWER_IS_BETTER = schema.LOWER_IS_BETTER  # metrics where less is better (marked "↓")
# K-QA's Hall and Hall_norm are counts per question, shown as they are; every other metric is a fraction in percent
COUNT_METRICS = {"Hall", "Hall_norm"}
SMALL_N = 30  # an interval resting on fewer questions is marked
# Files written before K-QA's own Comp/Hall carried the project's figures under older names: the share of must-have
# statements entailed, and the share of answers with a contradiction.
KQA_LEGACY_ALIASES = {"Comp": "comprehensiveness", "answers_with_contradiction_share": "hallucination_rate"}
SOURCE_LABELS = {"paper": "paper re-score", "release": "this release", "other": "other"}


@dataclass(frozen=True)
class Column:
    """One score column: where it comes from in a result file and how it is labelled."""

    benchmark: str
    subset: str | None  # None: the file's micro average ("metrics"); else a key of "subsets"
    metric: str
    label: str
    group: str  # the column group toggled in the UI


# The single source of truth for the score columns, in display order.
MMLU_SUBJECTS = (
    ("anatomy", "Anatomy"),
    ("clinical_knowledge", "Clinical knowledge"),
    ("college_biology", "College biology"),
    ("college_medicine", "College medicine"),
    ("medical_genetics", "Medical genetics"),
    ("professional_medicine", "Professional medicine"),
)
MC_COLUMNS: tuple[Column, ...] = tuple(
    Column("mmlu-fa", key, "accuracy", label, "MMLU-fa subjects") for key, label in MMLU_SUBJECTS
) + (
    Column("mmlu-fa", None, "accuracy", "MMLU-fa avg", "MMLU-fa avg"),
    Column("ibmsee", None, "accuracy", "IBMSEE", "IBMSEE"),  # a placeholder: one column per sitting (ibmsee_column)
)
ALL_SITTINGS = "all"
KQA_COLUMNS: tuple[Column, ...] = (
    Column(KQA, None, "win_rate", "K-QA-fa win rate", "K-QA-fa"),
    Column(KQA, None, "Comp", "K-QA-fa Comp", "K-QA-fa"),
    Column(KQA, None, "Comp_norm", "K-QA-fa Comp_norm", "K-QA-fa"),
    Column(KQA, None, "Hall", "K-QA-fa Hall (contradicted statements per answer)", "K-QA-fa"),
    Column(KQA, None, "Hall_norm", "K-QA-fa Hall_norm (contradicted statements per answered question)", "K-QA-fa"),
    Column(KQA, None, "answers_with_contradiction_share", "K-QA-fa answers with a contradiction", "K-QA-fa"),
)
COLUMN_GROUPS = ("MMLU-fa subjects", "MMLU-fa avg", "IBMSEE", "K-QA-fa")

RECORD_FIELDS = (
    "model_id", "model_revision", "adapter", "display_name", "benchmark", "config", "protocol",
    "id", "subset", "gold", "prediction", "correct", "raw_output",
)


@dataclass(frozen=True)
class ModelRef:
    """A leaderboard row's identity and description, from a result file's "model" object."""

    id: str
    revision: str | None
    adapter: str | None
    display_name: str
    type: str
    url: str | None

    @property
    def key(self) -> str:
        return "|".join([self.id, self.revision or "", self.adapter or ""])


@dataclass(frozen=True)
class ParsedResult:
    """One result file without its records (they are re-read from ``path`` for the CSV)."""

    path: str
    model: ModelRef
    benchmark: str
    config: str
    protocol: str
    pass_mark: float | None
    metrics: dict[str, Any]
    subsets: dict[str, dict[str, Any]]
    created_at: str
    source: str = "gaokerena eval"


@dataclass
class LoadedResults:
    """Parsed files plus ``(file, reason)`` for every file skipped as malformed."""

    results: list[ParsedResult] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)


def parse_result(data: dict[str, Any], path: str = "<memory>") -> ParsedResult:
    """Validate one decoded result file with ``schema.validate_dict``; raises ``schema.ResultValidationError`` (a
    ``ValueError``) naming the file and the field."""
    schema.validate_dict(data, path=path)
    model, bench = data["model"], data["benchmark"]
    ref = ModelRef(
        id=model["id"],
        revision=model.get("revision"),
        adapter=model.get("adapter"),
        display_name=model["display_name"] or model["id"],
        type=model["type"],
        url=model.get("url"),
    )
    pass_mark = bench.get("pass_mark")
    return ParsedResult(
        path=path,
        model=ref,
        benchmark=bench["name"],
        config=bench["config"] or "default",
        protocol=data["protocol"],
        pass_mark=float(pass_mark) if pass_mark is not None else None,
        metrics=dict(data["metrics"]),
        subsets=dict(data.get("subsets") or {}),
        created_at=data["created_at"],
        source=data["source"],
    )


def load_results(paths: Iterable[Path]) -> LoadedResults:
    """Read and parse result files; malformed ones are logged and listed in ``errors``, never fatal."""
    loaded = LoadedResults()
    for path in paths:
        try:
            loaded.results.append(parse_result(_loads(Path(path).read_bytes()), str(path)))
        except (OSError, ValueError) as exc:  # orjson.JSONDecodeError is a ValueError
            logger.warning("skipping result file %s: %s", path, exc)
            loaded.errors.append((Path(path).name, str(exc)))
    return loaded


wilson_interval = schema.wilson_interval


def _interval(block: dict[str, Any], metric: str) -> tuple[float, float]:
    """Wilson interval from the block's counts for accuracy; the file's own ``<metric>_ci95`` otherwise."""
    if metric == "accuracy" and isinstance(block.get("correct"), int) and isinstance(block.get("n"), int):
        return wilson_interval(block["correct"], block["n"])
    ci = block.get(f"{metric}_ci95")
    if isinstance(ci, (list, tuple)) and len(ci) == 2 and all(isinstance(v, (int, float)) for v in ci):
        return float(ci[0]), float(ci[1])
    return math.nan, math.nan


def _kqa_block(metrics: dict[str, Any], metric: str) -> dict[str, Any] | None:
    """The block holding ``metric`` of a K-QA file, read from its legacy name in a file written before Comp/Hall."""
    if isinstance(metrics.get(metric), (int, float)):
        return metrics
    legacy = KQA_LEGACY_ALIASES.get(metric)
    if legacy and isinstance(metrics.get(legacy), (int, float)):
        return {**metrics, metric: metrics[legacy], f"{metric}_ci95": metrics.get(f"{legacy}_ci95")}
    return None


def ibmsee_column(sitting: str) -> Column:
    """The IBMSEE column of one sitting (or of ``all``), named by it."""
    return Column("ibmsee", None, "accuracy", f"IBMSEE {sitting}", "IBMSEE")


def _cells(result: ParsedResult) -> Iterable[tuple[Column, dict[str, Any]]]:
    """(column, block holding the metric) pairs a result file provides."""
    if result.benchmark == KQA:
        for column in KQA_COLUMNS:
            block = _kqa_block(result.metrics, column.metric)
            if block is not None:
                yield column, block
        return
    if result.benchmark == "ibmsee":  # scored per sitting (config "medicine-1402-06", ...) or on "all"
        if isinstance(result.metrics.get("accuracy"), (int, float)):
            yield ibmsee_column(result.config), result.metrics
        return
    for column in MC_COLUMNS:
        if column.benchmark != result.benchmark:
            continue
        if column.subset is None and result.config in {"all", "default"}:
            block: dict[str, Any] | None = result.metrics
        elif column.subset is not None and result.config == column.subset:
            block = result.metrics  # a per-subject file
        else:
            block = result.subsets.get(column.subset) if column.subset else None
        if block and isinstance(block.get(column.metric), (int, float)):
            yield column, block


def _kqa_interval(block: dict[str, Any], metric: str, n: int | None) -> tuple[float, float] | None:
    """At small n, K-QA's interval in closed form (the bootstrap collapses to a point when every answer scores the
    same): Wilson at the mean for a share, Byar's Poisson interval for a count; ``Comp``/``Hall`` with a fixed
    denominator (``N_questions``) are scaled from the answered questions' mean."""
    if not isinstance(n, int) or n <= 0 or n >= SMALL_N or not isinstance(block.get(metric), (int, float)):
        return None
    total = block.get("N_questions")
    scale = n / total if metric in ("Comp", "Hall") and isinstance(total, int) and total >= n else 1.0
    mean = float(block[metric]) / scale  # the mean over the answered questions
    if metric in COUNT_METRICS:
        lo, hi = schema.poisson_mean_interval(mean * n, n)
    else:
        lo, hi = schema.wilson_interval(min(1.0, max(0.0, mean)) * n, n)
    return lo * scale, hi * scale


SCORE_FIELDS = (
    "model_key", "model_id", "revision", "adapter", "display_name", "type", "url", "source", "benchmark",
    "protocol", "column", "group", "metric", "header", "score", "ci_lo", "ci_hi", "n", "pass_mark", "created_at",
)


def source_label(result: ParsedResult, release_ids: Iterable[str] = ()) -> str:
    """"paper re-score" (the paper's own outputs, re-scored), "this release" (the model, or adapter, the Space
    serves) or "other"."""
    if result.source == "paper import":
        return SOURCE_LABELS["paper"]
    release = set(release_ids)
    if result.model.id in release or (result.model.adapter and result.model.adapter in release):
        return SOURCE_LABELS["release"]
    return SOURCE_LABELS["other"]


def scores_frame(results: Sequence[ParsedResult], release_ids: Iterable[str] = ()) -> pd.DataFrame:
    """Long table, one row per model × protocol × column, scores in percent; newest file wins per cell."""
    release = set(release_ids)
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for result in results:
        model = result.model
        for column, block in _cells(result):
            key = (model.key, result.protocol, column.label)
            if key in rows and rows[key]["created_at"] > result.created_at:
                continue
            n = block.get("n") if isinstance(block.get("n"), int) else result.metrics.get("n")
            small = _kqa_interval(block, column.metric, n) if result.benchmark == KQA else None
            lo, hi = small if small is not None else _interval(block, column.metric)
            factor = 1.0 if column.metric in COUNT_METRICS else 100.0
            rows[key] = {
                "model_key": model.key, "model_id": model.id, "revision": model.revision,
                "adapter": model.adapter, "display_name": model.display_name, "type": model.type,
                "url": model.url, "source": source_label(result, release), "benchmark": result.benchmark,
                "protocol": result.protocol, "column": column.label, "group": column.group,
                "metric": column.metric, "header": column_header(column.label, result.protocol, column.metric),
                "score": factor * float(block[column.metric]), "ci_lo": factor * lo, "ci_hi": factor * hi,
                "n": n if isinstance(n, int) else None,
                "pass_mark": None if result.config == ALL_SITTINGS else result.pass_mark,
                "created_at": result.created_at,
            }  # fmt: skip
    return pd.DataFrame(list(rows.values()), columns=list(SCORE_FIELDS))


def mc_protocols(scores: pd.DataFrame) -> list[str]:
    """Protocols with multiple-choice results, "generate" first when present."""
    found = set(scores.loc[scores["benchmark"].isin(MC_BENCHMARKS), "protocol"])
    return sorted(found, key=lambda p: (p != "generate", p))


def column_header(label: str, protocol: str, metric: str = "accuracy") -> str:
    """"MMLU-fa avg (generate)"; a lower-is-better metric ends in " ↓"."""
    return f"{label} ({protocol})" + (" ↓" if metric in LOWER_IS_BETTER else "")


def model_link(model_id: str, display_name: str, url: str | None, hub_url: str) -> str:
    """Markdown link to the model repo (``url`` from the file, else ``hub_url/model_id`` for a Hub id)."""
    url = url if isinstance(url, str) and url else None  # a missing url is NaN in the scores frame
    target = url or (f"{hub_url.rstrip('/')}/{model_id}" if model_id.count("/") == 1 else None)
    name = display_name.replace("[", "(").replace("]", ")")
    return f"[{name}]({target})" if target else name


def filter_scores(scores: pd.DataFrame, search: str = "", types: Sequence[str] | None = None) -> pd.DataFrame:
    """Rows of models whose display name or id contains a search term (";" separates terms, case-insensitive)
    and whose type is in ``types`` (all types if None)."""
    if types is not None:
        scores = scores[scores["type"].isin(list(types))]
    terms = [t.strip().lower() for t in search.split(";") if t.strip()]
    if terms and not scores.empty:
        hay = (scores["display_name"] + " " + scores["model_id"]).str.lower()
        scores = scores[hay.apply(lambda h: any(t in h for t in terms))]
    return scores


def _pick(scores: pd.DataFrame, protocol: str, groups: Sequence[str]) -> pd.DataFrame:
    chosen = scores[scores["group"].isin(groups)]
    keep = (chosen["benchmark"] == KQA) | (chosen["protocol"] == protocol)
    return chosen[keep]


def _column_order(label: str) -> tuple:
    order = {c.label: i for i, c in enumerate(MC_COLUMNS + KQA_COLUMNS)}
    if label.startswith("IBMSEE "):  # sittings in id order, then "all"
        return (order["IBMSEE"], label == f"IBMSEE {ALL_SITTINGS}", label)
    return (order.get(label, len(order)), False, label)


def _ordered_headers(chosen: pd.DataFrame) -> list[str]:
    pairs = chosen[["column", "header"]].drop_duplicates()
    return [h for _, h in sorted(zip(pairs["column"], pairs["header"]), key=lambda t: (_column_order(t[0]), t[1]))]


def _format_ci(lo: float, hi: float, digits: int = 1, n: Any = None) -> str:
    """"44.0–52.0"; an interval on fewer than ``SMALL_N`` questions is marked: "0.0–56.1 ⚠ n=3"."""
    text = "" if math.isnan(lo) or math.isnan(hi) else f"{lo:.{digits}f}–{hi:.{digits}f}"
    if _known(n) and int(n) < SMALL_N:
        text = f"{text} ⚠ n={int(n)}".strip()
    return text


def _known(n: Any) -> bool:
    return n is not None and not (isinstance(n, float) and math.isnan(n))


def small_model_keys(scores: pd.DataFrame, min_n: int) -> set[str]:
    """Models whose every score rests on fewer than ``min_n`` questions (unknown n counts as enough)."""
    if scores.empty:
        return set()
    enough = scores["n"].isna() | (scores["n"].fillna(0) >= min_n)
    return set(scores["model_key"]) - set(scores.loc[enough, "model_key"])


def pass_verdict(ci_lo: float, ci_hi: float, pass_mark: float) -> str:
    """"pass ✅" when the interval's lower bound clears the pass mark (percent), "fail ❌" when its upper bound
    is below it, else "uncertain ❔"."""
    if not math.isnan(ci_lo) and ci_lo >= 100 * pass_mark - 1e-9:
        return "pass ✅"
    if not math.isnan(ci_hi) and ci_hi < 100 * pass_mark - 1e-9:
        return "fail ❌"
    return "uncertain ❔"


BENCHMARK_NAMES = {"mmlu-fa": "MMLU-fa", "ibmsee": "IBMSEE", KQA: "K-QA-fa"}


def n_header(benchmark: str) -> str:
    return f"{BENCHMARK_NAMES.get(benchmark, benchmark)} n"


def leaderboard_table(
    scores: pd.DataFrame,
    protocol: str = "generate",
    *,
    hub_url: str = "https://huggingface.co",
    search: str = "",
    types: Sequence[str] | None = None,
    groups: Sequence[str] = COLUMN_GROUPS,
    sort_by: str | None = None,
    descending: bool = True,
    show_ci: bool = True,
    min_n: int = 0,
    links: bool = True,
) -> pd.DataFrame:
    """The wide table the Space shows: Model (markdown link, or the plain name without ``links``), Type, Source,
    Revision, then score columns in percent, each with its "… 95% CI" column (``show_ci``), and "<benchmark> n".

    The columns depend on the protocol and column groups only, never on the search, so sorting and the chart keep
    their column while one types. ``search`` matches display names and ids (case-insensitive; ";" separates
    alternatives); ``types`` keeps those model types; rows of models whose every score rests on fewer than
    ``min_n`` questions are left out; ``sort_by`` is a score header or "Model" (default: the MMLU-fa average, else
    the first score column), best first when ``descending`` (lowest first for a "↓" column); rows without the
    value sort last. Each IBMSEE sitting with a recorded pass mark adds its pass column (:func:`pass_verdict`);
    ``all`` never has one. An interval on fewer than ``SMALL_N`` questions is marked "⚠ n=…".
    """
    everything = _pick(scores, protocol, groups)
    headers = _ordered_headers(everything)
    benchmarks = [b for b in (*MC_BENCHMARKS, KQA) if b in set(everything["benchmark"])]
    chosen = _pick(filter_scores(scores, search, types), protocol, groups)
    if min_n > 0:
        chosen = chosen[~chosen["model_key"].isin(small_model_keys(scores, min_n))]
    rows: dict[str, dict[str, Any]] = {}
    for rec in chosen.itertuples(index=False):
        row = rows.setdefault(
            rec.model_key,
            {
                "Model": model_link(rec.model_id, rec.display_name, rec.url, hub_url) if links else rec.display_name,
                "Type": rec.type,
                "Source": rec.source,
                "Revision": (rec.revision or "main")[:12] + (f" + {rec.adapter}" if rec.adapter else ""),
                "_name": rec.display_name.lower(),
            },
        )
        digits = 2 if rec.metric in COUNT_METRICS else 1  # a count per answer keeps two decimals
        row[rec.header] = round(rec.score, digits)
        row[f"{rec.header} 95% CI"] = _format_ci(rec.ci_lo, rec.ci_hi, digits, rec.n)
        if _known(rec.n):
            row[n_header(rec.benchmark)] = max(int(rec.n), row.get(n_header(rec.benchmark), 0))
        if rec.benchmark == "ibmsee" and _known(rec.pass_mark):
            row[_pass_header(rec.column, rec.pass_mark)] = pass_verdict(rec.ci_lo, rec.ci_hi, rec.pass_mark)
    columns = ["Model", "Type", "Source", "Revision"]
    for header in headers:
        columns.append(header)
        if show_ci:
            columns.append(f"{header} 95% CI")
        if header.startswith("IBMSEE "):  # a verdict column only for a sitting whose files record a pass mark
            here = everything[everything["header"] == header]
            label = here["column"].iloc[0]
            columns += [_pass_header(label, m) for m in sorted(here["pass_mark"].dropna().unique())]
    columns += [n_header(b) for b in benchmarks]
    table = pd.DataFrame(list(rows.values()), columns=columns + ["_name"])
    for b in benchmarks:
        table[n_header(b)] = table[n_header(b)].astype("Int64")
    table = _sort(table, headers, sort_by, descending)
    return table.drop(columns="_name").reset_index(drop=True)


def _pass_header(column: str, mark: float) -> str:
    """"IBMSEE medicine-1402-06 pass (≥36%)": the verdict column of one sitting."""
    return f"{column} pass (≥{100 * mark:g}%)"


def default_sort_column(headers: Sequence[str]) -> str | None:
    for header in headers:
        if header.startswith("MMLU-fa avg ("):
            return header
    return headers[0] if headers else None


def _sort(table: pd.DataFrame, headers: Sequence[str], sort_by: str | None, descending: bool) -> pd.DataFrame:
    if sort_by == "Model":
        return table.sort_values("_name", ascending=not descending, kind="stable")
    if sort_by not in headers:
        sort_by = default_sort_column(headers)
    if sort_by is None:
        return table.sort_values("_name", kind="stable")
    best_first_is_high = not sort_by.endswith("↓")
    ascending = not descending if best_first_is_high else descending
    return table.sort_values([sort_by, "_name"], ascending=[ascending, True], na_position="last", kind="stable")


def score_headers(table: pd.DataFrame) -> list[str]:
    """The numeric score columns of a ``leaderboard_table`` (the choices for sorting and the chart)."""
    return [c for c in table.columns if c not in {"Model", "Type", "Source", "Revision"}
            and not c.endswith((" 95% CI", " n")) and not (c.startswith("IBMSEE ") and " pass (≥" in c)]


def bar_chart_svg(scores: pd.DataFrame, header: str | None, model_keys: Sequence[str] | None = None) -> str:
    """A horizontal bar chart (inline SVG) of one score column with its 95% intervals as error bars.

    ``scores`` is the long frame; ``header`` a score header ("MMLU-fa avg (generate)"); ``model_keys``
    limits the bars to those models (the filtered table's rows). Returns HTML, empty-state text if no data.
    """
    if not header:
        return "<p class='lb-empty'>No scores to plot.</p>"
    data = scores[scores["header"] == header]
    if model_keys is not None:
        data = data[data["model_key"].isin(list(model_keys))]
    if data.empty:
        return f"<p class='lb-empty'>No scores for {html.escape(header)}.</p>"
    data = data.sort_values("score", ascending=False)
    # Drawn 560 units wide: shown 1:1 (13 px text) on a phone, where style.css gives it a 560 px minimum width
    # and lets it scroll, and at most 760 px wide on a desktop.
    bar_h, gap, left, width, right = 22, 8, 190, 300, 70
    height = len(data) * (bar_h + gap) + 40
    highest = float(max(data["score"].max(), data["ci_hi"].max(skipna=True) if data["ci_hi"].notna().any() else 0))
    counts = bool(data["metric"].isin(COUNT_METRICS).all())
    top_value = max(1.0, highest * 1.1) if counts else max(100.0, highest)
    tick_step = top_value / 5 if counts else 20
    digits = 2 if counts else 1
    scale = width / top_value
    parts = [
        (
            f"<svg xmlns='http://www.w3.org/2000/svg' role='img' dir='ltr' class='lb-chart' "
            f"viewBox='0 0 {left + width + right} {height}' width='100%'>"
        ),
        f"<title>{html.escape(header)} with 95% intervals</title>",
    ]
    for k in range(int(top_value / tick_step + 1e-9) + 1):
        tick = k * tick_step
        x = left + tick * scale
        parts.append(f"<line x1='{x:.1f}' y1='0' x2='{x:.1f}' y2='{height - 30}' stroke='currentColor' "
                     "stroke-opacity='0.2'/>")
        parts.append(f"<text x='{x:.1f}' y='{height - 12}' font-size='12' text-anchor='middle'>{tick:.3g}</text>")
    for i, rec in enumerate(data.itertuples(index=False)):
        y = i * (bar_h + gap) + 4
        name = html.escape(rec.display_name if len(rec.display_name) <= 24 else rec.display_name[:23] + "…")
        parts.append(f"<text x='{left - 8}' y='{y + 15}' font-size='13' text-anchor='end'>{name}</text>")
        parts.append(
            f"<rect class='lb-bar' x='{left}' y='{y}' width='{rec.score * scale:.1f}' height='{bar_h}' "
            f"fill='#e07b39'><title>{html.escape(rec.display_name)}: {rec.score:.{digits}f}</title></rect>"
        )
        if not (math.isnan(rec.ci_lo) or math.isnan(rec.ci_hi)):
            x1, x2, yc = left + rec.ci_lo * scale, left + rec.ci_hi * scale, y + bar_h / 2
            parts.append(
                f"<g class='lb-errorbar' stroke='currentColor' stroke-width='1.5'>"
                f"<line x1='{x1:.1f}' y1='{yc}' x2='{x2:.1f}' y2='{yc}'/>"
                f"<line x1='{x1:.1f}' y1='{y + 5}' x2='{x1:.1f}' y2='{y + bar_h - 5}'/>"
                f"<line x1='{x2:.1f}' y1='{y + 5}' x2='{x2:.1f}' y2='{y + bar_h - 5}'/></g>"
            )
        label_x = left + max(rec.score, 0 if math.isnan(rec.ci_hi) else rec.ci_hi) * scale + 6
        parts.append(f"<text x='{label_x:.1f}' y='{y + 15}' font-size='12'>{rec.score:.{digits}f}</text>")
    unit = "per answer" if counts else "%"
    parts.append(f"<text x='{left + width / 2}' y='{height}' font-size='12' text-anchor='middle'>{unit}</text></svg>")
    return "".join(parts)


def write_records_csv(results: Sequence[ParsedResult], out_path: Path, model_keys: Sequence[str] | None = None) -> int:
    """Write the per-question records of ``results`` (only ``model_keys`` if given) as CSV; returns the row count.

    UTF-8 with a byte-order mark, so spreadsheet programs show Persian text as Persian. Records are re-read from
    each result file, so the in-memory leaderboard never holds them.
    """
    wanted = None if model_keys is None else set(model_keys)
    count = 0
    with open(out_path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(RECORD_FIELDS), extrasaction="ignore")
        writer.writeheader()
        for result in results:
            if wanted is not None and result.model.key not in wanted:
                continue
            model = result.model
            base = {
                "model_id": model.id, "model_revision": model.revision or "", "adapter": model.adapter or "",
                "display_name": model.display_name, "benchmark": result.benchmark, "config": result.config,
                "protocol": result.protocol,
            }
            for record in _loads(Path(result.path).read_bytes()).get("records") or []:
                writer.writerow({**base, **{k: record.get(k, "") for k in RECORD_FIELDS if k in record}})
                count += 1
    return count


def write_table_csv(table: pd.DataFrame, out_path: Path) -> int:
    """Write a ``leaderboard_table`` (as shown: filtered, sorted) as CSV, UTF-8 with a BOM; returns the row count."""
    table.to_csv(out_path, index=False, encoding="utf-8-sig")
    return len(table)


def fetch_results(
    repo_id: str,
    *,
    revision: str | None = None,
    endpoint: str | None = None,
    token: str | None = None,
    cache_dir: Path | None = None,
) -> list[Path]:
    """Download ``results/*.json`` of the results dataset repo (only changed files) and list them, sorted."""
    from huggingface_hub import snapshot_download

    folder = snapshot_download(
        repo_id,
        repo_type="dataset",
        revision=revision,
        allow_patterns=["results/*.json"],
        endpoint=endpoint,
        token=token,
        cache_dir=cache_dir,
    )
    return sorted((Path(folder) / "results").glob("*.json"))
