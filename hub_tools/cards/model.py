"""Model and adapter cards, filled from the training runs' ``training_metadata.json`` and the evaluation results.

    card = build_model_card(repo_id="gaokerena/gaokerena-v1", version="v1.0", base_model="CohereForAI/aya-expanse-8b",
                            stages=[cpt_metadata, sft_metadata], results=[...], dataset_id=resolve, ...)
    card.save("README.md")

The metadata (YAML front matter) is a typed ``ModelCardData``; the body is a Jinja template shipped in
``hub_tools/cards/templates`` and rendered with ``StrictUndefined``, so a value the template needs but the inputs
lack raises instead of printing an empty string. Nothing in a card is typed by hand: training facts come from
the stages' metadata (SCHEMAS §2), scores from the result files (SCHEMAS §3).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from huggingface_hub import EvalResult, ModelCard, ModelCardData

from hub_tools.evaluation.schema import LOWER_IS_BETTER, Result
from hub_tools.evaluation.schema import to_eval_results as result_to_eval_results


# The model every Gaokerena release descends from (named in the licence section whatever the build's base was).
UPSTREAM_MODEL = "CohereForAI/aya-expanse-8b"
PAPER_URL = "https://arxiv.org/abs/2505.16000"
STAGES = {
    "cpt": ("continued pre-training", "continued pre-training on the Persian medical corpus"),
    "sft": ("instruction tuning", "supervised fine-tuning on Persian doctor–patient question answering"),
}
MODEL_TAGS = ["medical", "persian", "gaokerena", "aya-expanse", "lora"]
REQUIRED_METADATA_KEYS = {
    "stage", "base_model", "datasets", "lora", "hyperparameters", "tokens_seen", "train_loss", "wall_time_s",
    "hardware", "versions", "co2_eq_emissions",
}  # fmt: skip


class CardError(ValueError):
    """Inputs that cannot make a correct card (missing metadata, unknown dataset, ...)."""


def load_training_metadata(folder: str | Path) -> dict[str, Any]:
    """``folder/training_metadata.json`` (SCHEMAS §2), checked for the keys the cards need."""
    path = Path(folder) / "training_metadata.json"
    if not path.is_file():
        raise CardError(f"{path} is missing: cards are filled from the training run's metadata")
    metadata = json.loads(path.read_text(encoding="utf-8"))
    missing = REQUIRED_METADATA_KEYS - metadata.keys()
    if missing:
        raise CardError(f"{path} lacks {sorted(missing)}")
    if metadata["stage"] not in STAGES:
        raise CardError(f"{path}: unknown stage {metadata['stage']!r}; expected one of {sorted(STAGES)}")
    return metadata


def build_model_card(
    *,
    repo_id: str,
    version: str,
    base_model: str,
    stages: list[dict[str, Any]],
    dataset_id: Callable[[str], str],
    results: list[dict[str, Any]] = (),  # type: ignore[assignment]
    results_repo: str | None = None,
    adapter_repos: list[str] = (),  # type: ignore[assignment]
    stage_bases: list[str] | None = None,
    root_model: str | None = None,
    namespace: str = "gaokerena",
    title: str = "Gaokerena",
    license: str = "cc-by-nc-sa-4.0",
    language: str = "fa",
    hub_url: str = "https://huggingface.co",
    hub_metadata: dict[str, Any] | None = None,
) -> ModelCard:
    """The card of a merged model: ``stages`` are the training metadata of the adapters merged into it, in order.

    ``dataset_id`` maps a dataset name as training recorded it (a Hub id or a local folder) to its Hub id.
    ``results`` are result documents (SCHEMAS §3) for this model; they become the model-index.
    ``stage_bases`` are the Hub ids each stage trained from (default: what the metadata recorded, which may be a
    local folder). ``hub_metadata``: further card metadata the Hub reads (``new_version``, ``extra_gated_fields``,
    ``extra_gated_prompt``).
    """
    if not stages:
        raise CardError(f"{repo_id}: a merged model card needs at least one training stage")
    bases = list(stage_bases) if stage_bases else [meta["base_model"] for meta in stages]
    if len(bases) != len(stages):
        raise CardError(f"{repo_id}: {len(stages)} stages but {len(bases)} stage base models")
    contexts = [_stage_context(meta, dataset_id, base) for meta, base in zip(stages, bases)]
    eval_results = to_eval_results(results)
    card_data = ModelCardData(
        language=[language],
        license=license,
        library_name="transformers",
        pipeline_tag="text-generation",
        base_model=base_model,
        base_model_relation="finetune",
        datasets=_unique(ds["id"] for ctx in contexts for ds in ctx["datasets"]),
        tags=MODEL_TAGS,
        co2_eq_emissions=combined_emissions(stages),
        model_name=repo_id if eval_results else None,
        eval_results=eval_results or None,
        **(hub_metadata or {}),
    )
    context = dict(
        _common_context(repo_id, version, base_model, namespace, title, license, language, hub_url, root_model),
        stages=contexts,
        adapter_repos=list(adapter_repos),
        results=[row for r in results for row in _result_rows(r)],
        results_repo=results_repo,
    )
    return _render("model_card.md", card_data, context)


def build_adapter_card(
    *,
    repo_id: str,
    version: str,
    base_model: str,
    stage: dict[str, Any],
    stage_index: int,
    dataset_id: Callable[[str], str],
    merged_repo: str | None = None,
    stage_base: str | None = None,
    root_model: str | None = None,
    namespace: str = "gaokerena",
    title: str = "Gaokerena",
    license: str = "cc-by-nc-sa-4.0",
    language: str = "fa",
    hub_url: str = "https://huggingface.co",
    hub_metadata: dict[str, Any] | None = None,
) -> ModelCard:
    """The card of one LoRA stage: ``base_model`` is the Hub id the adapter loads on (and, unless ``stage_base``
    says otherwise, the model the stage trained from)."""
    context = _stage_context(stage, dataset_id, stage_base or base_model)
    card_data = ModelCardData(
        language=[language],
        license=license,
        library_name="peft",
        pipeline_tag="text-generation",
        base_model=base_model,
        base_model_relation="adapter",
        datasets=_unique(ds["id"] for ds in context["datasets"]),
        tags=MODEL_TAGS + [stage["stage"]],
        co2_eq_emissions=combined_emissions([stage]),
        **(hub_metadata or {}),
    )
    ctx = dict(
        _common_context(repo_id, version, base_model, namespace, title, license, language, hub_url, root_model),
        stage=context,
        stage_index=stage_index,
        merged_repo=merged_repo,
    )
    return _render("adapter_card.md", card_data, ctx)


NOT_MEASURED = "not measured"


def _emissions_figure(block: dict[str, Any] | None) -> float | None:
    """The grams CO2eq a stage recorded; None when it recorded none (tracking off, codecarbon failed)."""
    if not block or block.get("emissions") is None:
        return None
    return float(block["emissions"])


def combined_emissions(stages: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The Hub's ``co2_eq_emissions`` block for the sum of the stages' codecarbon measurements (grams CO2eq);
    None (left out of the card's metadata) when any stage has no measurement: a partial sum would understate it."""
    blocks = [stage.get("co2_eq_emissions") for stage in stages]
    if not blocks or any(_emissions_figure(block) is None for block in blocks):
        return None
    for block in blocks:
        missing = {"emissions", "source", "training_type", "geographical_location", "hardware_used"} - block.keys()
        if missing:
            raise CardError(f"co2_eq_emissions lacks {sorted(missing)}")
    types = {block["training_type"] for block in blocks}
    return {
        "emissions": round(sum(float(block["emissions"]) for block in blocks), 6),
        "source": " + ".join(_unique(block["source"] for block in blocks)),
        "training_type": "pre-training" if types == {"pre-training"} else "fine-tuning",
        "geographical_location": " + ".join(_unique(block["geographical_location"] for block in blocks)),
        "hardware_used": " + ".join(_unique(block["hardware_used"] for block in blocks)),
    }


