#!/bin/sh
# The weights of packages/audio/models/enhancer-large since the seventh session (2026-12-03): the mean of epochs 22-32
# of this run (stochastic weight averaging over a constant learning rate of 5e-5). From the repository root, after
# `npm ci` and `npm run data:enhance -- --out /work/runs/corpus-enhance2`:
#   1. restores the state after epoch 19 (committed in 55690b9) to $OUT.checkpoint,
#   2. resumes command.sh up to epoch 32, copying the weights after every epoch to $OUT.epochs/eN,
#   3. averages epochs 22-32 with average-models and chooses the level, share and limit with tune-enhancer on 120
#      validation utterances (the shipped model: -20 dBFS, 35 % wiener, 18 dB).
# The session that shipped it ran command.sh and copied the epochs the same way (code at c028473).
set -e
OUT=${OUT:-/work/runs/enhancer-stoi/run}
MANIFEST=${MANIFEST:-/work/runs/corpus-enhance2/manifest.csv}
HERE=checkpoints/enhancer-stoi
mkdir -p "$(dirname "$OUT")" "$OUT.epochs"
if [ -e "$OUT.checkpoint" ]; then echo "swa.sh: $OUT.checkpoint exists; give another OUT=" >&2; exit 2; fi
TMP=$(mktemp -d)
git archive 55690b9 $HERE/model.checkpoint | tar -x -C "$TMP"
mv "$TMP/$HERE/model.checkpoint" "$OUT.checkpoint" && rm -rf "$TMP"
OUT=$OUT MANIFEST=$MANIFEST "$HERE/command.sh" --epochs 32 &
TRAIN=$!
case "$OUT" in /*) ;; *) OUT=$(pwd)/$OUT ;; esac
while kill -0 $TRAIN 2>/dev/null; do
  e=$(node -e "console.log(require('$OUT.checkpoint/state.json').epoch)" 2>/dev/null || true)
  if [ -n "$e" ] && [ ! -d "$OUT.epochs/e$e" ]; then
    rm -rf "$OUT.epochs/tmp" && cp -r "$OUT.checkpoint/model" "$OUT.epochs/tmp" && mv "$OUT.epochs/tmp" "$OUT.epochs/e$e" || true
  fi
  sleep 10
done
wait $TRAIN
e=$(node -e "console.log(require('$OUT.checkpoint/state.json').epoch)")
[ -d "$OUT.epochs/e$e" ] || cp -r "$OUT.checkpoint/model" "$OUT.epochs/e$e"
npx gatewave-audio average-models $(seq -f "$OUT.epochs/e%g" 22 32) --out "$OUT.swa22-32"
npx gatewave-audio tune-enhancer --model "$OUT.swa22-32" --out "$OUT.swa22-32-tuned" --manifest "$MANIFEST" \
  --utterances 120 --input-levels -20 --wiener-shares 0.25,0.35,0.45 --limits 14,16,18,20 \
  --stoi-tolerance 0,0,0.005,0.005
