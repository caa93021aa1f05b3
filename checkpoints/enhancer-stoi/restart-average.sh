#!/bin/sh
# The weights of packages/audio/models/enhancer-large since the ninth session (2026-12-04): the mean of epochs 57-80
# of this run restarted from epoch 32 at a learning rate of 1e-4 (halved by the plateau rule down to 1.6e-6 by epoch
# 80). From the repository root, after `npm ci && npm run build` and
# `npm run data:enhance -- --out /work/runs/corpus-enhance2`:
#   1. restores the state after epoch 32 (committed in 382775b) to $OUT.checkpoint,
#   2. resumes command.sh with --restart-lr 0.0001 up to epoch 80, keeping the weights after every epoch in
#      $OUT.epochs/eN (--keep-epochs),
#   3. averages epochs 57-80 with average-models and chooses the level, share and limit with tune-enhancer on 120
#      validation utterances (the shipped model: -20 dBFS, 25 % wiener, 16 dB).
# The session that shipped it ran steps 1-2 with code at 5c84994 (OUT=/work/runs/enhancer-lr1e4/run) and step 3 at
# 59de5a9.
set -e
OUT=${OUT:-/work/runs/enhancer-lr1e4/run}
MANIFEST=${MANIFEST:-/work/runs/corpus-enhance2/manifest.csv}
HERE=checkpoints/enhancer-stoi
if [ -e "$OUT.checkpoint" ]; then echo "restart-average.sh: $OUT.checkpoint exists; give another OUT=" >&2; exit 2; fi
mkdir -p "$(dirname "$OUT")"
TMP=$(mktemp -d)
git archive 382775b $HERE/model.checkpoint | tar -x -C "$TMP"
mv "$TMP/$HERE/model.checkpoint" "$OUT.checkpoint" && rm -rf "$TMP"
OUT=$OUT MANIFEST=$MANIFEST "$HERE/command.sh" --epochs 80 --restart-lr 0.0001 --keep-epochs
npx gatewave-audio average-models $(seq -f "$OUT.epochs/e%g" 57 80) --out "$OUT.swa57-80"
npx gatewave-audio tune-enhancer --model "$OUT.swa57-80" --out "$OUT.swa57-80-tuned" --manifest "$MANIFEST" \
  --utterances 120 --input-levels -20 --wiener-shares 0.25,0.35,0.45 --limits 14,16,18,20 \
  --stoi-tolerance 0,0,0.005,0.005
