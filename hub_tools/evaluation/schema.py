"""The evaluation result file (SCHEMAS.md §3): dataclasses, load/save/validate, file names, Hub exports.

One JSON file per model × revision × benchmark × config × protocol, named
``<model_slug>__<benchmark>__<protocol>.json`` for the benchmark's default config and ``<model_slug>__<benchmark>-<config>__<protocol>.json`` for any other (an
IBMSEE sitting, ``all``, an MMLU-fa subject), so one model's sittings never overwrite each other (``model_slug`` =
model id with "/" -> "--"). The Space reads these files as plain JSON, so everything here
round-trips through ``json`` without custom types.

Hub exports:

- ``to_eval_results(result)`` -> ``huggingface_hub.EvalResult`` list, the legacy ``model-index`` entries of a model
  card. Accuracy-type values are **percentages** (0-100, two decimals), as Gaokerena's paper tables and most
  Persian-LLM model cards show them; the raw 0-1 fraction stays in the result file.
- ``to_eval_result_entries(result)`` / ``to_hub_eval_results_yaml(result)`` -> the Hub's newer
  ``.eval_results/*.yaml`` format (huggingface_hub 2.4.0 documents it in ``huggingface_hub._eval_results``:
  ``EvalResultEntry`` + ``eval_result_entries_to_yaml``; spec https://github.com/huggingface/hub-docs/blob/main/
  eval_results.yaml). ``dataset.task_id`` is the dataset config, and the value is a percentage as above.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
BENCHMARKS = ("mmlu-fa", "ibmsee", "kqa-fa")
#: K-QA-fa protocols: ``pairwise``, and the judging modes of K-QA's metrics: ``kqa`` (K-QA's own two questions per
#: statement), ``kqa-3way`` (one three-way verdict) and ``kqa-metrics`` (files written before the modes: one
#: three-way verdict, Comp averaged over the judged questions). Scores of different modes are never ranked together.
KQA_MODES = ("kqa", "kqa-3way", "kqa-metrics")
KQA_PROTOCOLS = ("pairwise", *KQA_MODES)
PROTOCOLS = ("generate", "loglikelihood", *KQA_PROTOCOLS)
MC_PROTOCOLS = ("generate", "loglikelihood")
MODEL_TYPES = ("fine-tuned", "base", "general", "translation-pipeline", "quantized")
SOURCES = ("gaokerena eval", "paper import")
LETTERS = ("A", "B", "C", "D")
#: Pass marks a source supports (share of the questions), by IBMSEE sitting: sitting id -> (mark, source). Every
#: other sitting, and ``all``, has no pass mark (no verdict is ever shown for it).
IBMSEE_PASS_MARKS: dict[str, tuple[float, str]] = {
    "medicine-1402-06": (0.36, "Gaokerena paper (Ghassabi et al., 2025, arXiv:2505.16000)"),
}
IBMSEE_PASS_MARK = IBMSEE_PASS_MARKS["medicine-1402-06"][0]  # the paper's sitting (medicine, Shahrivar 1402)

#: The config a benchmark is evaluated on unless another is asked for (its result file name does not repeat it).
DEFAULT_CONFIGS = {"mmlu-fa": "all", "ibmsee": "medicine-1402-06", "kqa-fa": "default"}
#: Default Hub dataset ids and the human-readable names used on cards.
DATASET_IDS = {"mmlu-fa": "gaokerena/MMLU-fa", "ibmsee": "gaokerena/IBMSEE", "kqa-fa": "gaokerena/K-QA-fa"}
DATASET_NAMES = {
    "mmlu-fa": "MMLU-fa (medical subjects)",
    "ibmsee": "IBMSEE (Iranian Basic Medical Sciences Entrance Exam)",
    "kqa-fa": "K-QA-fa",
}
PAPER_URL = "https://arxiv.org/abs/2505.16000"

#: K-QA metric keys (see :mod:`hub_tools.evaluation.kqa`): ``Comp`` and ``Hall`` with K-QA's fixed denominator and,
#: in files of the ``kqa``/``kqa-3way`` modes, ``Comp_norm``/``Hall_norm`` over the answered questions; ``Hall`` is
#: a count per question (not a fraction). Files written before Comp/Hall carried the legacy pair.
KQA_METRIC_KEYS = ("Comp", "Hall")
KQA_NORM_METRIC_KEYS = ("Comp_norm", "Hall_norm")
KQA_LEGACY_METRIC_KEYS = ("comprehensiveness", "hallucination_rate")
#: Metrics where a lower value is better; leaderboards and cards sort and mark them accordingly.
LOWER_IS_BETTER = frozenset({"Hall", "Hall_norm", "answers_with_contradiction_share",
                             "answers_with_must_have_contradiction_share",
                             "hallucination_rate", "loss_rate"})


Z95 = 1.959963984540054  # the standard normal's 97.5% quantile


def wilson_interval(correct: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``correct/n`` (fractions); (nan, nan) for n = 0.

    It keeps its real width at small n (0 of 8 -> 0.0-0.32, not 0-0). ``correct`` may be fractional: for a mean of
    values in [0, 1] (a K-QA Comp, a win rate) the Wilson interval at the mean is conservative, since such values
    vary at most as much as yes/no answers with the same mean.
    """
    if n <= 0:
        return math.nan, math.nan
    p = correct / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(max(0.0, p * (1 - p)) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def poisson_mean_interval(total: float, n: int, z: float = Z95) -> tuple[float, float]:
    """95% interval of a mean count per item from ``total`` counts over ``n`` items (Byar's approximation of the
    exact Poisson interval; 0 over 3 items -> 0-1.22, not 0-0); (nan, nan) for n = 0."""
    if n <= 0:
        return math.nan, math.nan
    x = max(0.0, float(total))
    lower = 0.0 if x == 0 else x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return max(0.0, lower) / n, upper / n


def ibmsee_pass_mark(sitting: str) -> float | None:
    """The pass mark a source gives for an IBMSEE sitting (:data:`IBMSEE_PASS_MARKS`), else None."""
    known = IBMSEE_PASS_MARKS.get(sitting)
    return known[0] if known else None


def metric_direction(name: str) -> str:
    """"lower" for metrics in :data:`LOWER_IS_BETTER`, else "higher"."""
    return "lower" if name in LOWER_IS_BETTER else "higher"


class ResultValidationError(ValueError):
    """A result file or object breaks SCHEMAS §3; the message names the file (when known) and the field."""

    def __init__(self, message: str, *, path: str | Path | None = None, field: str | None = None):
        self.path = None if path is None else str(path)
        self.field = field
        where = ", ".join(part for part in (self.path and f"file {self.path}", field and f"field {field!r}") if part)
        super().__init__(f"{where}: {message}" if where else message)


@dataclass
class ModelInfo:
    id: str
    display_name: str
    type: str
    revision: str | None = None
    adapter: str | None = None
    url: str | None = None


@dataclass
class BenchmarkInfo:
    name: str
    dataset_id: str
    config: str
    split: str = "test"
    dataset_revision: str | None = None
    pass_mark: float | None = None  # ibmsee only

    def to_dict(self) -> dict:
        data = asdict(self)
        if self.name != "ibmsee" and self.pass_mark is None:
            data.pop("pass_mark")
        return data


@dataclass
class Result:
    model: ModelInfo
    benchmark: BenchmarkInfo
    protocol: str
    metrics: dict[str, Any]
    subsets: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    versions: dict[str, Any] = field(default_factory=dict)
    created_at: str = field(default_factory=lambda: utc_now())
    source: str = "gaokerena eval"
    schema_version: int = SCHEMA_VERSION
    extra: dict[str, Any] = field(default_factory=dict)  # unknown top-level keys, kept on round trips

    # ---------------------------------------------------------------- (de)serialisation
    def to_dict(self) -> dict[str, Any]:
        data = {
            "schema_version": self.schema_version,
            "model": asdict(self.model),
            "benchmark": self.benchmark.to_dict(),
            "protocol": self.protocol,
            "metrics": self.metrics,
            "subsets": self.subsets,
            "records": self.records,
            "config": self.config,
            "versions": self.versions,
            "created_at": self.created_at,
            "source": self.source,
        }
        data.update(self.extra)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, path: str | Path | None = None) -> "Result":
        validate_dict(data, path=path)
        known = {"schema_version", "model", "benchmark", "protocol", "metrics", "subsets", "records", "config",
                 "versions", "created_at", "source"}  # fmt: skip
        model = data["model"]
        bench = data["benchmark"]
        return cls(
            model=ModelInfo(
                id=model["id"], display_name=model["display_name"], type=model["type"],
                revision=model.get("revision"), adapter=model.get("adapter"), url=model.get("url"),
            ),  # fmt: skip
            benchmark=BenchmarkInfo(
                name=bench["name"], dataset_id=bench["dataset_id"], config=bench["config"], split=bench["split"],
                dataset_revision=bench.get("dataset_revision"), pass_mark=bench.get("pass_mark"),
            ),  # fmt: skip
            protocol=data["protocol"],
            metrics=dict(data["metrics"]),
            subsets=dict(data.get("subsets") or {}),
            records=list(data.get("records") or []),
            config=dict(data.get("config") or {}),
            versions=dict(data.get("versions") or {}),
            created_at=data["created_at"],
            source=data["source"],
            schema_version=data["schema_version"],
            extra={key: value for key, value in data.items() if key not in known},
        )

    def validate(self) -> None:
        validate_dict(self.to_dict())

    def save(self, out: str | Path) -> Path:
        """Write to ``out`` (a directory -> ``out/result_filename(self)``, or a ``.json`` path); return the path."""
        out = Path(out)
        path = out if out.suffix == ".json" else out / result_filename(self)
        data = self.to_dict()
        validate_dict(data, path=path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False) + "\n", encoding="utf-8")
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "Result":
        return load_result(path)


