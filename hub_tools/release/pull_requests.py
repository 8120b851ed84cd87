"""Releases proposed as pull requests: one PR per repo for review, merged and tagged later.

    open_release_pr(api, "gaokerena/model", operations, repo_type="model", title="Release v1.2.0")
    merge_release_prs(api, "gaokerena/model", repo_type="model", title="Release v1.2.0", tag="v1.2.0")

Both take the :class:`~huggingface_hub.HfApi` to use (network at the edges). ``release push --create-pr`` calls
the first once per repo with the whole release of that repo; ``release push --merge-prs`` calls the second.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from huggingface_hub import CommitInfo, HfApi
from huggingface_hub._commit_api import CommitOperation


@dataclass(frozen=True)
class MergedRelease:
    """What :func:`merge_release_prs` did on one repo."""

    repo_id: str
    merged: tuple[int, ...]
    tag: str
    sha: str


def open_release_pr(api: HfApi, repo_id: str, operations: Sequence[CommitOperation], *, repo_type: str,
                    title: str, description: str = "") -> CommitInfo:
    """Propose ``operations`` as one pull request on ``repo_id`` (``refs/pr/N``); ``main`` is untouched."""
    return api.create_commit(repo_id, list(operations), commit_message=title, commit_description=description,
                             repo_type=repo_type, create_pr=True)


def merge_release_prs(api: HfApi, repo_id: str, *, repo_type: str, title: str, tag: str) -> MergedRelease:
    """Merge the open pull requests titled ``title`` (oldest first), then tag ``main`` as ``tag``."""
    prs = [d for d in api.get_repo_discussions(repo_id, repo_type=repo_type, discussion_type="pull_request",
                                               discussion_status="open")
           if d.is_pull_request and d.status == "open" and d.title == title]
    merged = []
    for pr in sorted(prs, key=lambda d: d.num):
        api.merge_pull_request(repo_id, pr.num, repo_type=repo_type, comment=f"Merged by release push: {tag}")
        merged.append(pr.num)
    sha = api.repo_info(repo_id, repo_type=repo_type).sha
    api.create_tag(repo_id, tag=tag, revision=sha, repo_type=repo_type, exist_ok=True)
    return MergedRelease(repo_id, tuple(merged), tag, sha)
