"""Write a built dataset folder (SCHEMAS.md §1): parquet per config/split, the build report and the card.

DIR/README.md                                   dataset card (rendered from dataset_cards/<name>.yaml)
DIR/<config>/<split>-00000-of-00001.parquet     written with the datasets' explicit Features
DIR/build_report.json, DIR/build_report.md      the build report (every source row accounted for)
DIR/quarantine.jsonl                            skipped rows, only when there are some (never published)
DIR/metadata.json                               optional builder metadata (e.g. the IBMSEE pass mark)
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from hub_tools.data.layout import parquet_name
from hub_tools.data.report import QUARANTINE_FILE, REPORT_JSON, REPORT_MD, BuildReport

__all__ = ["write_dataset", "parquet_name", "METADATA_FILE", "CARD_FILE"]

METADATA_FILE = "metadata.json"
CARD_FILE = "README.md"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def _clean(out: Path) -> None:
    """Remove what an earlier build wrote here, so no stale config or split survives."""
    for name in (CARD_FILE, REPORT_JSON, REPORT_MD, QUARANTINE_FILE, METADATA_FILE):
        (out / name).unlink(missing_ok=True)
    for parquet in out.glob("*/*.parquet"):
        parquet.unlink()
    for folder in out.iterdir():
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def write_dataset(
    out_dir: str | Path,
    configs: dict[str, "datasets.DatasetDict"],  # noqa: F821
    report: BuildReport,
    card_spec_name: str,
    *,
    default_config: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Path:
    """Write every config/split as parquet, then the report (checked) and the card; returns ``out_dir``.

    ``default_config`` defaults to ``"default"`` when present, else the first config. ``metadata`` (if given) is
    written to ``metadata.json`` and recorded in the report's stats under ``"metadata"``.
    """
    out = Path(out_dir)
    if not configs:
        raise ValueError("write_dataset needs at least one config")
    for config, dd in configs.items():
        if not _NAME_RE.match(config):
            raise ValueError(f"invalid config name {config!r}")
        for split in dd:
            if not re.match(r"^\w+$", split):
                raise ValueError(f"invalid split name {split!r} in config {config!r}")
    if default_config is None:
        default_config = "default" if "default" in configs else next(iter(configs))
    if default_config not in configs:
        raise ValueError(f"default config {default_config!r} is not one of {list(configs)}")
    report.check()  # fail before writing anything when the accounting is wrong
    out.mkdir(parents=True, exist_ok=True)
    _clean(out)
    report.outputs = {}
    import datasets

    bars_were_on = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        for config, dd in configs.items():
            (out / config).mkdir(parents=True, exist_ok=True)
            for split, ds in dd.items():
                ds.to_parquet(str(out / config / parquet_name(split)))
                report.set_output(config, split, len(ds))
    finally:
        if bars_were_on:
            datasets.enable_progress_bars()
    report.set_stat("default_config", default_config)
    if metadata is not None:
        report.set_stat("metadata", metadata)
        (out / METADATA_FILE).write_text(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    report.write(out)

    from hub_tools.cards.dataset import render_dataset_card

    card = render_dataset_card(card_spec_name, out)
    card.save(out / CARD_FILE)
    return out
