"""The build report: every source row is read and either kept or dropped with a reason.

Usage contract (shared by every builder):

- ``read(file, n)``: ``n`` data rows were read from ``file`` (the readers in :mod:`hub_tools.data.readers` call this
  themselves for every data row when given the report; builders that read in another way call it);
- ``keep(file, n)`` / ``drop(file, reason, n)``: the fate of every read row. Reasons are short, aggregable strings
  without cell contents ("empty answer", "exact duplicate", "quarantined: empty cell in column 'answer'");
- ``add_duplicates(n, kind, file=...)`` and ``add_leaks(n, split, file=...)`` record the statistics and, when ``file``
  is given, also record the ``n`` rows as dropped (reasons ``"exact duplicate"`` / ``"near duplicate"`` and
  ``"contamination: overlaps <split>"``), so that the invariant holds. Without ``file`` they are statistics only and
  the builder drops the rows itself;
- ``check()`` raises :class:`ReportError` when, for any file, read != kept + sum(dropped);
- ``set_output(config, split, rows)`` records what was written (``write_dataset`` does it);
- the report holds no timestamp or absolute path: the same sources and options give the same bytes, so a
  re-published build that did not change makes no new commit;
- ``quarantine(...)`` keeps a skipped row's details; ``write(out_dir)`` writes ``build_report.json``,
  ``build_report.md`` and, when rows were quarantined, ``quarantine.jsonl`` (raw rows: never published).
"""

from __future__ import annotations

import datetime as _dt
import json
from collections import Counter
from pathlib import Path
from typing import Any

__all__ = ["BuildReport", "ReportError", "REPORT_JSON", "REPORT_MD", "QUARANTINE_FILE"]

REPORT_JSON = "build_report.json"
REPORT_MD = "build_report.md"
QUARANTINE_FILE = "quarantine.jsonl"
DUPLICATE_KINDS = ("exact", "near")


class ReportError(RuntimeError):
    """The report's accounting does not add up."""


