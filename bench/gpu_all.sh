#!/usr/bin/env bash
# Every GPU figure of issue 16 in one run (~10 minutes on one H100/H200), written to
# bench/results/gpu-<UTC date>.json with the device name and the torch / CUDA / transformers versions:
#   1. the training lever matrix (bench/train_bench.py): baseline, each lever, all levers; tokens/s, MFU, peak
#      allocated/reserved memory, ratio to plain TRL, on an aya-expanse-8b-shaped model in bf16;
#   2. MMLU-fa + IBMSEE loglikelihood wall time on all 1,257 questions, and the generate protocol on 256 questions,
#      static batches against continuous batching (bench/eval_bench.py);
#   3. chat TTFT and decode tokens/s at batch 1, dynamic vs static KV cache, against the bandwidth bound
#      (bench/space_bench.py).
# Each part has its own time limit, so one that hangs or fails leaves the others' figures in the file.
#   bash bench/gpu_all.sh            # from the repository root, with the project's venv active or PYTHON set
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
STAMP="$(date -u +%Y-%m-%d)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
OUT="bench/results/gpu-${STAMP}.json"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 TOKENIZERS_PARALLELISM=false
mkdir -p bench/results

"$PYTHON" - "$WORK/env.json" <<'PY'
import json, platform, sys
import torch, transformers, trl, peft
info = {"python": platform.python_version(), "torch": torch.__version__, "cuda": torch.version.cuda,
        "transformers": transformers.__version__, "trl": trl.__version__, "peft": peft.__version__,
        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "device_count": torch.cuda.device_count(),
        "memory_gib": round(torch.cuda.get_device_properties(0).total_memory / 2**30, 1) if torch.cuda.is_available() else None}
for name in ("flash_attn", "kernels", "spaces"):
    try:
        module = __import__(name)
        info[name] = getattr(module, "__version__", "installed")
    except ImportError:
        info[name] = None
json.dump(info, open(sys.argv[1], "w"), indent=2)
print("environment:", info, flush=True)
if not torch.cuda.is_available():
    sys.exit("no CUDA device: bench/gpu_all.sh measures GPU figures only")
PY
[ $? -eq 0 ] || exit 1

echo "== 1/3 training lever matrix (limit 330 s)"
timeout 330 "$PYTHON" bench/train_bench.py --skip-cpu --gpu-steps 6 --out "$WORK/train.json"; echo "train rc=$?"
echo "== 2/3 evaluation: loglikelihood on 1,257 questions, generate on 256 (limit 170 s)"
timeout 170 "$PYTHON" bench/eval_bench.py --gpu-only --full --skip-lm-eval --gpu-generate 256 \
    --gpu-max-new-tokens 128 --json-out "$WORK/eval.json"; echo "eval rc=$?"
echo "== 3/3 chat decode: dynamic vs static cache (limit 90 s)"
timeout 90 "$PYTHON" bench/space_bench.py --gpu-only --out "$WORK/chat.json"; echo "chat rc=$?"

"$PYTHON" - "$WORK" "$OUT" <<'PY'
import json, sys
from datetime import datetime, timezone
from pathlib import Path
work, out = Path(sys.argv[1]), Path(sys.argv[2])
def part(name):
    path = work / f"{name}.json"
    return json.loads(path.read_text()) if path.is_file() else "not measured (the part failed or ran out of time)"
result = {"measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "environment": part("env"),
          "training": part("train"), "evaluation": part("eval"), "chat": part("chat"),
          "goals": {"training_all_levers_tokens_per_s": 12000, "loglikelihood_1257_questions_s": 30,
                    "decode_fraction_of_bandwidth_bound_static": 0.70}}
out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
print(f"written {out}")
PY
