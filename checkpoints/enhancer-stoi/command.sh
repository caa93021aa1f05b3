#!/bin/sh
# enhancer-stoi (issue 12): run F's recipe (../enhancer-mix/command.sh: fed at -20 dBFS, 35 % wiener, trained and
# chosen at an 18 dB limit) plus an intelligibility term, 50 x (1 - differentiable STOI) (--loss-stoi 50), warm-started
# from run F's epoch 1 (packages/audio/models/enhancer-large at 7fa6f63: `git show
# 7fa6f63:packages/audio/models/enhancer-large/weights.bin`). The run that wrote model.checkpoint/ ran this command
# (under setsid nohup nice -n 10, code at 5631d47) with --out /work/runs/enhancer-stoi/run, for 19 epochs (stopped at
# the session's end), then resumed for epochs 20-32 (seventh session) and, with --restart-lr 0.0001 --keep-epochs, for
# epochs 33-80 (eighth), again for 81-111 (ninth), on at its own rate to 116 (tenth; stopped by its early-stopping
# rule) and restarted once more for 117-154 (tenth and eleventh; stopped by the same rule). Epoch 5 shipped in the sixth
# session, the mean of epochs 22-32 in the seventh (swa.sh), the means of epochs 57-80 and then 98-111 in the ninth, and
# the mean of epochs 134-154 in the eleventh (restart-average.sh). Run Q restarted from epoch 154 with --patience 40
# for epochs 155-192 (twelfth to fourteenth sessions; model.checkpoint/ is its state after epoch 192); its mean of
# epochs 165-176, averaged over 2 shifts, ships since the fourteenth. Resume: README.md.
MANIFEST=${MANIFEST:-/work/runs/corpus-enhance2/manifest.csv}
OUT=${OUT:-/work/runs/enhancer-stoi/run}
INIT=${INIT:-packages/audio/models/enhancer-large}
exec env GATEWAVE_THREADS=1 npx gatewave-audio train-enhancer --manifest "$MANIFEST" --out "$OUT" --config large \
  --init "$INIT" --learning-rate 0.00005 \
  --epochs 400 --steps-per-epoch 100 --batch-size 8 --lr-patience 5 --patience 16 \
  --seed 6161 --near-clean 0.15 --noise-free 0.05 --si-snr-cap 30 --validation-mixtures 128 \
  --input-level -20 --levels -25,-15 --loss-wiener-share 0.35 --loss-atten-lim 18 --loss-stoi 50 \
  --select-atten-lim 18 --stoi-tolerance 0,0,0.005 --resume "$@"
