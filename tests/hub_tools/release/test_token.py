"""The Hub token is taken from HF_TOKEN or the `hf auth login` store and never appears in any output or file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def _grep(token: str, *roots: Path) -> list[str]:
    hits = []
    needle = token.encode()
    for root in roots:
        for path in [root] if root.is_file() else root.rglob("*"):
            if path.is_file() and not path.is_symlink() and needle in path.read_bytes():
                hits.append(str(path))
    return hits


def _release(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hub_tools.release.cli", *args], capture_output=True, text=True,
                          env=env, timeout=300)  # fmt: skip


@pytest.mark.slow  # two whole pushes in subprocesses, then every byte of the session's Hub and HF_HOME read: ~30 s
def test_the_token_is_never_printed_or_written(release_manifest, local_hub, tmp_path):
    token = os.environ["HF_TOKEN"]
    env = {**os.environ, "HF_HUB_VERBOSITY": "debug"}
    push = _release(["push", str(release_manifest), "--endpoint", local_hub.url], env)
    assert push.returncode == 0, push.stdout + push.stderr
    again = _release(["push", str(release_manifest)], env)
    assert again.returncode == 0, again.stdout + again.stderr
    logs = tmp_path / "logs"
    logs.mkdir()
    for name, text in (("push.out", push.stdout), ("push.err", push.stderr), ("again.out", again.stdout),
                       ("again.err", again.stderr)):  # fmt: skip
        (logs / name).write_text(text)
    assert token not in push.stdout + push.stderr + again.stdout + again.stderr
    assert _grep(token, tmp_path, local_hub.root, Path(os.environ["HF_HOME"])) == []


def test_the_token_comes_from_the_login_store_when_hf_token_is_unset(release_manifest, local_hub, tmp_path):
    token = os.environ["HF_TOKEN"]
    home = tmp_path / "hf_home"
    home.mkdir()
    (home / "token").write_text(token)  # what `hf auth login` writes
    env = {k: v for k, v in os.environ.items() if k not in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")}
    env["HF_HOME"] = str(home)
    plan = _release(["plan", str(release_manifest)], env)
    assert plan.returncode == 0, plan.stderr
    assert "8 repo(s) to commit" in plan.stdout and token not in plan.stdout + plan.stderr

    (home / "token").unlink()
    refused = _release(["plan", str(release_manifest)], env)
    assert refused.returncode == 2 and "no Hub token: set HF_TOKEN or run `hf auth login`" in refused.stderr