class BuildReport:
    """Counts of one dataset build (see the module docstring for the contract)."""

    def __init__(self, dataset: str):
        self.dataset = dataset
        self.files: dict[str, dict[str, Any]] = {}
        self.redactions: Counter = Counter()
        self.duplicates: Counter = Counter({kind: 0 for kind in DUPLICATE_KINDS})
        self.leaks: Counter = Counter()
        self.stats: dict[str, Any] = {}
        self.outputs: dict[str, dict[str, int]] = {}
        self.quarantined: list[dict[str, Any]] = []

    # -- counting ---------------------------------------------------------------------------------------------
    def _file(self, file: str | Path) -> dict[str, Any]:
        key = str(file)
        if key not in self.files:
            self.files[key] = {"read": 0, "kept": 0, "dropped": Counter()}
        return self.files[key]

    def read(self, file: str | Path, n: int = 1) -> None:
        self._file(file)["read"] += int(n)

    def keep(self, file: str | Path, n: int = 1) -> None:
        self._file(file)["kept"] += int(n)

    def drop(self, file: str | Path, reason: str, n: int = 1) -> None:
        if n:
            self._file(file)["dropped"][str(reason)] += int(n)

    def count_redactions(self, counts: Counter | dict[str, int]) -> None:
        """Add the redactions of one text; the first call also records how well the redaction works
        (stat ``redaction_quality``: the SEALED figures of :func:`redaction_quality`, or "not measured yet")."""
        if "redaction_quality" not in self.stats:
            self.stats["redaction_quality"] = redaction_quality()
        for kind, n in counts.items():
            if n:
                self.redactions[kind] += int(n)

    def add_duplicates(self, n: int, kind: str, *, file: str | Path | None = None) -> None:
        if kind not in DUPLICATE_KINDS:
            raise ValueError(f"duplicate kind must be one of {DUPLICATE_KINDS}, got {kind!r}")
        self.duplicates[kind] += int(n)
        if file is not None:
            self.drop(file, f"{kind} duplicate", n)

    def add_leaks(self, n: int, split: str, *, file: str | Path | None = None) -> None:
        self.leaks[str(split)] += int(n)
        if file is not None:
            self.drop(file, f"contamination: overlaps {split}", n)

    def set_stat(self, key: str, value: Any) -> None:
        self.stats[key] = value

    def set_output(self, config: str, split: str, rows: int) -> None:
        self.outputs.setdefault(config, {})[split] = int(rows)

    def quarantine(self, file: str | Path, row: int | None, column: str | None, reason: str, values: Any) -> None:
        self.quarantined.append(
            {"file": str(file), "row": row, "column": column, "reason": reason, "values": _jsonable(values)}
        )

    # -- totals -----------------------------------------------------------------------------------------------
    @property
    def total_read(self) -> int:
        return sum(f["read"] for f in self.files.values())

    @property
    def total_kept(self) -> int:
        return sum(f["kept"] for f in self.files.values())

    @property
    def total_dropped(self) -> int:
        return sum(sum(f["dropped"].values()) for f in self.files.values())

    def dropped_by_reason(self) -> Counter:
        total: Counter = Counter()
        for f in self.files.values():
            total.update(f["dropped"])
        return total

    def check(self) -> None:
        problems = []
        for name, f in self.files.items():
            dropped = sum(f["dropped"].values())
            if f["read"] != f["kept"] + dropped:
                problems.append(f"{name}: read {f['read']} != kept {f['kept']} + dropped {dropped}")
        if problems:
            raise ReportError(f"build report for {self.dataset} does not add up: " + "; ".join(problems))

    # -- (de)serialisation ------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "totals": {"read": self.total_read, "kept": self.total_kept, "dropped": self.total_dropped},
            "files": {
                name: {"read": f["read"], "kept": f["kept"], "dropped": dict(sorted(f["dropped"].items()))}
                for name, f in self.files.items()
            },
            "dropped_by_reason": dict(sorted(self.dropped_by_reason().items())),
            "redactions": {kind: int(self.redactions.get(kind, 0)) for kind in _redaction_kinds(self.redactions)},
            "duplicates": dict(self.duplicates),
            "leaks": dict(self.leaks),
            "quarantined": len(self.quarantined),
            "outputs": self.outputs,
            "stats": _jsonable(self.stats),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "BuildReport":
        report = cls(data["dataset"])
        for name, f in data.get("files", {}).items():
            entry = report._file(name)
            entry["read"], entry["kept"] = int(f["read"]), int(f["kept"])
            entry["dropped"] = Counter({k: int(v) for k, v in f.get("dropped", {}).items()})
        report.redactions = Counter(data.get("redactions", {}))
        report.duplicates = Counter({kind: 0 for kind in DUPLICATE_KINDS}) + Counter(data.get("duplicates", {}))
        for kind in DUPLICATE_KINDS:
            report.duplicates.setdefault(kind, 0)
        report.leaks = Counter(data.get("leaks", {}))
        report.outputs = {c: dict(s) for c, s in data.get("outputs", {}).items()}
        report.stats = dict(data.get("stats", {}))
        return report

    @classmethod
    def load(cls, path: str | Path) -> "BuildReport":
        path = Path(path)
        if path.is_dir():
            path = path / REPORT_JSON
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def to_markdown(self) -> str:
        d = self.to_dict()
        t = d["totals"]
        lines = [
            f"# Build report: {self.dataset}",
            "",
            f"Rows read {t['read']}, kept {t['kept']}, dropped {t['dropped']}.",
            "",
            "## Files",
            "",
            "| file | read | kept | dropped | reasons |",
            "|---|---:|---:|---:|---|",
        ]
        for name, f in d["files"].items():
            reasons = "; ".join(f"{r}: {n}" for r, n in f["dropped"].items()) or "-"
            lines.append(f"| {name} | {f['read']} | {f['kept']} | {sum(f['dropped'].values())} | {reasons} |")
        lines += ["", "## Output", "", "| config | split | rows |", "|---|---|---:|"]
        for config, splits in d["outputs"].items():
            for split, rows in splits.items():
                lines.append(f"| {config} | {split} | {rows} |")
        lines += ["", "## Clean-up", ""]
        lines.append("- redactions: " + (", ".join(f"{k} {v}" for k, v in d["redactions"].items()) or "none"))
        quality = d["stats"].get("redaction_quality")
        if quality:
            from hub_tools.data.redaction_eval import sealed_sentence

            lines.append("- " + sealed_sentence(quality))
        lines.append("- duplicates removed: " + ", ".join(f"{k} {v}" for k, v in d["duplicates"].items()))
        lsh = (d["stats"].get("dedup") or {}).get("lsh")
        if lsh:
            curve = ", ".join(f"{s} → {p}" for s, p in lsh["p_candidate_by_similarity"].items())
            lines.append(
                f"- near-duplicate candidates: MinHash LSH, {lsh['bands']} bands × {lsh['rows']} rows of "
                f"{lsh['num_perm']} permutations; probability that a pair becomes a candidate, by Jaccard "
                f"similarity: {curve}; every candidate is verified with the exact Jaccard similarity"
            )
        lines.append("- contamination drops: " + (", ".join(f"{k} {v}" for k, v in d["leaks"].items()) or "none"))
        lines.append(
            f"- quarantined rows: {d['quarantined']}" + (f" (see {QUARANTINE_FILE})" if d["quarantined"] else "")
        )
        if d["stats"]:
            lines += ["", "## Statistics", ""]
            for key, value in d["stats"].items():
                lines.append(f"- {key}: {json.dumps(value, ensure_ascii=False)}")
        return "\n".join(lines) + "\n"

    def write(self, out_dir: str | Path) -> Path:
        """Check the invariant, then write build_report.json, build_report.md (and quarantine.jsonl)."""
        self.check()
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / REPORT_JSON).write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        (out / REPORT_MD).write_text(self.to_markdown(), encoding="utf-8")
        quarantine = out / QUARANTINE_FILE
        if self.quarantined:
            with quarantine.open("w", encoding="utf-8") as fh:
                for entry in self.quarantined:
                    fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
        elif quarantine.exists():
            quarantine.unlink()
        return out / REPORT_JSON


def redaction_quality() -> dict[str, Any]:
    """The redaction's SEALED figures as a report quotes them (``redaction_sealed.json``): ``status`` ("measured" or
    "not measured yet") and, when measured, recall with its interval, names recall, precision and negatives changed
    on the sealed batches; the pool the rules were tuned on is named beside them, never quoted as the figure."""
    from hub_tools.data.redact import sealed_figures

    figures = sealed_figures()
    sealed = figures.get("sealed")
    out: dict[str, Any] = {"status": figures["status"], "pool_writers": figures.get("pool_writers", [])}
    if figures["status"] == "measured" and sealed:
        keep = ("items", "items_with_personal_data", "items_without_personal_data", "labelled_spans", "recall",
                "recall_interval", "names_recall", "names_recall_interval", "precision", "false_alarm_rate",
                "negatives_changed", "recall_by_kind")  # fmt: skip
        out["sealed"] = {key: sealed[key] for key in keep if key in sealed}
        out["batches"] = len(sealed.get("batches", {}))
    return out


def _redaction_kinds(counts: Counter) -> list[str]:
    from hub_tools.data.redact import KINDS

    return list(KINDS) + sorted(k for k in counts if k not in KINDS)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and value != value:  # NaN
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return str(value)
