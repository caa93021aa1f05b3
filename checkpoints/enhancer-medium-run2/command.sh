#!/bin/sh
# enhancer-medium, continued (issue 12; see packages/audio/models/enhancer-medium/README.md, "Epochs 52-99").
# The run that wrote model.checkpoint/ ran this command (under setsid nohup nice -n 15, from /work/runs/enhancer) with
# --out /work/runs/enhancer/enhancer-medium; it needs the corpus of `npm run data:enhance -- --out /work/runs/corpus-enhance`
# (its validation mixtures are drawn from it). Resume: see README.md here. Do not add --restart-lr again unless the
# run had early-stopped (its counters would stop it at once).
OUT=${OUT:-/work/runs/enhancer/enhancer-medium}
exec env GATEWAVE_THREADS=1 npx gatewave-audio train-enhancer --manifest /work/runs/corpus-enhance/manifest.csv \
  --out "$OUT" --config medium --epochs 400 --steps-per-epoch 25 --batch-size 8 --lr-patience 3 --patience 10 \
  --seed 1234 --near-clean 0.15 --noise-free 0.05 --si-snr-cap 30 --validation-mixtures 128 --resume "$@"
