"""Content hashes are the Hub's own (git blob sha1 / LFS sha256), and plans compare them with the Hub tree."""

from __future__ import annotations

import hashlib
import uuid

from hub_tools.release.sync import collect_files, commit_repo, hash_bytes, is_excluded, plan_repo


def test_hashes_are_git_blob_sha1_and_sha256(tmp_path):
    assert hash_bytes(b"")[0] == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"  # `git hash-object /dev/null`
    assert hash_bytes(b"hello\n")[0] == "ce013625030ba8dba906f756967f9e9ca394464a"  # `echo hello | git hash-object`
    data = bytes(range(256)) * 1000
    (tmp_path / "f.bin").write_bytes(data)
    file = collect_files(tmp_path)["f.bin"]
    assert (file.sha1, file.sha256, file.size) == (*hash_bytes(data), len(data))
    assert file.sha256 == hashlib.sha256(data).hexdigest()


def test_excluded_files_are_never_staged(tmp_path):
    for rel in ("keep.json", "sub/keep.txt", "checkpoints/c-1/optimizer.pt", "__pycache__/a.pyc",
                "x/__pycache__/b.pyc", ".git/HEAD"):  # fmt: skip
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    patterns = (".git/**", "**/__pycache__/**", "checkpoints/**")
    assert sorted(collect_files(tmp_path, patterns)) == ["keep.json", "sub/keep.txt"]
    assert is_excluded("a/__pycache__/x.pyc", patterns) and not is_excluded("a/pycache.txt", patterns)


def test_plan_against_an_empty_then_a_populated_repo(hf_api, tmp_path):
    repo_id = f"tester/sync-{uuid.uuid4().hex[:8]}"
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "a.txt").write_text("alpha")
    (folder / "big.safetensors").write_bytes(b"\0" * 2048)  # stored as LFS by pattern
    plan = plan_repo(hf_api, repo_id=repo_id, repo_type="model", files=collect_files(folder))
    assert not plan.exists and plan.added == ["a.txt", "big.safetensors"] and not plan.unchanged

    hf_api.create_repo(repo_id)
    plan = plan_repo(hf_api, repo_id=repo_id, repo_type="model", files=collect_files(folder))
    commit = commit_repo(hf_api, plan, message="first")
    assert commit == hf_api.repo_info(repo_id).sha

    plan = plan_repo(hf_api, repo_id=repo_id, repo_type="model", files=collect_files(folder))
    assert plan.unchanged and plan.head == commit
    assert plan.remote["big.safetensors"].lfs_sha256 == hashlib.sha256(b"\0" * 2048).hexdigest()
    assert commit_repo(hf_api, plan, message="nothing") is None

    (folder / "a.txt").write_text("alpha, changed")
    (folder / "big.safetensors").unlink()
    (folder / "new.json").write_text("{}")
    plan = plan_repo(hf_api, repo_id=repo_id, repo_type="model", files=collect_files(folder))
    assert (plan.added, plan.changed, plan.deleted) == (["new.json"], ["a.txt"], ["big.safetensors"])
    assert plan.upload_bytes == len("alpha, changed") + 2 and plan.deleted_bytes == 2048
    second = commit_repo(hf_api, plan, message="second")
    assert set(hf_api.list_repo_files(repo_id)) - {".gitattributes"} == {"a.txt", "new.json"}
    assert hf_api.list_repo_commits(repo_id)[0].commit_id == second
