r"""Metadata that ships carries repo ids or paths relative to the artifact, never a path of the maintainer's machine.

    sanitizer = Sanitizer(artifact_root=Path("artifacts/train/sft"), base_model="gaokerena/gaokerena-v1-cpt",
                          known={Path("artifacts/datasets/mf3qa"): "gaokerena/MF3QA"}, secrets=[token])
    clean_bytes = sanitizer.sanitize_json("training_metadata.json", raw_bytes, base_model_key="base_model")

Every string value of the JSON document that names a local path (absolute, ``~/...``, ``file://...``, or a
relative path that resolves into a known folder) is rewritten:

1. inside another artifact of the release: that artifact's repo id (``gaokerena/MF3QA``, ``gaokerena/MF3QA/x``);
2. a key that names the model the artifact was trained on (``base_model_name_or_path``, ``base_model``,
   ``model_name_or_path``): the declared base model's Hub id;
3. inside the toolkit's checkout: the path relative to it (``training/recipes/tiny/cpt.yaml``);
4. inside the artifact's own folder: the path relative to it (``checkpoints/checkpoint-8``, or ``.``);
5. any other absolute path: ``<local>/NAME`` (the last component only); a relative path outside these folders is
   left as it is.

A secret (the Hub token) found in any string is replaced by ``<redacted>``. :func:`find_leaks_in_file` is the last
line of defence: the engine refuses to publish a file that still holds a secret or a local root **in what the Hub
will show**, not only in its bytes:

- a card's YAML front matter (and any YAML file) after parsing (a token written with YAML escapes such as
  ``"\x68f_..."``), each field
  named (``card metadata 'extra.note'``), and the card's text;
- a JSON (or JSON Lines) file after decoding, each string value named by its key path;
- every text after undoing the encodings that hide a path: JSON escapes (``\/``, ``\u002f``), URL encoding (``%2F``,
  also twice), doubled slashes (``/work//x``) and Windows separators;
- a parquet file's schema metadata (each key) and every string cell (named by column and row).

The local roots are the given folders plus the home folder at any depth (``/root`` too); a root matches only as a
whole path component (``/root`` is not found in ``/rooted``).
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from urllib.parse import unquote

LOCAL = "<local>"
REDACTED = "<redacted>"
# Keys that, wherever they appear, name the model an artifact was trained on or loads on.
BASE_MODEL_KEYS = frozenset({"base_model", "base_model_name_or_path", "model_name_or_path"})
_WINDOWS_PATH = re.compile(r"^[A-Za-z]:[\\/]")


class LeakError(ValueError):
    """A file that would publish a secret or a path of this machine."""


@dataclass
class Sanitizer:
    """How to rewrite the local paths of one artifact's metadata; see the module docstring."""

    artifact_root: Path | None = None
    base_model: str | None = None
    # local folder -> what it is called once published: a repo id, or "" for a folder whose paths stay relative
    # to it (the toolkit's checkout)
    known: dict[Path, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.artifact_root = _resolved(self.artifact_root) if self.artifact_root else None
        self.known = {_resolved(path): name for path, name in self.known.items()}
        self.secrets = tuple(s for s in self.secrets if s)

    def sanitize_json(self, path_in_repo: str, data: bytes, *, base_model_key: str | None = None) -> bytes:
        """The document with every local path rewritten; ``data`` unchanged when there is nothing to rewrite."""
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise LeakError(f"{path_in_repo}: not valid JSON, cannot be checked for local paths: {error}") from error
        cleaned = self._walk(document, key=None)
        if base_model_key and self.base_model and isinstance(cleaned, dict) and base_model_key in cleaned:
            value = cleaned[base_model_key]
            if not isinstance(value, str) or value.startswith(LOCAL) or value in ("", "."):
                cleaned[base_model_key] = self.base_model
        if cleaned == document:
            return data
        return (json.dumps(cleaned, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    def _walk(self, value, *, key: str | None):
        if isinstance(value, dict):
            return {k: self._walk(v, key=k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._walk(v, key=key) for v in value]
        if isinstance(value, str):
            return self.rewrite(value, key=key)
        return value

    def rewrite(self, value: str, *, key: str | None = None) -> str:
        for secret in self.secrets:
            value = value.replace(secret, REDACTED)
        local = _as_local_path(value)
        if local is None:
            return value
        relative_to_checkout = None
        for folder, name in sorted(self.known.items(), key=lambda item: -len(str(item[0]))):
            if local == folder or folder in local.parents:
                rel = local.relative_to(folder).as_posix()
                if name:
                    return name if rel == "." else f"{name}/{rel}"
                relative_to_checkout = rel
                break
        if key in BASE_MODEL_KEYS and self.base_model:
            return self.base_model  # a local model folder that is not an artifact of the release: the declared base
        if relative_to_checkout is not None:
            return relative_to_checkout
        if self.artifact_root and (local == self.artifact_root or self.artifact_root in local.parents):
            return local.relative_to(self.artifact_root).as_posix()
        if not _is_absolute_text(value):
            return value  # a relative path outside every known folder names nothing of this machine
        name = local.name
        home = Path.home().name
        return LOCAL if not name or name == home else f"{LOCAL}/{name}"


def _resolved(path: Path) -> Path:
    return Path(os.path.abspath(Path(path).expanduser()))


def _is_absolute_text(value: str) -> bool:
    return value.startswith(("/", "~", "file://")) or bool(_WINDOWS_PATH.match(value))


def _as_local_path(value: str) -> Path | None:
    """The local path ``value`` names, or None when it is not a path (a repo id, a URL, prose...)."""
    text = value.strip()
    if not text or "\n" in text or len(text) > 4096:
        return None
    if text.startswith("file://"):
        text = text[len("file://"):]
    if _WINDOWS_PATH.match(text):
        return Path("/" + PureWindowsPath(text).as_posix().split(":", 1)[1].lstrip("/"))
    if text.startswith("~"):
        return _resolved(Path(text))
    if text.startswith("/"):
        if text.startswith("//") or " " in text.strip("/").split("/")[0]:
            return None
        return Path(os.path.normpath(text))
    if "/" in text and " " not in text and not re.match(r"^[a-z][a-z0-9+.-]*://", text):
        candidate = Path(text)
        if candidate.exists():  # a relative path of this checkout; only rewritten when it is in a known folder
            return _resolved(candidate)
    return None


def local_roots(*paths: Path | None) -> list[str]:
    """Strings that must never appear in a published file: the given folders (never "/" or a top folder such as
    "/tmp") and this user's home folder, whatever its depth ("/root" too)."""
    roots = {str(path) for path in map(_resolved, filter(None, paths)) if len(PurePosixPath(path).parts) > 2}
    home = str(Path.home()).rstrip("/")
    if len(PurePosixPath(home).parts) > 1:
        roots.add(home)
    return sorted(roots)


def decoded_views(text: str) -> set[str]:
    """``text`` and what it reads as once JSON escapes, URL encoding (twice at most), doubled slashes and Windows
    separators are undone: every form in which the Hub or a reader may show a path."""
    views = {text}
    if "\\" in text:
        unescaped = _JSON_UNICODE.sub(lambda m: chr(int(m.group(1), 16)), text).replace("\\/", "/")
        views |= {unescaped, unescaped.replace("\\\\", "\\").replace("\\", "/")}
    if "%" in text:
        for view in list(views):
            for _ in range(3):
                decoded = unquote(view)
                if decoded == view:
                    break
                views.add(decoded)
                view = decoded
    if "//" in text or "%2F%2F" in text.upper() or "\\" in text:
        views |= {_SLASHES.sub("/", view) for view in views}
    return views


_JSON_UNICODE = re.compile(r"\\u([0-9a-fA-F]{4})")
_SLASHES = re.compile(r"(?<!:)/{2,}")


@functools.lru_cache(maxsize=32)
def _needles(secrets: tuple[str, ...], roots: tuple[str, ...]) -> tuple[list[tuple[str, re.Pattern]], re.Pattern]:
    """(name, pattern) per secret and root, and one pattern matching any of them: built once per set, not once per
    field (a tokenizer.json has thousands)."""
    found = [(f"a token ({len(s)} characters)", re.compile(re.escape(s))) for s in secrets if s]
    found += [(f"the local path {r}", re.compile(re.escape(r) + r"(?![\w.-])")) for r in roots if r]
    return found, re.compile("|".join(f"(?:{pattern.pattern})" for _, pattern in found) or r"(?!)")


def find_leaks(data: bytes | str, *, secrets: Iterable[str], roots: Iterable[str]) -> list[str]:
    """What of ``secrets`` and ``roots`` occurs in ``data`` or any of its :func:`decoded_views` (secrets are named
    only as "a token")."""
    text = data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data
    views = decoded_views(text)
    needles, anything = _needles(tuple(secrets), tuple(roots))
    if not any(anything.search(view) for view in views):
        return []
    return [name for name, pattern in needles if any(pattern.search(v) for v in views)]


def _strings(value, where: str):
    """(key path, string) for every key and string value of a parsed JSON/YAML document."""
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{where}.{key}" if where else str(key)
            yield path, str(key)
            yield from _strings(item, path)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}[{i}]")
    elif isinstance(value, (str, bytes)):
        yield where, value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value
    elif value is not None and not isinstance(value, (int, float, bool)):
        yield where, str(value)


def _fields(pairs, secrets, roots, label: str) -> list[str]:
    problems = []
    for where, text in pairs:
        for found in find_leaks(text, secrets=secrets, roots=roots):
            problems.append(f"{found} in {label} {where!r}" if where else f"{found} in {label}")
    return problems


def _card_fields(text: str):
    import yaml

    match = re.match(r"^---\s*\n(.*?)\n---\s*(?:\n|$)", text, re.DOTALL)
    if not match:
        return []
    try:
        metadata = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        raise LeakError(f"card metadata is not valid YAML, cannot be checked: {error}") from error
    return list(_strings(metadata, ""))


def _yaml_fields(text: str):
    import yaml

    try:
        return list(_strings(yaml.safe_load(text), ""))
    except yaml.YAMLError:
        return []  # the Hub shows it as text, which is scanned as such


def _json_fields(path_in_repo: str, text: str):
    if path_in_repo.endswith(".jsonl"):
        for line_no, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    yield from _strings(json.loads(line), f"line {line_no}")
                except json.JSONDecodeError:
                    continue  # the raw text is scanned too
        return
    try:
        yield from _strings(json.loads(text), "")
    except json.JSONDecodeError:
        return


def _parquet_fields(data: bytes):
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(io.BytesIO(data))
    metadata = parquet.schema_arrow.metadata or {}
    for key, value in metadata.items():
        yield "schema metadata", f"{key.decode('utf-8', 'replace')}", key.decode("utf-8", "replace")
        yield "schema metadata", f"{key.decode('utf-8', 'replace')}", value.decode("utf-8", "replace")
    for column_field in parquet.schema_arrow:
        yield "schema field", column_field.name, column_field.name
    for batch in parquet.iter_batches():
        for name, column in zip(batch.schema.names, batch.columns):
            if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
                    or pa.types.is_nested(column.type) or pa.types.is_binary(column.type)):
                continue
            for row, value in enumerate(column.to_pylist()):
                for where, text in _strings(value, ""):
                    yield "column", f"{name}{where and '.' + where} row {row}", text


def find_leaks_in_file(path_in_repo: str, data: bytes, *, secrets: Iterable[str], roots: Iterable[str]) -> list[str]:
    """Each place in a file to publish that holds a secret or a local root, as the Hub will show the file (see the
    module docstring); [] when clean."""
    secrets, roots = [s for s in secrets if s], [r for r in roots if r]
    if not secrets and not roots:
        return []
    if path_in_repo.endswith(".parquet"):
        import pyarrow as pa

        problems = []
        try:
            for label, where, text in _parquet_fields(data):
                problems += [f"{found} in {label} {where!r}" for found in find_leaks(text, secrets=secrets,
                                                                                     roots=roots)]  # fmt: skip
        except (pa.ArrowException, OSError):
            # not a readable parquet file (its verification says so): scanned as bytes
            problems = [f"{found} in the bytes" for found in find_leaks(data, secrets=secrets, roots=roots)]
        return sorted(set(problems))
    text = data.decode("utf-8", errors="replace")
    problems = [f"{found} in the text" for found in find_leaks(text, secrets=secrets, roots=roots)]
    if path_in_repo.endswith(".md"):
        problems += _fields(_card_fields(text), secrets, roots, "card metadata")
    elif path_in_repo.endswith((".yaml", ".yml")):
        problems += _fields(_yaml_fields(text), secrets, roots, "YAML field")
    elif path_in_repo.endswith((".json", ".jsonl")):
        problems += _fields(_json_fields(path_in_repo, text), secrets, roots, "JSON field")
    return problems
