#!/usr/bin/env bash
# The fine-tune on a lent GPU machine: no network, and its python3 has torch, transformers and
# peft but not llama.cpp. Trains two LoRA settings side by side on one `pictovoz-train pack`
# (copied to $PACK beforehand) and copies each best adapter and its summary to OUTDIR.
# Usage, from the repository root: bash training/gpu_train.sh OUTDIR MINUTES
set -uo pipefail
OUTDIR=${1:?OUTDIR}
MINUTES=${2:-6}
PACK=${PACK:-/tmp/pack}
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c "import torch, transformers, peft; print(torch.__version__, transformers.__version__, peft.__version__)"
run() {  # name rank alpha lr
    python3 -m training.finetune train --pack "$PACK" --out "/tmp/run-$1" --device cuda \
        --rank "$2" --alpha "$3" --lr "$4" --batch-size 64 --epochs 3 --eval-every 500 \
        --patience 8 --eval-examples 1000 --time-budget-min "$MINUTES" >"$OUTDIR/$1.log" 2>&1
}
mkdir -p "$OUTDIR"
run r16 16 32 3e-4 &
run r32 32 64 3e-4 &
wait
for name in r16 r32; do
    mkdir -p "$OUTDIR/$name"
    cp "/tmp/run-$name/summary.json" "/tmp/run-$name/best/"adapter_* "$OUTDIR/$name/" 2>/dev/null
    tail -3 "$OUTDIR/$name.log"
done
nvidia-smi --query-gpu=memory.used --format=csv,noheader
