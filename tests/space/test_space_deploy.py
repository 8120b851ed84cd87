"""gaokerena space deploy against the local Hub: the files, the front matter, variables, hardware, idempotence."""

from __future__ import annotations

import subprocess
import sys
import uuid
from importlib import metadata

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from hub_tools.space_repo import (
    ZEROGPU_PYTHON_VERSIONS, ZEROGPU_TORCH_VERSIONS, front_matter, model_files, preload_entry, space_files,
)  # fmt: skip
from space.deploy import deploy_space, main, released_model


REPO = "tester/gaokerena-chat"  # each test deploys to its own Space: see _own_space


@pytest.fixture(autouse=True)
def _own_space(monkeypatch):
    """``REPO`` names a new Space in every test (``tester/gaokerena-chat-<uuid>``), so no test sees another's."""
    monkeypatch.setattr(sys.modules[__name__], "REPO", f"tester/gaokerena-chat-{uuid.uuid4().hex[:8]}")


FRONT_MATTER_KEYS = {
    "title", "emoji", "colorFrom", "colorTo", "sdk", "sdk_version", "python_version", "app_file", "models",
    "datasets", "preload_from_hub", "short_description", "license", "suggested_hardware",
}  # fmt: skip


def read(api, path, revision=None):
    from huggingface_hub import hf_hub_download

    return open(hf_hub_download(REPO, path, repo_type="space", revision=revision, endpoint=api.endpoint,
                                token=api.token), encoding="utf-8").read()


MODEL_FILES = ("config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")


def tagged_model(api, repo_id: str, tag: str = "v1.0") -> str:
    """A model repo holding the file names a merged model has (plus a card and metadata), tagged ``tag``."""
    from huggingface_hub import CommitOperationAdd

    api.create_repo(repo_id, exist_ok=True)
    names = MODEL_FILES + ("training_metadata.json", "checkpoints/step-1.bin")
    files = [CommitOperationAdd(name, b"{}") for name in names]
    files.append(CommitOperationAdd("README.md", b"---\nlicense: mit\n---\n# model\n"))
    api.create_commit(repo_id, files, commit_message="model")
    api.create_tag(repo_id, tag=tag, exist_ok=True)
    return repo_id


def test_deploy_creates_the_space_and_a_second_run_changes_nothing(hf_api):
    tagged_model(hf_api, "tester/tiny-aya")
    first = deploy_space(hf_api, REPO, model_id="tester/tiny-aya", results_repo="tester/leaderboard-results",
                         revision="v1.0")
    assert first.commit is not None
    assert set(first.variables_set) == {"MODEL_ID", "REVISION", "RESULTS_REPO"}
    assert first.hardware_requested == "zero-a10g"
    files = set(hf_api.list_repo_files(REPO, repo_type="space"))
    assert {"README.md", "app.py", "requirements.txt", "space/app.py", "space/inference.py", "space/style.css"} <= set(
        files
    )
    assert "space/deploy.py" not in files
    shipped = {"hub_tools/__init__.py", "hub_tools/folding.py", "hub_tools/space_text.py",
               "hub_tools/evaluation/__init__.py", "hub_tools/evaluation/schema.py"}
    assert {f for f in files if f.startswith("hub_tools/")} == shipped  # what the Space imports from the toolkit
    commits = hf_api.list_repo_commits(REPO, repo_type="space")

    second = deploy_space(hf_api, REPO, model_id="tester/tiny-aya", results_repo="tester/leaderboard-results",
                          revision="v1.0")
    assert second.commit is None and second.changed_files == [] and second.deleted_files == []
    assert second.variables_set == [] and second.variables_deleted == [] and second.hardware_requested is None
    assert len(hf_api.list_repo_commits(REPO, repo_type="space")) == len(commits)
    variables = {k: v.value for k, v in hf_api.get_space_variables(REPO).items()}
    assert variables == {
        "MODEL_ID": "tester/tiny-aya", "REVISION": "v1.0", "RESULTS_REPO": "tester/leaderboard-results"
    }
    assert hf_api.get_space_runtime(REPO).requested_hardware == "zero-a10g"

    third = deploy_space(hf_api, REPO, model_id="tester/other", results_repo="tester/leaderboard-results")
    assert third.changed_files == ["README.md"] and third.commit is not None
    assert third.variables_set == ["MODEL_ID"] and third.variables_deleted == ["REVISION"]