def utc_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def model_slug(model_id: str) -> str:
    return model_id.replace("/", "--")


def _portable(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._+\-]", "_", name)  # keep file names portable


def benchmark_file_part(benchmark: str, config: str | None) -> str:
    """``<benchmark>`` for the default config, ``<benchmark>-<config>`` for any other."""
    if not config or config == DEFAULT_CONFIGS.get(benchmark):
        return benchmark
    return f"{benchmark}-{_portable(config)}"


def result_filename(result: Result | dict) -> str:
    """``<model_slug>__<benchmark>[-<config>]__<protocol>.json``; ``model_slug`` is the model id with "/" -> "--"; the
    config is named when it is not the benchmark's default."""
    data = result.to_dict() if isinstance(result, Result) else result
    slug = _portable(model_slug(data["model"]["id"]))
    bench = data["benchmark"]
    return f"{slug}__{benchmark_file_part(bench['name'], bench.get('config'))}__{data['protocol']}.json"


def load_result(path: str | Path) -> Result:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultValidationError("no such result file", path=path) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ResultValidationError(f"not valid JSON ({err})", path=path) from None
    return Result.from_dict(data, path=path)


def save_result(result: Result, out: str | Path) -> Path:
    return result.save(out)


# -------------------------------------------------------------------------------------------------- validation
def _fail(message: str, path, field_name: str):
    raise ResultValidationError(message, path=path, field=field_name)


