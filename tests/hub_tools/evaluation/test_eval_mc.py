"""Multiple-choice evaluation end to end on the tiny model: both protocols, batching, base + adapter, CLI."""

from __future__ import annotations

import json

import pytest

from hub_tools.evaluation import mc
from hub_tools.evaluation.cli import main
from hub_tools.evaluation.data import load_benchmark
from hub_tools.evaluation.schema import load_result


def test_cli_loglikelihood_writes_a_valid_result(tmp_path, tiny_model_dir, mmlu_dataset_dir, capsys):
    rc = main(["mc", "--model", str(tiny_model_dir), "--benchmark", "mmlu-fa", "--protocol", "loglikelihood",
               "--dataset", str(mmlu_dataset_dir), "--batch-size", "4", "--out", str(tmp_path),
               "--display-name", "Tiny", "--model-type", "base", "--device", "cpu"])  # fmt: skip
    assert rc == 0
    files = list(tmp_path.glob("*.json"))
    assert [f.name for f in files] == [f"{tiny_model_dir.name}__mmlu-fa__loglikelihood.json"]
    result = load_result(files[0])
    assert result.metrics["n"] == 12 and result.metrics["invalid"] == 0
    assert set(result.subsets) == {"anatomy", "medical_genetics"}
    assert result.subsets["anatomy"]["n"] == 7 and result.subsets["medical_genetics"]["n"] == 5
    assert result.benchmark.dataset_id == "gaokerena/MMLU-fa" and result.benchmark.config == "all"
    assert (result.model.display_name, result.model.type) == ("Tiny", "base")
    for record in result.records:
        logprobs = json.loads(record["raw_output"])
        assert record["prediction"] == max(logprobs, key=logprobs.get)
        assert all(v < 0 for v in logprobs.values())
    assert result.config["batch_size"] == 4 and result.versions["transformers"]
    assert "accuracy" in capsys.readouterr().out


def test_cli_generate_counts_garbage_as_invalid(tmp_path, tiny_model_dir, ibmsee_dataset_dir):
    rc = main(["mc", "--model", str(tiny_model_dir), "--benchmark", "ibmsee", "--protocol", "generate",
               "--dataset", str(ibmsee_dataset_dir), "--max-new-tokens", "6", "--limit", "4", "--out", str(tmp_path),
               "--device", "cpu"])  # fmt: skip
    assert rc == 0
    result = load_result(tmp_path / f"{tiny_model_dir.name}__ibmsee__generate.json")
    assert result.metrics["n"] == 4 and list(result.subsets) == ["medicine-1402-06"]
    assert result.benchmark.pass_mark == 0.36 and result.benchmark.config == "medicine-1402-06"
    invalid = [r for r in result.records if r["prediction"] == "invalid"]
    assert result.metrics["invalid"] == len(invalid)
    assert all(not r["correct"] for r in invalid)
    assert result.config["decoding"] == {"do_sample": False, "max_new_tokens": 6}


def test_generate_scores_extracted_answers(tiny_lm, mmlu_dataset_dir, monkeypatch):
    """The generate protocol end to end with known completions (the random model's are garbage)."""
    data = load_benchmark("mmlu-fa", str(mmlu_dataset_dir), "anatomy")
    golds = [q.gold for q in data.items]
    answers = [f"پاسخ صحیح گزینه [{golds[0]}] است", "نمی‌دانم", f"گزینه {'ABCD'.index(golds[2]) + 1}",
               "الف) " if golds[3] != "A" else "ب)", "", "<garbage>", golds[6]]  # fmt: skip
    seen = {}

    def fake_generate(lm, prompts, *, max_new_tokens, batch_size, progress=None):
        seen["prompts"] = prompts
        return answers

    monkeypatch.setattr("hub_tools.evaluation.runner.generate", fake_generate)
    result = mc.evaluate_mc(model="tiny", benchmark="mmlu-fa", protocol="generate", loaded=tiny_lm, data=data)
    preds = [r["prediction"] for r in result.records]
    assert [preds[0], preds[2], preds[6]] == [golds[0], golds[2], golds[6]]
    assert preds[3] in "ABCD" and preds[3] != golds[3]
    assert [preds[1], preds[4], preds[5]] == ["invalid"] * 3
    m = result.metrics
    assert (m["n"], m["correct"], m["invalid"]) == (7, 3, 3)
    # the paper's prompt inside aya's chat template
    assert seen["prompts"][0].startswith("<BOS_TOKEN><|START_OF_TURN_TOKEN|><|USER_TOKEN|>به پرسش زیر")
    assert seen["prompts"][0].endswith("<|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>")
    assert "[A] : پاسخ 1 برای پرسش 1" in seen["prompts"][0]


