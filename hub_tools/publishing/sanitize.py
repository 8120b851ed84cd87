"""Metadata that ships carries repo ids or paths relative to the artifact, never a path of the maintainer's machine.

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

A secret (the Hub token) found in any string is replaced by ``<redacted>``. :func:`find_leaks` is the last line of
defence: the engine refuses to publish a text file that still holds a secret or a local root.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath


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
    """Strings that must never appear in a published file: the given folders and this user's home folder."""
    roots = {str(Path.home())} if str(Path.home()) not in ("/", "") else set()
    for path in paths:
        if path is not None:
            roots.add(str(_resolved(path)))
    return sorted(r for r in roots if len(PurePosixPath(r).parts) > 2)  # never "/" or "/tmp"


def find_leaks(data: bytes, *, secrets: Iterable[str], roots: Iterable[str]) -> list[str]:
    """What of ``secrets`` and ``roots`` occurs in ``data`` (secrets are named only as "a token")."""
    found = [f"a token ({len(s)} characters)" for s in secrets if s and s.encode() in data]
    found += [f"the local path {r}" for r in roots if r and r.encode() in data]
    return found