def _require(data: dict, key: str, types, path, prefix: str = "", *, nullable: bool = False):
    name = f"{prefix}{key}"
    if not isinstance(data, dict):
        _fail("must be an object", path, prefix.rstrip(".") or "<root>")
    if key not in data:
        _fail("missing", path, name)
    value = data[key]
    if value is None and nullable:
        return value
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        _fail(f"must be {_type_names(types)}, got bool", path, name)
    if not isinstance(value, types):
        _fail(f"must be {_type_names(types)}{' or null' if nullable else ''}, got {type(value).__name__}", path, name)
    return value


def _type_names(types) -> str:
    types = types if isinstance(types, tuple) else (types,)
    return " or ".join({"str": "a string", "int": "an integer", "float": "a number", "dict": "an object",
                        "list": "a list", "bool": "a boolean"}.get(t.__name__, t.__name__) for t in types)  # fmt: skip


def _check_fraction(value, path, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or not 0 <= value <= 1:
        _fail(f"must be a number in [0, 1], got {value!r}", path, name)


def _check_ci(value, path, name):
    if not isinstance(value, list) or len(value) != 2:
        _fail(f"must be a [low, high] pair, got {value!r}", path, name)
    for item in value:
        _check_fraction(item, path, name)
    if value[0] > value[1]:
        _fail(f"low {value[0]} is above high {value[1]}", path, name)


def _check_count(value, path, name):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value) or value < 0:
        _fail(f"must be a number >= 0, got {value!r}", path, name)


