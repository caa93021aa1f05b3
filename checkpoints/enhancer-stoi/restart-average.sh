#!/bin/sh
# A restart of this run and the mean of its last epochs: restores the checkpoint in $FROM (a commit holding this
# folder's model.checkpoint, or a checkpoint folder) to $OUT.checkpoint, resumes command.sh with --restart-lr
# $RESTART_LR (default 0.0001; RESTART_LR= resumes at the checkpoint's own rate) and --keep-epochs up to epoch $TO (the
# plateau rule halves the rate after 5 epochs without a lower validation loss), averages epochs $FIRST-$TO with
# average-models, and chooses the level, shifts, share and limit with tune-enhancer on 120 validation utterances
# (FIRST= stops after the training: a resume with nothing to average). Arguments go on to command.sh (e.g.
# --patience 40). From the repository root, after `npm ci && npm run build` and
# `npm run data:enhance -- --out /work/runs/corpus-enhance2`.
#
# The shipped weights (fourteenth session, 2026-12-05) came from four restarts, each from the one before it:
#   FROM=382775b TO=80 FIRST=57 OUT=/work/runs/enhancer-lr1e4/run  ./checkpoints/enhancer-stoi/restart-average.sh
#     (restart L from epoch 32; its mean of epochs 57-80 shipped first, in 086b1da)
#   FROM=086b1da TO=111 FIRST=98 OUT=/work/runs/enhancer-m/run      ./checkpoints/enhancer-stoi/restart-average.sh
#     (restart M from L's epoch 80; its mean of epochs 98-111 shipped in 805a7ba)
#   FROM=805a7ba TO=116 FIRST= RESTART_LR= OUT=/work/runs/enhancer-m2/run ./checkpoints/enhancer-stoi/restart-average.sh
#     (M resumed at its own rate from epoch 111 to 116, where its early-stopping rule ended it; no average)
#   FROM=/work/runs/enhancer-m2/run.checkpoint TO=154 FIRST=134 OUT=/work/runs/enhancer-n/run \
#     ./checkpoints/enhancer-stoi/restart-average.sh
#     (restart N from M's epoch 116, early-stopped after epoch 154; its mean of epochs 134-154 shipped in the eleventh
#     session; its state after epoch 154 is in 5ee1d53)
#   FROM=5ee1d53 TO=176 FIRST=165 OUT=/work/runs/enhancer-q/run ./checkpoints/enhancer-stoi/restart-average.sh --patience 40
#     (restart Q from N's epoch 154; its mean of epochs 165-176, averaged over 2 shifts, ships now)
# The sessions ran the training steps with code at 5c84994 (L, M, N) and 5ee1d53 (Q; its first two epochs at
# 8d55946, the same training code), and the averaging and tuning at a429042 (M), 5c84994 (N) and the commit that
# shipped Q (tune-enhancer --shift-counts). Averages before Q were tuned without --shift-counts and with
# --wiener-shares 0.25,0.35,0.45 --limits 14,16,18,20 (all chose 25 % and 16 dB). swa.sh runs this script without
# the restart for the seventh session's average.
set -e
: "${FROM:?give FROM=<commit holding the checkpoint, or a checkpoint folder, to restart from>}" "${TO:?give TO=<last epoch>}"
: "${FIRST?give FIRST=<first averaged epoch>, or FIRST= to only resume}" "${OUT:?give OUT=<run folder>}"
MANIFEST=${MANIFEST:-/work/runs/corpus-enhance2/manifest.csv}
RESTART_LR=${RESTART_LR-0.0001}
HERE=checkpoints/enhancer-stoi
if [ -e "$OUT.checkpoint" ]; then echo "restart-average.sh: $OUT.checkpoint exists; give another OUT=" >&2; exit 2; fi
mkdir -p "$(dirname "$OUT")"
if [ -d "$FROM" ]; then
  cp -r "$FROM" "$OUT.checkpoint"
else
  TMP=$(mktemp -d)
  git archive "$FROM" $HERE/model.checkpoint | tar -x -C "$TMP"
  mv "$TMP/$HERE/model.checkpoint" "$OUT.checkpoint" && rm -rf "$TMP"
fi
OUT=$OUT MANIFEST=$MANIFEST "$HERE/command.sh" --epochs "$TO" --keep-epochs ${RESTART_LR:+--restart-lr "$RESTART_LR"} "$@"
[ -n "$FIRST" ] || exit 0
npx gatewave-audio average-models $(seq -f "$OUT.epochs/e%g" "$FIRST" "$TO") --out "$OUT.swa$FIRST-$TO"
npx gatewave-audio tune-enhancer --model "$OUT.swa$FIRST-$TO" --out "$OUT.swa$FIRST-$TO-tuned" --manifest "$MANIFEST" \
  --utterances 120 --input-levels -20 --wiener-shares 0.15,0.25,0.35 --shift-counts 1,2 --limits 14,16,18 \
  --stoi-tolerance 0,0,0.005,0.005
