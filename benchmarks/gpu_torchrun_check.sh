#!/bin/bash
# benchmarks/gpu_torchrun_check.sh — one GPU: torchrun (NCCL) training of B0 from scratch on a synthetic 24-class set,
# a resumed continuation, export and evaluate. DEVICE=cpu for a smoke run (Gloo).
# Run from the repository root with the package importable (PYTHONPATH=. or the venv):
#   bash benchmarks/gpu_torchrun_check.sh            (W=/tmp/ddp DEVICE=cuda EPOCHS=8 SIZE=128)
set -eo pipefail
W=${W:-/tmp/ddp}; DEVICE=${DEVICE:-cuda}; EPOCHS=${EPOCHS:-8}; SIZE=${SIZE:-128}
rm -rf "$W"; mkdir -p "$W"
python3 - "$W" <<'PY'
import sys
from pathlib import Path
from training.synthetic import make_class_folders
make_class_folders(Path(sys.argv[1]) / "photos", [f"place {i}" for i in range(24)], 30, size=160)
PY
python3 -m training.cli prepare "$W/photos" --out "$W/prepared" --size 144 --workers 4
cat > "$W/cfg.toml" <<TOML
run_dir = "$W/run"
seed = 0
device = "$DEVICE"
tensorboard = false
plots = false
progress = false
[data]
manifest = "$W/prepared"
input_size = $SIZE
flip = true
random_crop = true
workers = 4
[model]
backbone = "efficientnet-b0"
pretrained = false
embedding_size = 512
freeze_backbone = false
[loss]
name = "arcface"
s = 30.0
m = 0.3
[optim]
name = "sgd"
lr = 0.05
momentum = 0.9
weight_decay = 0.0001
batch_size = 64
epochs = $EPOCHS
grad_clip = 5.0
[schedule]
name = "cosine-restarts"
restart_epochs = 4
TOML
T0=$(date +%s)
torchrun --standalone --nproc_per_node=1 -m training.cli train --config "$W/cfg.toml" --set optim.epochs=$((EPOCHS / 2))
T1=$(date +%s)
torchrun --standalone --nproc_per_node=1 -m training.cli train --config "$W/cfg.toml" --resume
T2=$(date +%s)
echo "train first half: $((T1 - T0)) s, resumed to $EPOCHS epochs: $((T2 - T1)) s"
python3 -m training.cli export "$W/run" --out "$W/synthetic.ltbundle"
python3 -m training.cli evaluate --model "$W/synthetic.ltbundle" --manifest "$W/prepared" --split val --json > "$W/eval.json"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print('evaluate: gap', round(r['gap'],4), 'accuracy', round(r['accuracy'],4), 'queries', r['queries'])" "$W/eval.json"
ls "$W/run" "$W/run/checkpoints"