def _check_kqa_metrics(metrics: dict, path, keys: tuple[str, ...]) -> None:
    """Each key and its ``_ci95`` pair: fractions, except ``Hall`` (a mean count, >= 0)."""
    for key in keys:
        check = _check_count if key.startswith("Hall") else _check_fraction
        check(_require(metrics, key, (int, float), path, "metrics."), path, f"metrics.{key}")
        ci = _require(metrics, f"{key}_ci95", list, path, "metrics.")
        if not isinstance(ci, list) or len(ci) != 2:
            _fail(f"must be a [low, high] pair, got {ci!r}", path, f"metrics.{key}_ci95")
        for item in ci:
            check(item, path, f"metrics.{key}_ci95")
        if ci[0] > ci[1]:
            _fail(f"low {ci[0]} is above high {ci[1]}", path, f"metrics.{key}_ci95")


def _check_count_block(block: dict, path, prefix: str) -> None:
    _check_fraction(_require(block, "accuracy", (int, float), path, prefix), path, prefix + "accuracy")
    n = _require(block, "n", int, path, prefix)
    correct = _require(block, "correct", int, path, prefix)
    invalid = _require(block, "invalid", int, path, prefix)
    if n < 0 or not 0 <= correct <= n or not 0 <= invalid <= n:
        _fail(f"counts out of range (n={n}, correct={correct}, invalid={invalid})", path, prefix.rstrip("."))
    if n and abs(block["accuracy"] - correct / n) > 1e-9:
        _fail(f"accuracy {block['accuracy']} is not correct/n = {correct}/{n}", path, prefix + "accuracy")
    _check_ci(_require(block, "ci95", list, path, prefix), path, prefix + "ci95")


