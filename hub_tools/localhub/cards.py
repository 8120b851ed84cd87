"""Card metadata of the local Hub: YAML front matter parsed on a budget, and the checks the Hub makes on it.

A README's front matter is attacker-controlled text that every anonymous repo-info request would otherwise
re-parse. Here it is parsed with a bounded text size, nesting depth and *expanded* node count (aliases count
for the size of what they point at, so an alias bomb of a few hundred bytes is refused, not expanded), and the
result is checked to be plain JSON data (no lone surrogates, no non-string keys, nothing JSON cannot carry).
The server keeps a pre-parsed, size-capped copy per README blob (``Storage.card_data``).
"""

from __future__ import annotations

import datetime
import json
import math
import re
from typing import Any

import yaml

MAX_FRONT_MATTER_CHARS = 128 * 1024  # YAML text between the '---' lines
MAX_YAML_NODES = 20_000  # nodes of the metadata once aliases are expanded
MAX_YAML_DEPTH = 40
MAX_CARD_JSON_BYTES = 256 * 1024  # the served copy (``cardData``); bigger metadata is refused at commit time

# The Hub's license identifiers (hub-docs, docs/hub/repositories-licenses.md).
HUB_LICENSES = frozenset("""
apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m bigscience-bloom-rail-1.0 bigcode-openrail-m
afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear c-uda cc cc0-1.0 cc-by-2.0
cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0 cc-by-nc-3.0 cc-by-nc-4.0 cc-by-nd-4.0
cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0 cc-by-nc-sa-3.0 cc-by-nc-sa-4.0 cdla-sharing-1.0
cdla-permissive-1.0 cdla-permissive-2.0 wtfpl ecl-2.0 epl-1.0 epl-2.0 etalab-2.0 eupl-1.1 eupl-1.2 agpl-3.0 gfdl
gpl gpl-2.0 gpl-3.0 lgpl lgpl-2.1 lgpl-3.0 isc h-research intel-research lppl-1.3c ms-pl apple-ascl apple-amlr
mpl-2.0 odc-by odbl openrail++ osl-3.0 postgresql ofl-1.1 ncsa unlicense zlib pddl lgpl-lr deepfloyd-if-license
fair-noncommercial-research-license llama2 llama3 llama3.1 llama3.2 llama3.3 llama4 grok2-community gemma
openmdw-1.0 unknown other
""".split())

_FRONT_MATTER_RE = re.compile(r"\A---[ \t]*\r?\n(.*?)(?:\r?\n)?^---[ \t]*$", flags=re.S | re.M)


class CardYamlError(ValueError):
    """Front matter that cannot be parsed within the budget, or is not plain data."""


class _BudgetLoader(yaml.SafeLoader):
    """A SafeLoader that counts nodes as if aliases were expanded, and bounds the nesting depth."""

    def __init__(self, stream) -> None:
        super().__init__(stream)
        self._depth = 0
        self._expanded = 0
        self._weights: dict[int, int] = {}

    def _count(self, weight: int) -> None:
        self._expanded += weight
        if self._expanded > MAX_YAML_NODES:
            raise CardYamlError(f"YAML metadata too large: more than {MAX_YAML_NODES} nodes once aliases are "
                                "expanded")

    def compose_node(self, parent, index):  # noqa: D102 (PyYAML's Composer interface)
        if self.check_event(yaml.AliasEvent):
            anchor = self.peek_event().anchor
            target = self.anchors.get(anchor)
            weight = self._weights.get(id(target)) if target is not None else 1
            if weight is None:
                raise CardYamlError(f"YAML alias *{anchor} refers to itself")
            node = super().compose_node(parent, index)
            self._count(weight)
            return node
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise CardYamlError(f"YAML metadata nested deeper than {MAX_YAML_DEPTH} levels")
        before = self._expanded
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._count(1)
        self._weights[id(node)] = self._expanded - before
        return node


