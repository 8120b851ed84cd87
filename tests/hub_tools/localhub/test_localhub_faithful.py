"""The local Hub behaves like the Hub where huggingface_hub's own tests say how: pull requests, card validation,
.gitignore, implicit folder deletes, short commit ids, ref conflicts, error texts and request ids."""

from __future__ import annotations

import pytest
from huggingface_hub import CommitOperationAdd, CommitOperationDelete, RepoCard
from huggingface_hub.errors import BadRequestError, HfHubHTTPError, RevisionNotFoundError

pytestmark = pytest.mark.timeout(120)


def test_pull_request_commit_then_merge(hf_api, repo_name):
    hf_api.create_repo(repo_name)
    hf_api.upload_file(path_or_fileobj=b"v1", path_in_repo="keep.txt", repo_id=repo_name)
    info = hf_api.create_commit(repo_name, [CommitOperationAdd("new.txt", b"proposed")], commit_message="Propose",
                                create_pr=True)
    assert info.pr_revision == "refs/pr/1" and info.pr_num == 1
    assert "new.txt" not in hf_api.list_repo_files(repo_name)
    assert "new.txt" in hf_api.list_repo_files(repo_name, revision="refs/pr/1")
    hf_api.create_commit(repo_name, [CommitOperationAdd("more.txt", b"m")], commit_message="More",
                         revision="refs/pr/1")
    details = hf_api.get_discussion_details(repo_name, 1)
    assert details.is_pull_request and details.status == "open" and details.title == "Propose"
    assert [d.num for d in hf_api.get_repo_discussions(repo_name)] == [1]
    hf_api.upload_file(path_or_fileobj=b"main moved on", path_in_repo="other.txt", repo_id=repo_name)
    hf_api.comment_discussion(repo_name, 1, "looks good")
    hf_api.merge_pull_request(repo_name, 1)
    assert sorted(hf_api.list_repo_files(repo_name)) == [".gitattributes", "keep.txt", "more.txt", "new.txt",
                                                         "other.txt"]
    details = hf_api.get_discussion_details(repo_name, 1)
    assert details.status == "merged" and details.merge_commit_oid == hf_api.model_info(repo_name).sha
    with pytest.raises(HfHubHTTPError):
        hf_api.merge_pull_request(repo_name, 1)


def test_pull_request_conflict_refused(hf_api, repo_name):
    hf_api.create_repo(repo_name)
    hf_api.create_commit(repo_name, [CommitOperationAdd("a.txt", b"pr")], commit_message="pr", create_pr=True)
    hf_api.upload_file(path_or_fileobj=b"main", path_in_repo="a.txt", repo_id=repo_name)
    with pytest.raises(HfHubHTTPError) as exc:
        hf_api.merge_pull_request(repo_name, 1)
    assert exc.value.response.status_code == 409 and "a.txt" in str(exc.value)


def test_card_validation_uses_hub_licenses(local_hub, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "ENDPOINT", local_hub.url)
    card = RepoCard("---\nlicense: apache-2.0\n---\n# ok\n")
    card.validate()
    card.data.license = "asdf"
    with pytest.raises(ValueError, match='- Error: "license" must be one of'):
        card.validate()


def test_commit_path_validates_readme_like_the_hub(hf_api, repo_name):
    hf_api.create_repo(repo_name)
    with pytest.raises(ValueError, match='Invalid metadata in README.md.\n- "license" must be one of'):
        hf_api.upload_file(path_or_fileobj=b"---\nlicense: MIT\n---\n", path_in_repo="README.md", repo_id=repo_name)
    with pytest.warns(UserWarning, match="empty or missing yaml metadata"):
        hf_api.upload_file(path_or_fileobj=b"# no metadata\n", path_in_repo="README.md", repo_id=repo_name)
    assert "README.md" in hf_api.list_repo_files(repo_name)


def test_gitignore_in_preupload(hf_api, repo_name, tmp_path):
    hf_api.create_repo(repo_name)
    hf_api.upload_file(path_or_fileobj=b"*.log\nbuild/\n", path_in_repo=".gitignore", repo_id=repo_name)
    folder = tmp_path / "up"
    (folder / "build").mkdir(parents=True)
    for rel in ("a.log", "b.txt", "build/x.txt", "sub.log.txt"):
        (folder / rel).write_bytes(b"x")
    hf_api.upload_folder(repo_id=repo_name, folder_path=folder)
    assert sorted(hf_api.list_repo_files(repo_name)) == [".gitattributes", ".gitignore", "b.txt", "sub.log.txt"]


def test_implicit_folder_delete(hf_api, repo_name):
    hf_api.create_repo(repo_name)
    hf_api.create_commit(repo_name, [CommitOperationAdd("nested/a.txt", b"a"), CommitOperationAdd("nested/s/b.txt",
                                                                                                   b"b")],
                         commit_message="init")
    hf_api.create_commit(repo_name, [CommitOperationDelete("nested")], commit_message="drop folder")
    assert hf_api.list_repo_files(repo_name) == [".gitattributes"]


def test_tags_on_short_commit_ids_and_pr_refs(hf_api, repo_name):
    hf_api.create_repo(repo_name, repo_type="dataset")
    first = hf_api.create_commit(repo_name, [CommitOperationAdd("r.md", b"1")], commit_message="1",
                                 repo_type="dataset")
    hf_api.create_commit(repo_name, [CommitOperationAdd("c.json", b"{}")], commit_message="2", repo_type="dataset")
    hf_api.create_tag(repo_name, tag="commit_1", revision=first.oid[:7], repo_type="dataset")
    assert hf_api.dataset_info(repo_name, revision="commit_1").sha == first.oid
    pr = hf_api.create_commit(repo_name, [CommitOperationAdd("p.txt", b"p")], commit_message="p",
                              repo_type="dataset", create_pr=True)
    hf_api.create_tag(repo_name, tag="v0", revision=pr.pr_revision, repo_type="dataset")
    assert hf_api.dataset_info(repo_name, revision="v0").sha == pr.oid