def test_loglikelihood_is_batch_invariant(tiny_lm, mmlu_dataset_dir):
    """Left padding + position ids: a question scores the same alone and in a mixed-length batch."""
    data = load_benchmark("mmlu-fa", str(mmlu_dataset_dir), "all")
    one = mc.predict_loglikelihood(tiny_lm, data.items, batch_size=1)
    many = mc.predict_loglikelihood(tiny_lm, data.items, batch_size=5)
    assert [r["id"] for r in one] == [q.id for q in data.items] == [r["id"] for r in many]
    for a, b in zip(one, many):
        assert a["prediction"] == b["prediction"]
        for letter in "ABCD":
            assert a["logprobs"][letter] == pytest.approx(b["logprobs"][letter], abs=1e-4)


def test_generate_is_batch_invariant(tiny_lm, mmlu_dataset_dir):
    from hub_tools.evaluation.runner import chat_text, generate

    # plain text (no chat template): the random model then continues with ordinary tokens, not special ones
    prompts = ["درد " * k + "سر" for k in (1, 5, 9)] + [chat_text(tiny_lm.tokenizer, "سلام")]
    alone = generate(tiny_lm, prompts, max_new_tokens=5, batch_size=1)
    assert any(text.strip() for text in alone)
    assert generate(tiny_lm, prompts, max_new_tokens=5, batch_size=4) == alone


def test_letter_tokens_cover_both_spellings(tiny_lm):
    from hub_tools.evaluation.runner import letter_token_ids

    ids = letter_token_ids(tiny_lm.tokenizer, "ABCD")
    tok = tiny_lm.tokenizer
    for letter, candidates in ids.items():
        assert tok.encode(letter, add_special_tokens=False)[0] in candidates
        assert {tok.decode([c]).strip() for c in candidates} == {letter}


def test_base_plus_adapter_matches_the_merged_model(tmp_path, tiny_model_dir, mmlu_dataset_dir, tiny_lm):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(1)
    base = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    peft_model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj", "down_proj"],
                                                 init_lora_weights=False))  # fmt: skip
    adapter_dir = tmp_path / "tiny-lora"
    peft_model.save_pretrained(adapter_dir)
    merged_dir = tmp_path / "tiny-merged"
    peft_model.merge_and_unload().save_pretrained(merged_dir)
    AutoTokenizer.from_pretrained(tiny_model_dir).save_pretrained(merged_dir)

    data = load_benchmark("mmlu-fa", str(mmlu_dataset_dir), "medical_genetics")
    with_adapter = mc.evaluate_mc(model=str(tiny_model_dir), adapter=str(adapter_dir), benchmark="mmlu-fa",
                                  protocol="loglikelihood", data=data, device="cpu", batch_size=2)  # fmt: skip
    merged = mc.evaluate_mc(model=str(merged_dir), benchmark="mmlu-fa", protocol="loglikelihood", data=data,
                            device="cpu")  # fmt: skip
    plain = mc.evaluate_mc(model=str(tiny_model_dir), benchmark="mmlu-fa", protocol="loglikelihood", data=data,
                           loaded=tiny_lm)  # fmt: skip
    assert with_adapter.model.id == "tiny-lora" and with_adapter.model.adapter == str(adapter_dir)
    assert with_adapter.model.type == "fine-tuned" and with_adapter.config["base_model"] == str(tiny_model_dir)
    moved = False
    for a, m, p in zip(with_adapter.records, merged.records, plain.records):
        for letter in "ABCD":
            assert a["logprobs"][letter] == pytest.approx(m["logprobs"][letter], abs=1e-3)
            moved |= abs(a["logprobs"][letter] - p["logprobs"][letter]) > 1e-3
    assert moved, "the adapter did not change the scores: it was not applied"
    # and the generate protocol runs through the adapter too
    gen = mc.evaluate_mc(model=str(tiny_model_dir), adapter=str(adapter_dir), benchmark="mmlu-fa", protocol="generate",
                         data=data, device="cpu", max_new_tokens=3)  # fmt: skip
    assert gen.metrics["n"] == 5