def test_preload_pins_the_revision_the_app_loads(hf_api):
    model = tagged_model(hf_api, "tester/preload-pinned-model", tag="v2.0")
    result = deploy_space(hf_api, "tester/preload-pinned-space", model_id=model, results_repo="tester/r",
                          revision="v2.0", hardware=None)  # fmt: skip
    meta = yaml.safe_load(result.files["README.md"].decode().split("---")[1])
    assert meta["preload_from_hub"] == [f"{model} {','.join(sorted(MODEL_FILES))} v2.0"]
    variables = {k: v.value for k, v in hf_api.get_space_variables("tester/preload-pinned-space").items()}
    assert (variables["MODEL_ID"], variables["REVISION"]) == (model, "v2.0")  # what the app loads


def test_preload_entries():
    assert preload_entry("a/b") == "a/b"
    pinned = preload_entry("a/b", "v1.0", ["config.json", "model.safetensors"])
    assert pinned == "a/b config.json,model.safetensors v1.0"
    with pytest.raises(ValueError, match="by naming its files; none were given"):
        preload_entry("a/b", "v1.0", [])
    assert model_files(["README.md", "model-00001-of-00002.safetensors", "config.json", "sub/config.json",
                        "chat_template.jinja", "training_metadata.json"]) == [
        "chat_template.jinja", "config.json", "model-00001-of-00002.safetensors"]  # fmt: skip


def test_the_default_model_is_the_release_manifests():
    from space.settings import DEFAULT_MODEL_ID

    released = released_model()
    assert (released.model_id, released.revision) == ("gaokerena/gaokerena-v1", "v1.0")
    assert DEFAULT_MODEL_ID == released.model_id


def test_the_cli_defaults_to_the_release_model_and_says_when_it_cannot_list_it(local_hub, hub_tokens, capsys,
                                                                                tmp_path):
    token = next(t for t, who in hub_tokens.items() if who["user"] == "tester")
    argv = ["deploy", "--repo", "tester/cli-default", "--dry-run", "--endpoint", local_hub.url, "--token", token]
    assert main(argv) == 2  # gaokerena/gaokerena-v1 is not on this Hub
    assert "cannot list the files of gaokerena/gaokerena-v1 at v1.0" in capsys.readouterr().err
    manifest = tmp_path / "bad.yaml"
    manifest.write_text("namespace: [unclosed\n")
    assert main(argv + ["--manifest", str(manifest)]) == 2
    assert "bad.yaml: not valid YAML" in capsys.readouterr().err


def test_the_cli_dry_run_pins_the_release_model(local_hub, hub_tokens, hf_api, capsys):
    model = tagged_model(hf_api, "tester/cli-release-model")
    token = next(t for t, who in hub_tokens.items() if who["user"] == "tester")
    assert main(["deploy", "--repo", "tester/cli-dry", "--model-id", model, "--revision", "v1.0", "--dry-run",
                 "--endpoint", local_hub.url, "--token", token]) == 0
    out = capsys.readouterr().out
    assert f"- {model} {','.join(sorted(MODEL_FILES))} v1.0" in out
    assert not hf_api.repo_exists("tester/cli-dry", repo_type="space")  # nothing written


def test_front_matter_requirements_and_shim(hf_api):
    deploy_space(hf_api, REPO, model_id="tester/tiny-aya", results_repo="tester/leaderboard-results")
    readme = read(hf_api, "README.md")
    meta = yaml.safe_load(readme.split("---")[1])
    assert set(meta) == FRONT_MATTER_KEYS
    assert meta["sdk"] == "gradio" and meta["sdk_version"] == metadata.version("gradio")
    assert meta["python_version"] in ZEROGPU_PYTHON_VERSIONS and meta["app_file"] == "app.py"
    assert meta["models"] == ["tester/tiny-aya"] and meta["datasets"] == ["tester/leaderboard-results"]
    assert meta["preload_from_hub"] == ["tester/tiny-aya"]
    assert meta["license"] == "cc-by-nc-sa-4.0" and meta["suggested_hardware"] == "zero-a10g"
    assert len(meta["short_description"]) <= 60
    requirements = read(hf_api, "requirements.txt").splitlines()
    pins = dict(line.split("==") for line in requirements if line and not line.startswith("#"))
    assert "spaces" not in pins and "gradio" not in pins and pins["gradio[mcp]"] == meta["sdk_version"]
    assert pins["transformers"] == metadata.version("transformers") and pins["peft"] == metadata.version("peft")
    assert "gradio_client import Client" in readme and "message=" in readme
    assert "from space.app import demo, launch_options" in read(hf_api, "app.py")


