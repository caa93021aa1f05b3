#!/bin/sh
# enhancer-large (issue 12; see packages/audio/models/enhancer-large/README.md): FRCRN `large` warm-started from the
# shipped enhancer-medium (epoch 98). The run that wrote model.checkpoint/ ran this command (under setsid nohup nice
# -n 10, code at 055e125) with --out /work/runs/enhancer-large/enhancer-large: epochs 1-14 as a fresh run (with --init)
# on `npm run data:enhance -- --out /work/runs/corpus-enhance` built before 2026-12-03's same-recording guard,
# epochs 15-32 with --resume on the build with the guard (/work/runs/corpus-enhance2: five training noises that
# repeated validation or test recordings left out; validation and test identical). Best: epoch 17 (the shipped model).
# Resume: README.md here. The run was stopped after epoch 32 with 15 epochs since its best and the learning rate
# halved to 6.25e-6, so continue with a warm restart: ./command.sh --restart-lr 0.00005
MANIFEST=${MANIFEST:-/work/runs/corpus-enhance2/manifest.csv}
OUT=${OUT:-/work/runs/enhancer-large/enhancer-large}
exec env GATEWAVE_THREADS=1 npx gatewave-audio train-enhancer --manifest "$MANIFEST" --out "$OUT" --config large \
  --init packages/audio/models/enhancer-medium --learning-rate 0.0001 \
  --epochs 400 --steps-per-epoch 25 --batch-size 8 --lr-patience 5 --patience 16 \
  --seed 4321 --near-clean 0.15 --noise-free 0.05 --si-snr-cap 30 --validation-mixtures 128 --resume "$@"