def test_bad_benchmark_data_is_reported(tmp_path, tiny_lm):
    import datasets

    from hub_tools.evaluation.data import BenchmarkDataError

    folder = tmp_path / "broken" / "all"
    folder.mkdir(parents=True)
    datasets.Dataset.from_list([{"id": "x-1", "question": "q", "choices": ["a", "b", "c"], "answer": 1,
                                 "subject": "anatomy"}]).to_parquet(str(folder / "test-00000-of-00001.parquet"))  # fmt: skip
    with pytest.raises(BenchmarkDataError, match="row 0 has 3 choices"):
        load_benchmark("mmlu-fa", str(tmp_path / "broken"), "default")
    rc = main(["mc", "--model", "unused", "--benchmark", "mmlu-fa", "--protocol", "generate",
               "--dataset", str(tmp_path / "broken"), "--config", "default", "--out", str(tmp_path)])  # fmt: skip
    assert rc == 1


def test_default_dataset_comes_from_the_hub(tmp_path, hf_api, mmlu_dataset_dir, tiny_model_dir, tiny_lm):
    """Without --dataset the benchmark is read from gaokerena/MMLU-fa on HF_ENDPOINT (the local Hub here)."""
    repo = "gaokerena/MMLU-fa"
    hf_api.create_repo(repo, repo_type="dataset", exist_ok=True)
    commit = hf_api.upload_folder(repo_id=repo, repo_type="dataset", folder_path=str(mmlu_dataset_dir))
    data = load_benchmark("mmlu-fa", config="medical_genetics")
    assert data.source == repo and data.dataset_id == repo and len(data.items) == 5
    assert data.revision == commit.oid
    result = mc.evaluate_mc(model=str(tiny_model_dir), benchmark="mmlu-fa", protocol="loglikelihood", data=data,
                            loaded=tiny_lm, model_id="gaokerena/tiny")  # fmt: skip
    assert result.benchmark.dataset_revision == commit.oid
    assert result.model.url.endswith("/gaokerena/tiny")


def test_a_rebuilt_dataset_folder_is_never_read_from_a_stale_cache(tmp_path):
    """datasets caches a folder's README config by folder and config name only; the loader must not."""
    import datasets

    folder = tmp_path / "mmlu-fa"
    for count in (3, 5):
        (folder / "all").mkdir(parents=True, exist_ok=True)
        rows = [{"id": f"anatomy-{i:04d}", "question": f"q{i} of {count}", "choices": ["a", "b", "c", "d"],
                 "answer": 0, "subject": "anatomy"} for i in range(1, count + 1)]  # fmt: skip
        datasets.Dataset.from_list(rows).to_parquet(str(folder / "all" / "test-00000-of-00001.parquet"))
        (folder / "README.md").write_text("---\nconfigs:\n- config_name: all\n  data_files:\n  - split: test\n"
                                          "    path: all/test-*\n---\n", encoding="utf-8")  # fmt: skip
        data = load_benchmark("mmlu-fa", str(folder), "all")
        assert len(data.items) == count and data.items[0].question == f"q1 of {count}"