def validate_dict(data: Any, *, path: str | Path | None = None) -> None:
    """Raise ``ResultValidationError`` (naming file and field) unless ``data`` follows SCHEMAS §3."""
    if not isinstance(data, dict):
        _fail("a result must be a JSON object", path, "<root>")
    version = _require(data, "schema_version", int, path)
    if version != SCHEMA_VERSION:
        _fail(f"unsupported schema_version {version} (this tool reads {SCHEMA_VERSION})", path, "schema_version")
    model = _require(data, "model", dict, path)
    _require(model, "id", str, path, "model.")
    if not model["id"]:
        _fail("must not be empty", path, "model.id")
    _require(model, "display_name", str, path, "model.")
    mtype = _require(model, "type", str, path, "model.")
    if mtype not in MODEL_TYPES:
        _fail(f"must be one of {', '.join(MODEL_TYPES)}, got {mtype!r}", path, "model.type")
    for key in ("revision", "adapter", "url"):
        _require(model, key, str, path, "model.", nullable=True)
    bench = _require(data, "benchmark", dict, path)
    name = _require(bench, "name", str, path, "benchmark.")
    if name not in BENCHMARKS:
        _fail(f"must be one of {', '.join(BENCHMARKS)}, got {name!r}", path, "benchmark.name")
    _require(bench, "dataset_id", str, path, "benchmark.")
    _require(bench, "config", str, path, "benchmark.")
    _require(bench, "split", str, path, "benchmark.")
    _require(bench, "dataset_revision", str, path, "benchmark.", nullable=True)
    if name == "ibmsee":  # null: the sitting's source gives no pass mark (and "all" never has one)
        mark = _require(bench, "pass_mark", (int, float), path, "benchmark.", nullable=True)
        if mark is not None:
            _check_fraction(mark, path, "benchmark.pass_mark")
    protocol = _require(data, "protocol", str, path)
    if protocol not in PROTOCOLS:
        _fail(f"must be one of {', '.join(PROTOCOLS)}, got {protocol!r}", path, "protocol")
    if (name == "kqa-fa") != (protocol in KQA_PROTOCOLS):
        _fail(f"protocol {protocol!r} does not apply to benchmark {name!r}", path, "protocol")
    metrics = _require(data, "metrics", dict, path)
    _require(metrics, "n", int, path, "metrics.")
    if protocol in MC_PROTOCOLS:
        _check_count_block(metrics, path, "metrics.")
        _check_fraction(_require(metrics, "acc,none", (int, float), path, "metrics."), path, "metrics.acc,none")
        _require(metrics, "acc_stderr,none", (int, float), path, "metrics.")
    elif protocol == "kqa-metrics" and "Comp" not in metrics and "comprehensiveness" in metrics:
        _check_kqa_metrics(metrics, path, KQA_LEGACY_METRIC_KEYS)  # a file written before Comp/Hall
    elif protocol in ("kqa", "kqa-3way"):
        _check_kqa_metrics(metrics, path, KQA_METRIC_KEYS + KQA_NORM_METRIC_KEYS)
    else:
        _check_kqa_metrics(metrics, path, ("win_rate",) if protocol == "pairwise" else KQA_METRIC_KEYS)
    subsets = _require(data, "subsets", dict, path)
    if protocol in MC_PROTOCOLS:
        for subset, block in subsets.items():
            if not isinstance(block, dict):
                _fail("must be an object", path, f"subsets.{subset}")
            _check_count_block(block, path, f"subsets.{subset}.")
    records = _require(data, "records", list, path)
    for index, record in enumerate(records):
        prefix = f"records[{index}]."
        if not isinstance(record, dict):
            _fail("must be an object", path, prefix.rstrip("."))
        _require(record, "id", str, path, prefix)
        _require(record, "raw_output", str, path, prefix)
        if protocol in MC_PROTOCOLS:
            _require(record, "subset", str, path, prefix)
            gold = _require(record, "gold", str, path, prefix)
            if gold not in LETTERS:
                _fail(f"must be one of A-D, got {gold!r}", path, prefix + "gold")
            pred = _require(record, "prediction", str, path, prefix)
            if pred not in LETTERS + ("invalid",):
                _fail(f"must be one of A-D or 'invalid', got {pred!r}", path, prefix + "prediction")
            correct = _require(record, "correct", bool, path, prefix)
            if correct != (pred == gold):
                _fail(f"says {correct} but prediction {pred!r} vs gold {gold!r}", path, prefix + "correct")
    _require(data, "config", dict, path)
    _require(data, "versions", dict, path)
    created = _require(data, "created_at", str, path)
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", created):
        _fail(f"must look like YYYY-MM-DDTHH:MM:SSZ, got {created!r}", path, "created_at")
    source = _require(data, "source", str, path)
    if source not in SOURCES:
        _fail(f"must be one of {', '.join(map(repr, SOURCES))}, got {source!r}", path, "source")


# -------------------------------------------------------------------------------------------------- Hub exports
def _headline(result: Result) -> list[tuple[str, str, float]]:
    """(metric_type, metric_name, value as a fraction) pairs a card shows for this result."""
    m = result.metrics
    if result.protocol in MC_PROTOCOLS:
        return [("accuracy", f"accuracy ({result.protocol})", m["accuracy"])]
    if result.protocol == "pairwise":
        return [("win_rate", "win rate (pairwise, LLM judge)", m["win_rate"])]
    if "Comp" not in m:  # a file written before Comp/Hall
        return [
            ("comprehensiveness", "comprehensiveness (K-QA)", m["comprehensiveness"]),
            ("hallucination_rate", "share of answers with a contradiction", m["hallucination_rate"]),
        ]
    return [("Comp", f"Comp (K-QA comprehensiveness, judge mode {result.protocol})", m["Comp"])]


def _percent(value: float) -> float:
    return round(100.0 * float(value), 2)


def _source(result: Result) -> tuple[str, str | None]:
    if result.source == "paper import":
        return "Gaokerena paper (Ghassabi et al., 2025), re-scored per question", PAPER_URL
    url = result.config.get("source_url") if isinstance(result.config, dict) else None
    return "gaokerena eval", url