def to_eval_results(results: Iterable[dict[str, Any]]) -> list[EvalResult]:
    """Result documents (SCHEMAS §3) -> EvalResult list, by the evaluation package's converter."""
    return [item for result in results for item in result_to_eval_results(Result.from_dict(result))]


def _common_context(repo_id, version, base_model, namespace, title, license, language, hub_url, root_model):
    return {
        "repo_id": repo_id,
        "version": version,
        "base_model": base_model,
        "base_model_url": f"{hub_url.rstrip('/')}/{base_model}",
        "namespace": namespace,
        "title": title,
        "license": license,
        "language": language,
        "hub_url": hub_url.rstrip("/"),
        "upstream_model": UPSTREAM_MODEL,
        "root_model": root_model or base_model,
    }


def _stage_context(meta: dict[str, Any], dataset_id: Callable[[str], str], base_model: str) -> dict[str, Any]:
    label, description = STAGES[meta["stage"]]
    co2 = meta.get("co2_eq_emissions") or {}
    emissions = _emissions_figure(co2)
    return {
        "stage": meta["stage"],
        "label": label,
        "description": description,
        "base_model": base_model,
        "datasets": [
            {"id": dataset_id(ds["name"]), "config": ds.get("config"), "split": ds["split"], "rows": ds["rows"],
             "selection": ds.get("selection")}
            for ds in meta["datasets"]
        ],
        "hyperparameters": [(k, _format(v)) for k, v in meta["hyperparameters"].items()],
        "lora": meta["lora"],
        "tokens_seen": NOT_MEASURED if meta.get("tokens_seen") is None else f"{int(meta['tokens_seen']):,}",
        "train_loss": NOT_MEASURED if meta.get("train_loss") is None else _format(meta["train_loss"]),
        "eval_loss": None if meta.get("eval_loss") is None else _format(meta["eval_loss"]),
        "learning": learning_line(meta),
        "wall_time": NOT_MEASURED if meta.get("wall_time_s") is None else _duration(float(meta["wall_time_s"])),
        "hardware": _hardware(meta.get("hardware") or {}),
        "emissions": None if emissions is None else _format(emissions),
        "co2_source": co2.get("source"),
        "versions": sorted(meta["versions"].items()),
    }