@pytest.mark.slow  # the continuous-batching engine's start-up: about 90 s on a loaded 2-core machine (CI's slow step)
def test_continuous_batching_answers_as_the_static_batches_do(tiny_lm, mmlu_dataset_dir):
    """transformers' continuous batching (generate_batch) gives the generate protocol the same completions."""
    items = load_benchmark("mmlu-fa", str(mmlu_dataset_dir), "all").items[:6]
    static = mc.predict_generate(tiny_lm, items, batch_size=4, max_new_tokens=8, engine="static")
    continuous = mc.predict_generate(tiny_lm, items, batch_size=4, max_new_tokens=8, engine="continuous")
    assert [r["raw_output"] for r in continuous] == [r["raw_output"] for r in static]
    assert [r["prediction"] for r in continuous] == [r["prediction"] for r in static]
    assert any(text["raw_output"].strip() for text in static)


def test_several_benchmarks_need_one_dataset_each(tmp_path, capsys):
    common = ["mc", "--model", str(tmp_path), "--benchmark", "mmlu-fa", "ibmsee", "--protocol", "generate"]
    assert main([*common, "--dataset", str(tmp_path / "mmlu")]) == 1
    assert "--dataset: 1 value(s) for 2 benchmark(s); give one each" in capsys.readouterr().err
    assert main([*common, "--config", "all"]) == 1
    assert "--config names one benchmark's config" in capsys.readouterr().err


def _two_sitting_workbook(path, per_sitting: int = 30):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Question", "Option1", "Option2", "Option3", "Option4", "Correct answer", "Topic", "Source"])
    for source in ("پزشکی شهریور 402", "دندانپزشکی اسفند 1400"):
        for i in range(1, per_sitting + 1):
            sheet.append([f"پرسش {i} از {source} کدام است؟", f"یک {i}", f"دو {i}", f"سه {i}", f"چهار {i}", 1 + i % 4,
                          "فیزیولوژی", source])  # fmt: skip
    book.save(path)
    return path


def test_a_two_sitting_ibmsee_build_shows_a_verdict_only_for_the_sitting_with_a_known_pass_mark(
    tmp_path, tiny_lm, monkeypatch
):
    """Builder -> evaluation -> leaderboard: the pass mark comes from the sitting's source (the build's
    metadata.json), so only medicine-1402-06 gets a verdict; dentistry-1400-12 and "all" get none."""
    from hub_tools.data.builders import BuildOptions, get_builder
    from space import leaderboard as lb

    built = tmp_path / "ibmsee"
    get_builder("ibmsee").build([_two_sitting_workbook(tmp_path / "exams.xlsx")], built, BuildOptions())
    answers: list[str] = []

    def fake_generate(lm, prompts, *, max_new_tokens, batch_size, progress=None):
        return answers[: len(prompts)]

    monkeypatch.setattr("hub_tools.evaluation.runner.generate", fake_generate)
    paths = []
    for config in ("medicine-1402-06", "dentistry-1400-12", "all"):
        data = load_benchmark("ibmsee", str(built), config)
        answers[:] = [f"پاسخ صحیح گزینه [{q.gold}] است" for q in data.items]
        result = mc.evaluate_mc(model="tiny", model_id="org/tiny", benchmark="ibmsee", protocol="generate",
                                loaded=tiny_lm, data=data, resamples=20)  # fmt: skip
        assert result.records[0]["extraction"]["reason"] == "stated as the answer"
        paths.append(result.save(tmp_path / "results" / f"{config}.json"))
    marks = {p.stem: load_result(p).benchmark.pass_mark for p in paths}
    assert marks == {"medicine-1402-06": 0.36, "dentistry-1400-12": None, "all": None}
    table = lb.leaderboard_table(lb.scores_frame(lb.load_results(paths).results), show_ci=False)
    assert [c for c in table.columns if c.startswith("IBMSEE") and c != "IBMSEE n"] == [
        "IBMSEE dentistry-1400-12 (generate)", "IBMSEE medicine-1402-06 (generate)",
        "IBMSEE medicine-1402-06 pass (≥36%)", "IBMSEE all (generate)",
    ]  # fmt: skip
    assert table.iloc[0]["IBMSEE medicine-1402-06 pass (≥36%)"] == "pass ✅"