def test_dry_run_calls_no_hub(capsys):
    result = deploy_space(None, REPO, model_id="a/b", results_repo="c/d", dry_run=True)  # no api at all
    assert result.dry_run and result.commit is None and "README.md" in result.changed_files
    assert main(["deploy", "--repo", REPO, "--model-id", "a/b", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would upload" in out and "sdk: gradio" in out
    listed = out.split("requirements.txt:")[1].split("commit:")[0].splitlines()
    assert "torch==" in "".join(listed) and not any(line.startswith("spaces") for line in listed)


def test_cli_deploys_through_the_gaokerena_command(local_hub, hub_tokens, capsys):
    from hub_tools.cli import main as gaokerena

    token = next(t for t, who in hub_tokens.items() if who["user"] == "tester")
    argv = ["space", "deploy", "--repo", REPO, "--model-id", "tester/tiny-aya", "--results-repo",
            "tester/leaderboard-results", "--endpoint", local_hub.url, "--token", token]
    assert gaokerena(argv) == 0
    assert gaokerena(argv) == 0
    assert "commit: none (no changes)" in capsys.readouterr().out


def test_requirements_pin_a_torch_zerogpu_supports_and_libraries_that_accept_it():
    files = space_files(front_matter(model_id="a/b", results_repo="c/d"))
    lines = files["requirements.txt"].decode().splitlines()
    pins = dict(line.split("==") for line in lines if line and not line.startswith("#"))
    assert pins["torch"] in ZEROGPU_TORCH_VERSIONS  # else the build fails: "No candidate PyTorch version found"
    assert pins["torch"] == max(ZEROGPU_TORCH_VERSIONS, key=Version)
    torch = Version(pins["torch"])
    for name in ("transformers", "peft", "accelerate"):
        wanted = [Requirement(r) for r in metadata.requires(name) or []]
        for requirement in wanted:
            applies = requirement.marker is None or requirement.marker.evaluate({"extra": "torch"})
            if requirement.name == "torch" and applies:
                assert torch in requirement.specifier, (name, str(requirement))


def test_the_deployed_file_set_imports_on_its_own(tmp_path):
    """The Space's files, written out alone, import without this repository on sys.path."""
    for path, data in space_files(front_matter(model_id="a/b", results_repo="c/d")).items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    import sysconfig

    # -S: no site, so no .pth file (the editable install of this repository) is read; only the deployed files and
    # the installed libraries are importable.
    code = (
        f"import sys; sys.path[:0] = [{str(tmp_path)!r}, {sysconfig.get_paths()['purelib']!r}];"
        "import hub_tools, hub_tools.folding, hub_tools.evaluation.schema as schema;"
        "from space import leaderboard, safety;"
        f"assert hub_tools.__file__.startswith({str(tmp_path)!r}), hub_tools.__file__;"
        f"assert leaderboard.__file__.startswith({str(tmp_path)!r});"
        "assert safety.detect_red_flags('نمیتونم نفس بکشم') == ['breathing'];"
        "assert leaderboard.wilson_interval(0, 8)[1] > 0.3 and schema.SCHEMA_VERSION == 1;"
        "print('ok')"
    )
    env = {"PATH": "/usr/bin:/bin", "HF_HUB_DISABLE_TELEMETRY": "1"}
    done = subprocess.run([sys.executable, "-S", "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_the_red_flag_nets_data_ships_and_its_development_tools_do_not():
    files = space_files(front_matter(model_id="tester/tiny-aya", results_repo="tester/leaderboard-results"))
    assert {"space/safety_lexicon.py", "space/red_flag_model.npz", "space/safety_figures.json"} <= set(files)
    assert "space/train_red_flag_model.py" not in files and "space/safety_pool.py" not in files