HELD_OUT = {"cpt": "held-out corpus loss", "sft": "answer-only loss on the dev split"}


def learning_line(meta: dict[str, Any]) -> str:
    """The stage's held-out loss before and after training (training_metadata.json's ``eval_loss_before`` and
    ``eval_loss``), e.g. "held-out corpus loss 5.653 → 5.326 (−5.8%)"; "not measured" where either is missing."""
    before, after = meta.get("eval_loss_before"), meta.get("eval_loss")
    what = HELD_OUT.get(meta["stage"], "held-out loss")
    if before is None or after is None or before <= 0:
        return f"{what} before → after training: {NOT_MEASURED}"
    change = (after - before) / before
    signed = f"{change:+.1%}".replace("-", "−")
    return f"{what} before → after training: {before:.3f} → {after:.3f} ({signed})"


HEADLINE_METRICS = ("accuracy", "win_rate", "Comp", "Hall", "answers_with_contradiction_share", "comprehensiveness",
                    "hallucination_rate")


def _result_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One table row per headline metric of a result (accuracy for multiple choice; the K-QA metrics)."""
    metrics, benchmark = result["metrics"], result["benchmark"]
    rows = []
    for name in HEADLINE_METRICS:
        if name not in metrics:
            continue
        ci = metrics.get("ci95") if name == "accuracy" else metrics.get(f"{name}_ci95")
        rows.append({
            "benchmark": benchmark["name"],
            "config": benchmark.get("config") or "",
            "protocol": result["protocol"],
            "metric": name.replace("_", " ") + (" (lower is better)" if name in LOWER_IS_BETTER else ""),
            "value": f"{float(metrics[name]):.3f}",
            "ci95": f"[{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "n/a",
            "n": metrics.get("n", ""),
            "source": result.get("source", ""),
        })  # fmt: skip
    return rows


@functools.cache
def _environment() -> jinja2.Environment:
    """One environment per process: it caches the compiled templates (a release renders a card per repo)."""
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def _render(template_name: str, card_data: ModelCardData, context: Mapping[str, Any]) -> ModelCard:
    template = _environment().get_template(template_name)
    content = template.render(card_data=card_data.to_yaml(), **context)
    return ModelCard(content)


def _template_source(name: str) -> str:
    return resources.files("hub_tools.cards").joinpath("templates", name).read_text(encoding="utf-8")


def _hardware(hardware: dict[str, Any]) -> str:
    if hardware.get("device") == "cuda" and hardware.get("gpu_name"):
        return f"{hardware.get('gpu_count', 1)}× {hardware['gpu_name']}"
    return f"CPU ({hardware.get('cpu_count', '?')} cores)"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _format(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if value is None:
        return "—"
    return str(value)


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