def test_generate_reads_an_answer_given_as_the_options_text(tiny_lm, ibmsee_dataset_dir, monkeypatch):
    data = load_benchmark("ibmsee", str(ibmsee_dataset_dir))  # options یک / دو / سه / چهار

    def fake_generate(lm, prompts, *, max_new_tokens, batch_size, progress=None):
        return [q.choices[q.answer] for q in data.items]

    monkeypatch.setattr("hub_tools.evaluation.runner.generate", fake_generate)
    result = mc.evaluate_mc(model="tiny", benchmark="ibmsee", protocol="generate", loaded=tiny_lm, data=data,
                            resamples=20)  # fmt: skip
    assert all(r["correct"] for r in result.records) and len(result.records) == 5
    assert {r["extraction"]["reason"] for r in result.records} == {"the only option named (by its text)"}


def test_ibmsee_pass_marks_come_from_the_hub_repos_metadata(tmp_path, hf_api):
    """A built IBMSEE on the Hub: each sitting's pass mark is read from the repo's metadata.json (here the
    maintainer's --set pass_mark=0.4, which the known-marks table does not hold)."""
    from hub_tools.data.builders import BuildOptions, get_builder

    built = tmp_path / "ibmsee"
    get_builder("ibmsee").build([_two_sitting_workbook(tmp_path / "exams.xlsx", per_sitting=4)], built,
                                BuildOptions(extra={"pass_mark": 0.4}))  # fmt: skip
    repo = f"tester/ibmsee-{tmp_path.name[-12:]}"
    hf_api.create_repo(repo, repo_type="dataset", exist_ok=True)
    hf_api.upload_folder(repo_id=repo, repo_type="dataset", folder_path=str(built))
    marks = {config: load_benchmark("ibmsee", repo, config).pass_mark
             for config in ("medicine-1402-06", "dentistry-1400-12", "all")}  # fmt: skip
    assert marks == {"medicine-1402-06": 0.4, "dentistry-1400-12": 0.4, "all": None}


def test_cli_loads_the_model_once_for_every_benchmark_and_protocol(tmp_path, tiny_model_dir, mmlu_dataset_dir,
                                                                    ibmsee_dataset_dir, monkeypatch):  # fmt: skip
    from hub_tools.evaluation import runner

    loads = []
    real_load = runner.load_model
    monkeypatch.setattr(runner, "load_model", lambda *a, **k: loads.append(a) or real_load(*a, **k))
    rc = main(["mc", "--model", str(tiny_model_dir), "--benchmark", "mmlu-fa", "ibmsee", "--protocol", "generate",
               "loglikelihood", "--dataset", str(mmlu_dataset_dir), str(ibmsee_dataset_dir), "--limit", "3",
               "--max-new-tokens", "4", "--out", str(tmp_path), "--device", "cpu"])  # fmt: skip
    assert rc == 0 and len(loads) == 1
    written = sorted(p.name for p in tmp_path.glob("*.json"))
    assert written == sorted(f"{tiny_model_dir.name}__{b}__{p}.json" for b in ("mmlu-fa", "ibmsee")
                             for p in ("generate", "loglikelihood"))  # fmt: skip
    assert all(load_result(tmp_path / name).metrics["n"] == 3 for name in written)


def test_threads_below_one_is_refused(capsys):
    with pytest.raises(SystemExit):
        main(["mc", "--model", "unused", "--benchmark", "mmlu-fa", "--protocol", "generate", "--threads", "0"])
    assert "--threads must be 1 or more, got 0" in capsys.readouterr().err
