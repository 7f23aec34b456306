#!/usr/bin/env bash
# Rebuild assets/default.ltbundle and docs/MODEL_CARD.md from ../shared/data/landmarks/world.
#
#   make default-model            (or: bash scripts/default-model.sh)
#
# Seeded and CPU-only. Every figure in the card comes from one of the commands below;
# the card shows each beside its figure. Settings: training/recipes/default.toml
# (the default bundle) and training/recipes/baseline48.toml (the original report's
# 48-px recipe, trained for comparison). Environment overrides: DATA, WORK, OUT, CARD.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-.venv/bin/python}
TRAIN=${LANDMARK_TRAIN:-.venv/bin/landmark-train}
DATA=${DATA:-../shared/data/landmarks/world}
CAMERA=${CAMERA:-$(dirname "$(dirname "$DATA")")/camera}
WORK=${WORK:-build/default-model}
OUT=${OUT:-assets/default.ltbundle}
CARD=${CARD:-docs/MODEL_CARD.md}
THREADS=${THREADS:-2}

if [ ! -d "$DATA" ]; then
    echo "error: no training photos at $DATA; put ../shared/data next to the repository or set DATA=" >&2
    exit 2
fi
mkdir -p "$WORK"
TIMINGS="$WORK/timings.tsv"
: > "$TIMINGS"

# run NAME COMMAND...: run a step, print it, and record its wall time for the card.
run() {
    local name=$1
    shift
    echo "== $name: $*" >&2
    local start=$SECONDS
    "$@"
    printf '%s\t%s\n' "$name" "$((SECONDS - start))" >> "$TIMINGS"
}

PREPARED="$WORK/prepared"
BUNDLE="$WORK/default.ltbundle"
BASELINE="$WORK/baseline48.ltbundle"

CMD_PREPARE="landmark-train prepare $DATA --out $PREPARED --size 384 --seed 0"
CMD_RECIPE="python -m training.recipes.default_model --manifest $PREPARED --work $WORK/recipe --out $BUNDLE"
CMD_EVAL="landmark-train evaluate --model $BUNDLE --manifest $PREPARED --split val --json"
CMD_B_TRAIN="landmark-train train --config training/recipes/baseline48.toml --manifest $PREPARED --run-dir $WORK/baseline48 --overwrite"
CMD_B_EXPORT="landmark-train export $WORK/baseline48 --out $BASELINE"
CMD_B_EVAL="landmark-train evaluate --model $BASELINE --manifest $PREPARED --split val --json"

run prepare "$TRAIN" prepare "$DATA" --out "$PREPARED" --size 384 --seed 0 --workers "$THREADS"
run "train, calibrate, export (default recipe)" \
    "$PY" -m training.recipes.default_model --manifest "$PREPARED" --work "$WORK/recipe" --out "$BUNDLE"
run "evaluate default bundle" \
    sh -c "\"$TRAIN\" evaluate --model \"$BUNDLE\" --manifest \"$PREPARED\" --split val --threads $THREADS --json > \"$WORK/eval-default.json\""
run "train 48-px baseline" \
    "$TRAIN" train --config training/recipes/baseline48.toml --manifest "$PREPARED" --run-dir "$WORK/baseline48" --overwrite
run "export 48-px baseline" "$TRAIN" export "$WORK/baseline48" --out "$BASELINE"
run "evaluate 48-px baseline" \
    sh -c "\"$TRAIN\" evaluate --model \"$BASELINE\" --manifest \"$PREPARED\" --split val --threads $THREADS --json > \"$WORK/eval-baseline48.json\""

printf '%s\t%s\n' "total so far (all steps above)" "$SECONDS" >> "$TIMINGS"
"$PY" - "$WORK" "$CMD_RECIPE" "$CMD_EVAL" "$CMD_B_TRAIN && $CMD_B_EXPORT && $CMD_B_EVAL" "$CMD_PREPARE" <<'EOF'
import json, sys
work, recipe, evaluate, baseline, prepare = sys.argv[1:]
timings = {}
for line in open(f"{work}/timings.tsv", encoding="utf-8"):
    name, seconds = line.rstrip("\n").split("\t")
    timings[name] = float(seconds)
json.dump(timings, open(f"{work}/timings.json", "w"), indent=1)
json.dump({
    "recipe": recipe, "evaluate": evaluate, "evaluate_baseline": baseline, "prepare": prepare,
    "outside": "python -m training.recipes.model_card --outside <camera folders> (Predictor, bundle threshold, model.places)",
}, open(f"{work}/commands.json", "w"), indent=1)
EOF

OUTSIDE=()
for folder in "$CAMERA/jpeg" "$CAMERA/jpeg_gps"; do
    [ -d "$folder" ] && OUTSIDE+=("$folder")
done
"$PY" -m training.recipes.model_card --bundle "$BUNDLE" --work "$WORK/recipe" \
    --evaluation "$WORK/eval-default.json" --baseline "$WORK/eval-baseline48.json" \
    --provenance "$(dirname "$DATA")/world-provenance.csv" --outside "${OUTSIDE[@]}" \
    --experiments training/recipes/experiments.json \
    --timings "$WORK/timings.json" --commands "$WORK/commands.json" --out "$CARD"

mkdir -p "$(dirname "$OUT")"
cp "$BUNDLE" "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT ($(du -h "$OUT" | cut -f1)) and $CARD" >&2