def to_eval_results(result: Result) -> list:
    """``huggingface_hub.EvalResult`` entries (model-index) for a result: the overall metric and one per subset.

    task_type "multiple-choice" (mmlu-fa, ibmsee) / "text-generation" (kqa-fa); dataset_type = Hub dataset id;
    metric_type "accuracy" (or win_rate / Comp for kqa-fa); metric_value in percent (0-100, 2 decimals). K-QA's
    ``Hall`` is a mean count, not a percentage, so it stays in the result file and the card's own table.
    """
    from huggingface_hub import EvalResult

    task_type = "multiple-choice" if result.protocol in MC_PROTOCOLS else "text-generation"
    task_name = {"mmlu-fa": "Medical multiple-choice QA (Persian)", "ibmsee": "Medical entrance exam (Persian)",
                 "kqa-fa": "Medical long-form QA (Persian)"}[result.benchmark.name]  # fmt: skip
    source_name, source_url = _source(result)
    common = dict(
        task_type=task_type,
        task_name=task_name,
        dataset_type=result.benchmark.dataset_id,
        dataset_split=result.benchmark.split,
        dataset_revision=result.benchmark.dataset_revision,
        source_name=source_name if source_url else None,
        source_url=source_url,
    )
    out = []
    for metric_type, metric_name, value in _headline(result):
        out.append(
            EvalResult(
                dataset_name=DATASET_NAMES[result.benchmark.name],
                dataset_config=result.benchmark.config,
                metric_type=metric_type,
                metric_name=metric_name,
                metric_value=_percent(value),
                **common,
            )
        )
    if result.protocol in MC_PROTOCOLS:
        for subset, block in sorted(result.subsets.items()):
            if subset == result.benchmark.config:
                continue  # the overall entry already is this config
            out.append(
                EvalResult(
                    dataset_name=f"{DATASET_NAMES[result.benchmark.name]}: {subset}",
                    dataset_config=subset,
                    metric_type="accuracy",
                    metric_name=f"accuracy ({result.protocol})",
                    metric_value=_percent(block["accuracy"]),
                    **common,
                )
            )
    return out


def to_eval_result_entries(result: Result) -> list:
    """``huggingface_hub.EvalResultEntry`` objects for ``.eval_results/*.yaml`` (task_id = dataset config)."""
    from huggingface_hub import EvalResultEntry

    source_name, source_url = _source(result)
    notes = f"protocol={result.protocol}"
    if result.model.adapter:
        notes += f"; adapter={result.model.adapter}"
    entries = []
    pairs = [(result.benchmark.config, value, metric) for metric, _, value in _headline(result)]
    if result.protocol in MC_PROTOCOLS:
        pairs += [(subset, block["accuracy"], "accuracy") for subset, block in sorted(result.subsets.items())
                  if subset != result.benchmark.config]  # fmt: skip
    for task_id, value, metric in pairs:
        entries.append(
            EvalResultEntry(
                dataset_id=result.benchmark.dataset_id,
                task_id=task_id,
                value=_percent(value),
                dataset_revision=result.benchmark.dataset_revision,
                date=result.created_at,
                source_url=source_url,
                source_name=source_name if source_url else None,
                notes=notes if metric == "accuracy" else f"{notes}; metric={metric}",
            )
        )
    return entries


def to_hub_eval_results_yaml(result: Result) -> str:
    """The YAML text of a ``.eval_results/<name>.yaml`` file for this result (a list of entries)."""
    import yaml
    from huggingface_hub import eval_result_entries_to_yaml

    data = eval_result_entries_to_yaml(to_eval_result_entries(result))
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def eval_results_yaml_filename(result: Result) -> str:
    """Where ``to_hub_eval_results_yaml`` goes in a model repo:
    ``.eval_results/<benchmark>[-<config>]__<protocol>.yaml`` (the config named when it is not the default, as in
    :func:`result_filename`)."""
    part = benchmark_file_part(result.benchmark.name, result.benchmark.config)
    return f".eval_results/{part}__{result.protocol}.yaml"