def test_branch_and_tag_conflict_messages(hf_api, repo_name):
    hf_api.create_repo(repo_name)
    hf_api.create_branch(repo_name, branch="cool-branch")
    with pytest.raises(HfHubHTTPError, match=r"Reference refs/heads/cool-branch already exists"):
        hf_api.create_branch(repo_name, branch="cool-branch")
    with pytest.raises(HfHubHTTPError, match=r"Reference refs/heads/main already exists"):
        hf_api.create_branch(repo_name, branch="main")
    hf_api.create_branch(repo_name, branch="cool-branch", exist_ok=True)
    hf_api.create_tag(repo_name, tag="tag")
    hf_api.create_branch(repo_name, branch="tag")  # a tag of the same name is no conflict
    with pytest.raises(HfHubHTTPError) as exc:
        hf_api.create_tag(repo_name, tag="tag")
    assert exc.value.response.status_code == 409
    hf_api.create_tag(repo_name, tag="tag", exist_ok=True)
    with pytest.raises(BadRequestError, match="Invalid reference for a branch"):
        hf_api.create_branch(repo_name, branch="refs/pr/5")
    with pytest.raises(HfHubHTTPError, match="Cannot delete refs/heads/main"):
        hf_api.delete_branch(repo_name, branch="main")
    with pytest.raises(HfHubHTTPError, match="Invalid rev id"):
        hf_api.delete_branch(repo_name, branch="missing-branch")


def test_errors_carry_request_id(hf_api, repo_name):
    hf_api.create_repo(repo_name)
    with pytest.raises(RevisionNotFoundError) as exc:
        hf_api.model_info(repo_name, revision="nope")
    assert exc.value.request_id and len(exc.value.request_id) == 32


def test_missing_repo_and_conflict_texts_as_the_hub_gives_them(hf_api, repo_name):
    from huggingface_hub.errors import RepositoryNotFoundError

    with pytest.raises(RepositoryNotFoundError) as exc:
        hf_api.create_commit(repo_name + "-missing", [CommitOperationAdd("config.json", b"{}")], commit_message="x")
    request_id = exc.value.response.headers.get("X-Request-Id")
    assert str(exc.value).startswith(f"404 Client Error. (Request ID: {request_id})\n\nRepository Not Found for url: "
                                      f"{hf_api.endpoint}/api/models/{repo_name}-missing/preupload/main.\n")
    assert str(exc.value).endswith("Please use `create_repo` if it's not the case.")
    hf_api.create_repo(repo_name)
    hf_api.create_repo(repo_name + "-2")
    with pytest.raises(HfHubHTTPError, match=r"A model repository called .* already exists"):
        hf_api.move_repo(from_id=repo_name, to_id=repo_name + "-2")


def test_create_pr_against_a_branch(hf_api, repo_name):
    hf_api.create_repo(repo_name)
    hf_api.create_branch(repo_name, branch="test_branch")
    head = hf_api.list_repo_refs(repo_name).branches[0].target_commit
    info = hf_api.create_commit(repo_name, [CommitOperationAdd("file.txt", b"content")], commit_message="PR",
                                revision="test_branch", create_pr=True)
    for revision in (head, "missing_branch"):
        with pytest.raises(RevisionNotFoundError):
            hf_api.create_commit(repo_name, [CommitOperationAdd("file.txt", b"c")], commit_message="PR",
                                 revision=revision, create_pr=True)
    hf_api.merge_pull_request(repo_name, info.pr_num)
    assert "file.txt" in hf_api.list_repo_files(repo_name, revision="test_branch")
    assert "file.txt" not in hf_api.list_repo_files(repo_name)


def test_invalid_model_index_is_invalid_metadata(hf_api, repo_name):
    hf_api.create_repo(repo_name)
    card = b"---\nmodel-index: foo\n---\n\nThis is a modelcard with an invalid metadata section.\n"
    with pytest.raises(ValueError, match='Invalid metadata in README.md.\n- "model-index" must be an array'):
        hf_api.create_commit(repo_name, [CommitOperationAdd("README.md", card)], commit_message="card")


def test_relative_download_paths_refused_by_the_client(hf_api, repo_name, tmp_path):
    """As on the Hub, a backslash inside a path is a plain character (a path starting with "..\\" is a 422); the
    client then refuses to download such a name into a cache or a local folder."""
    from huggingface_hub import hf_hub_download

    hf_api.create_repo(repo_name)
    with pytest.raises(HfHubHTTPError) as exc:
        hf_api.upload_file(path_or_fileobj=b"content", path_in_repo="..\\ddd", repo_id=repo_name)
    assert exc.value.response.status_code == 422
    hf_api.upload_file(path_or_fileobj=b"content", path_in_repo="folder/..\\..\\..\\file", repo_id=repo_name)
    for local_dir in (None, tmp_path / "local"):
        with pytest.raises(ValueError, match="Invalid filename"):
            hf_hub_download(repo_name, "folder/..\\..\\..\\file", cache_dir=tmp_path / "cache", local_dir=local_dir,
                            endpoint=hf_api.endpoint)
