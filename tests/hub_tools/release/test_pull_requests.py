"""`gaokerena release push --create-pr` then `--merge-prs`: a release reviewed as one pull request per repo."""

from __future__ import annotations

import pytest

from hub_tools.release import cli


def _state(api, manifest):
    """Per repo: main's files, its tags, and its open pull requests (number, title)."""
    out = {}
    for a in manifest.artifacts:
        refs = api.list_repo_refs(a.repo_id, repo_type=a.repo_type)
        prs = [(d.num, d.title) for d in api.get_repo_discussions(a.repo_id, repo_type=a.repo_type,
                                                                  discussion_type="pull_request",
                                                                  discussion_status="open")]  # fmt: skip
        out[a.repo_id] = (sorted(api.list_repo_files(a.repo_id, repo_type=a.repo_type)),
                          {t.name: t.target_commit for t in refs.tags}, prs)  # fmt: skip
    return out


def test_create_pr_then_merge_prs_releases_and_reruns_do_nothing(release_manifest, manifest, hf_api, hub_requests,
                                                                  capsys):  # fmt: skip
    # Dry run: says what it would open, writes nothing.
    hub_requests.mark()
    assert cli.main(["push", str(release_manifest), "--create-pr", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would open a pull request on {manifest.artifact('model').repo_id}" in out
    assert hub_requests.writes() == []

    assert cli.main(["push", str(release_manifest), "--create-pr"]) == 0
    out = capsys.readouterr().out
    assert "release v1.0 proposed: 8 pull request(s) opened, 0 updated, 0 up to date" in out
    assert "checksums" in out and "structure on base" in out  # the pull requests are verified at their heads
    proposed = _state(hf_api, manifest)
    for repo_id, (files, tags, prs) in proposed.items():
        assert files == [".gitattributes"], repo_id  # main untouched (a new repo is created empty to hold the PR)
        assert tags == {} and prs == [(1, "Release v1.0")], repo_id
    model = manifest.artifact("model")
    pr_files = hf_api.list_repo_files(model.repo_id, revision="refs/pr/1")
    assert {"README.md", "model.safetensors"} <= set(pr_files)

    # Re-run: the open pull requests already hold the release; nothing is written, no second PR.
    hub_requests.mark()
    assert cli.main(["push", str(release_manifest), "--create-pr"]) == 0
    assert "0 pull request(s) opened, 0 updated, 8 up to date, 0 bytes uploaded" in capsys.readouterr().out
    assert hub_requests.writes() == []
    assert _state(hf_api, manifest) == proposed

    # A change before the merge updates the open pull request in place.
    (manifest.artifact("space").source / "app.py").write_text("print('reviewed and fixed')\n")
    assert cli.main(["push", str(release_manifest), "--create-pr"]) == 0
    assert "0 pull request(s) opened, 1 updated, 7 up to date" in capsys.readouterr().out
    space = manifest.artifact("space")
    assert _state(hf_api, manifest)[space.repo_id][2] == [(1, "Release v1.0")]

    hub_requests.mark()
    assert cli.main(["push", str(release_manifest), "--merge-prs", "--dry-run"]) == 0
    assert f"would merge pull request #1 of {model.repo_id}" in capsys.readouterr().out
    assert hub_requests.writes() == []

    assert cli.main(["push", str(release_manifest), "--merge-prs"]) == 0
    out = capsys.readouterr().out
    assert "release v1.0: 8 pull request(s) merged" in out and "0 bytes uploaded, 8 tag(s) created" in out
    assert "release record: releases/v1.0/release.json" in out
    merged = _state(hf_api, manifest)
    for artifact in manifest.artifacts:
        files, tags, prs = merged[artifact.repo_id]
        assert set(tags) == {"v1.0"} and prs == [], artifact.repo_id
        at_tag = set(hf_api.list_repo_files(artifact.repo_id, repo_type=artifact.repo_type, revision="v1.0"))
        if artifact.type == "results":  # tagged at the release record, committed on top of the merged files
            at_tag.remove("releases/v1.0/release.json")
        assert at_tag == set(hf_api.list_repo_files(artifact.repo_id, repo_type=artifact.repo_type,
                                                    revision="refs/pr/1")), artifact.repo_id  # fmt: skip
    assert hf_api.get_space_variables(space.repo_id)["REVISION"].value == "v1.0"
    assert cli.main(["verify", str(release_manifest)]) == 0
    assert "match the record" in capsys.readouterr().out

    # Re-running either step does nothing.
    hub_requests.mark()
    assert cli.main(["push", str(release_manifest), "--merge-prs"]) == 0
    assert "0 pull request(s) merged" in capsys.readouterr().out
    assert cli.main(["push", str(release_manifest), "--create-pr"]) == 0
    assert "0 pull request(s) opened, 0 updated, 0 up to date" in capsys.readouterr().out
    assert hub_requests.writes() == []
    assert _state(hf_api, manifest) == merged


def test_merge_prs_without_a_pull_request_names_the_repo_and_writes_nothing(release_manifest, manifest, hf_api,
                                                                            hub_requests, capsys):  # fmt: skip
    assert cli.main(["push", str(release_manifest)]) == 0  # v1.0 released the normal way
    capsys.readouterr()
    raw = release_manifest.read_text().replace("version: v1.0", "version: v1.1")
    assert raw != release_manifest.read_text()
    release_manifest.write_text(raw)
    (manifest.artifact("space").source / "app.py").write_text("print('v1.1')\n")
    hub_requests.mark()
    for extra in ([], ["--dry-run"]):
        assert cli.main(["push", str(release_manifest), "--merge-prs", *extra]) == 2
        err = capsys.readouterr().err
        assert "cannot merge release v1.1; nothing was merged" in err and "Traceback" not in err
        assert f"{manifest.artifact('space').repo_id}: no open pull request titled 'Release v1.1'" in err
        assert manifest.artifact("mmlu-fa").repo_id not in err  # an unchanged repo needs no pull request
    assert hub_requests.writes() == []
    with pytest.raises(SystemExit) as exited:  # argparse: one step at a time
        cli.main(["push", str(release_manifest), "--create-pr", "--merge-prs"])
    assert exited.value.code == 2
