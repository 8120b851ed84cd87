"""A release proposed as one pull request per repo, then merged and tagged, on the local Hub."""

from __future__ import annotations

import uuid

from huggingface_hub import CommitOperationAdd

from hub_tools.release.pull_requests import merge_release_prs, open_release_pr


def test_release_as_pull_requests_then_merged_and_tagged(hf_api):
    repo_name = f"tester/release-pr-{uuid.uuid4().hex[:6]}"
    repos = [(repo_name, "model"), (repo_name + "-data", "dataset")]
    for repo_id, repo_type in repos:
        hf_api.create_repo(repo_id, repo_type=repo_type)
        info = open_release_pr(hf_api, repo_id, [CommitOperationAdd("README.md", b"# v1\n"),
                                                 CommitOperationAdd("a.txt", b"a")],
                               repo_type=repo_type, title="Release v1.0.0")
        assert info.pr_revision == "refs/pr/1"
        assert hf_api.list_repo_files(repo_id, repo_type=repo_type) == [".gitattributes"]  # main untouched
    for repo_id, repo_type in repos:
        done = merge_release_prs(hf_api, repo_id, repo_type=repo_type, title="Release v1.0.0", tag="v1.0.0")
        assert done.merged == (1,)
        assert sorted(hf_api.list_repo_files(repo_id, repo_type=repo_type, revision="v1.0.0")) == [
            ".gitattributes", "README.md", "a.txt"]
        again = merge_release_prs(hf_api, repo_id, repo_type=repo_type, title="Release v1.0.0", tag="v1.0.0")
        assert again.merged == () and again.sha == done.sha  # re-running is harmless
