"""Where a built dataset came from: the source files with their sha256, or the bundled samples.

``gaokerena data build`` records it in the build report (``stats.provenance``, so ``build_report.json`` ships it)::

    {"kind": "source files", "files": [{"path": "MF3QA/dev.xlsx", "size": 12345, "sha256": "<64 hex>"}, ...]}
    {"kind": "bundled samples", "files": [...]}     # no --source: hub_tools/data/samples/<name>

Paths are relative to each source's parent folder (never a local absolute path: the report is published). A card
built from samples says so in its first line, and ``gaokerena release push`` refuses to publish a sample build to any
Hub but a local one unless ``--allow-samples`` (:func:`is_sample_build`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hub_tools.hashing import hash_file


SAMPLES = "bundled samples"
SOURCE_FILES = "source files"


def describe_sources(sources: list[Path], *, samples: bool) -> dict[str, Any]:
    """The provenance of a build from ``sources`` (files or folders; folders are walked)."""
    files = []
    for source in sources:
        members = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
        for path in members:
            _, sha256, size, _ = hash_file(path, sha1_limit=0)
            files.append({"path": path.relative_to(source.parent).as_posix(), "size": size, "sha256": sha256})
    return {"kind": SAMPLES if samples else SOURCE_FILES, "files": files}


def read_provenance(folder: Path) -> dict[str, Any] | None:
    """The provenance a built folder records (None: built before provenance was recorded, or not a build)."""
    report = Path(folder) / "build_report.json"
    if not report.is_file():
        return None
    try:
        stats = json.loads(report.read_text(encoding="utf-8")).get("stats", {})
    except json.JSONDecodeError as error:
        raise ValueError(f"{report}: not JSON ({error})") from error
    provenance = stats.get("provenance") if isinstance(stats, dict) else None
    return provenance if isinstance(provenance, dict) else None


def is_sample_build(folder: Path) -> bool:
    """True when the folder was built from the bundled samples, or records no provenance at all."""
    provenance = read_provenance(folder)
    return provenance is None or provenance.get("kind") != SOURCE_FILES
