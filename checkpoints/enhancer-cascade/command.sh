#!/bin/sh
# enhancer-cascade (issue 12; not shipped): FRCRN `large-cascade` (the paper's two stages, each `large`), both stages
# warm-started from the shipped enhancer-large (epoch 17). The run that wrote model.checkpoint/ ran this command (under
# setsid nohup nice -n 5, code at 10a5978) with --init packages/audio/models/enhancer-large and --out
# /work/runs/enhancer-cascade/run, for 10 epochs (stopped at the session's end). Its saved model is chosen by the
# limited gain on validation (--select-atten-lim 10); the bar in state.json is epoch 7's +2.98 dB (the shipped model:
# +3.08). Resume: README.md here.
MANIFEST=${MANIFEST:-/work/runs/corpus-enhance2/manifest.csv}
OUT=${OUT:-/work/runs/enhancer-cascade/run}
exec env GATEWAVE_THREADS=1 npx gatewave-audio train-enhancer --manifest "$MANIFEST" --out "$OUT" --config large-cascade \
  --init packages/audio/models/enhancer-large --learning-rate 0.00005 \
  --epochs 400 --steps-per-epoch 100 --batch-size 8 --lr-patience 5 --patience 16 \
  --seed 7171 --near-clean 0.15 --noise-free 0.05 --si-snr-cap 30 --validation-mixtures 128 \
  --select-atten-lim 10 --resume "$@"
