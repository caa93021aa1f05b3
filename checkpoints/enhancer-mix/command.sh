#!/bin/sh
# enhancer-mix (issue 12): FRCRN `large` trained on what the shipped model outputs: fed at -20 dBFS, mixed with 35 % of
# wiener's output, under an 18 dB limit (--loss-wiener-share 0.35 --loss-atten-lim 18), chosen by the limited gain at
# that setting. The run that wrote model.checkpoint/ ran this command (under setsid nohup nice -n 10, code at 693e57f)
# with --out /work/runs/enhancer-mix/run, warm-started from enhancer-large epoch 17 (packages/audio/models/enhancer-large
# at 693e57f: `git show 693e57f:packages/audio/models/enhancer-large/weights.bin`), for 6 epochs (stopped at the
# session's end). Its best, epoch 1, ships as packages/audio/models/enhancer-large. Resume: README.md here.
MANIFEST=${MANIFEST:-/work/runs/corpus-enhance2/manifest.csv}
OUT=${OUT:-/work/runs/enhancer-mix/run}
exec env GATEWAVE_THREADS=1 npx gatewave-audio train-enhancer --manifest "$MANIFEST" --out "$OUT" --config large \
  --init packages/audio/models/enhancer-large --learning-rate 0.00005 \
  --epochs 400 --steps-per-epoch 100 --batch-size 8 --lr-patience 5 --patience 16 \
  --seed 5151 --near-clean 0.15 --noise-free 0.05 --si-snr-cap 30 --validation-mixtures 128 \
  --input-level -20 --levels -25,-15 --loss-wiener-share 0.35 --loss-atten-lim 18 \
  --select-atten-lim 18 --stoi-tolerance 0,0,0.005 --resume "$@"
