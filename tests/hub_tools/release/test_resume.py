"""A push killed with SIGKILL half way completes when rerun: no duplicate commits, every repo tagged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from hub_tools.release import cli


def test_a_push_killed_after_the_first_commit_completes_on_rerun(release_manifest, manifest, hf_api):
    root = str(Path(__file__).resolve().parents[3])  # where tests.support imports from
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": path}
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.pausing_push", "push", str(release_manifest)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)  # fmt: skip
    lines = []
    deadline = time.monotonic() + 120
    try:
        for line in proc.stdout:
            lines.append(line)
            if "pausing" in line or time.monotonic() > deadline:
                break
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert any(" committed " in line for line in lines), "".join(lines)
    first = manifest.artifacts[0]
    assert hf_api.repo_info(first.repo_id, repo_type=first.repo_type).sha is not None
    assert not hf_api.repo_exists(manifest.artifacts[1].repo_id, repo_type=manifest.artifacts[1].repo_type)

    assert cli.main(["push", str(release_manifest)]) == 0
    for artifact in manifest.artifacts:
        commits = hf_api.list_repo_commits(artifact.repo_id, repo_type=artifact.repo_type)
        titles = [c.title for c in commits]
        assert titles.count("Release v1.0") == 1, (artifact.repo_id, titles)
        refs = hf_api.list_repo_refs(artifact.repo_id, repo_type=artifact.repo_type)
        tags = {t.name: t.target_commit for t in refs.tags}
        released = next(c.commit_id for c in commits if c.title == "Release v1.0")
        if artifact.type == "results":  # the results repo is tagged at the release record, on its release commit
            assert [c.title for c in commits[:2]] == ["Release record v1.0", "Release v1.0"]
            released = commits[0].commit_id
        assert tags == {"v1.0": released}
