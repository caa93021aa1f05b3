#!/bin/sh
# The weights of packages/audio/models/enhancer-large from the seventh session (2026-12-03) to the ninth: the mean of
# epochs 22-32 of this run (stochastic weight averaging over a constant learning rate of 5e-5). From the repository
# root, after `npm ci && npm run build` and `npm run data:enhance -- --out /work/runs/corpus-enhance2`:
#   1. restores the state after epoch 19 (committed in 55690b9) to $OUT.checkpoint,
#   2. resumes command.sh (no restart of the rate) up to epoch 32, keeping the weights after every epoch in
#      $OUT.epochs/eN (--keep-epochs),
#   3. averages epochs 22-32 with average-models and chooses the level, share and limit with tune-enhancer on 120
#      validation utterances (that model: -20 dBFS, 35 % wiener, 18 dB, chosen from a grid without shifts; the
#      script's grid now also tries two shifts and no 45 % or 20 dB, so its choice may differ).
# restart-average.sh does the work. The session that shipped it ran command.sh with code at c028473, before
# --keep-epochs existed, and copied the same weights from the checkpoint after each epoch.
exec env FROM=55690b9 TO=32 FIRST=22 RESTART_LR= OUT="${OUT:-/work/runs/enhancer-stoi/run}" \
  ./checkpoints/enhancer-stoi/restart-average.sh