def _as_json_data(value: Any) -> Any:
    """YAML values to JSON data: dates become ISO text; anything JSON cannot carry is a :class:`CardYamlError`."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if isinstance(key, (int, float, bool)) or key is None:
                key = json.dumps(key) if not isinstance(key, int) or isinstance(key, bool) else str(key)
            if not isinstance(key, str):
                raise CardYamlError(f"YAML metadata key {key!r} is not a string")
            out[check_text(key, "metadata key")] = _as_json_data(item)
        return out
    if isinstance(value, list):
        return [_as_json_data(v) for v in value]
    if isinstance(value, str):
        return check_text(value, "metadata value")
    if isinstance(value, float) and not math.isfinite(value):
        raise CardYamlError(f"YAML metadata value {value!r} is not a finite number")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float)):
        return value
    raise CardYamlError(f"YAML metadata value of type {type(value).__name__} is not supported")


def check_text(text: str, what: str) -> str:
    """``text`` if it is valid Unicode that encodes to UTF-8 (no lone surrogates); else :class:`CardYamlError`."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise CardYamlError(f"Invalid {what}: not valid UTF-8 (lone surrogate)") from None
    return text


def parse_front_matter(text: str) -> tuple[dict | None, str | None]:
    """(metadata dict or None, error message or None) for a README's YAML front matter, parsed on a budget."""
    if not text.startswith("---"):
        return None, None
    window = text[:MAX_FRONT_MATTER_CHARS + 64]  # the closing line is searched for within the cap, never beyond
    match = _FRONT_MATTER_RE.match(window)
    if not match:
        if len(window) < len(text):
            return None, (f"YAML metadata too large: no closing '---' line within the first "
                          f"{MAX_FRONT_MATTER_CHARS} characters")
        return None, "YAML front matter is not closed by a '---' line"
    body = match.group(1)
    if len(body) > MAX_FRONT_MATTER_CHARS:
        return None, f"YAML metadata too large: more than {MAX_FRONT_MATTER_CHARS} characters"
    try:
        loader = _BudgetLoader(body)
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
        if data is None:
            return {}, None
        if not isinstance(data, dict):
            return None, "README front matter must be a YAML mapping"
        data = _as_json_data(data)
    except CardYamlError as exc:
        return None, str(exc)
    except yaml.YAMLError as exc:
        return None, f"Invalid YAML in README front matter: {exc}"
    if len(json.dumps(data, ensure_ascii=False).encode()) > MAX_CARD_JSON_BYTES:
        return None, f"YAML metadata too large: more than {MAX_CARD_JSON_BYTES} bytes as JSON"
    return data, None


def parse_eval_results(filename: str, text: str) -> list[dict]:
    """A model repo's ``.eval_results/*.yaml`` file as the Hub serves it in ``evalResults``: one item per entry
    (``{"filename", "data"}``), or one ``{"filename", "error"}`` item for a file that does not parse (on the same
    budget as front matter) or is not a list of entries with ``dataset.id``, ``dataset.task_id`` and ``value``."""
    if len(text) > MAX_FRONT_MATTER_CHARS:
        return [{"filename": filename, "error": f"larger than {MAX_FRONT_MATTER_CHARS} characters"}]
    try:
        loader = _BudgetLoader(text)
        try:
            data = _as_json_data(loader.get_single_data())
        finally:
            loader.dispose()
    except (CardYamlError, yaml.YAMLError) as exc:
        return [{"filename": filename, "error": f"invalid YAML: {exc}"}]
    entries = data if isinstance(data, list) else None
    if not entries or not all(isinstance(e, dict) and isinstance(e.get("dataset"), dict) and "value" in e
                              and {"id", "task_id"} <= e["dataset"].keys() for e in entries):  # fmt: skip
        return [{"filename": filename, "error": "expected a list of entries with dataset.id, dataset.task_id and "
                                                "value"}]  # fmt: skip
    return [{"filename": filename, "data": entry} for entry in entries]


def validate_card_metadata(data: dict) -> list[str]:
    """The Hub's checks on card metadata that we can answer for sure, as its ``- Error: ...`` lines say them."""
    problems = []
    license_ = data.get("license")
    if license_ is not None:
        values = license_ if isinstance(license_, list) else [license_]
        if not all(isinstance(v, str) and v in HUB_LICENSES for v in values):
            problems.append(f'"license" must be one of [{", ".join(sorted(HUB_LICENSES))}]')
    model_index = data.get("model-index")
    if model_index is not None:
        if not isinstance(model_index, list):
            problems.append('"model-index" must be an array')
        elif not all(isinstance(entry, dict) for entry in model_index):
            problems.append('"model-index" must be an array of objects')
    configs = data.get("configs")
    if configs is not None:
        if not isinstance(configs, list):
            problems.append('"configs" must be an array')
        else:
            for i, cfg in enumerate(configs):
                if not isinstance(cfg, dict) or not isinstance(cfg.get("config_name"), str):
                    problems.append(f'"configs[{i}].config_name" is required and must be a string')
    return problems
