#!/bin/sh
# FOA detector fine-tuning with the DOA loss weight at 0.5 (issue 13; see packages/audio/models/detector-foa-corpus).
# History (README.md here has the details): epochs 1-109 as committed before (from the epoch-1 detector-foa-corpus
# model with --init, then resumed with --pool 16 --refresh 4 on 12 validation scenes; best epoch 79). Epochs 110-160
# (2026-12-03, second session): resumed from epoch 109 with state.json's learningRate set to 2.5e-4, its bestScore set
# to 0.566 (epoch 79 on the 36 validation scenes below, so best/ changes only for an epoch that beats it there),
# --pool 32 --refresh 8 and frequency masks: the flags below. Best: epoch 123 (0.540).
# Validation scenes (36, from the corpus's validation recordings only):
#   gatewave-audio synth-scenes --events $C/validation --count 36 --seconds 30 --scene-format foa --seed 7 --part all
#     --reverb --rt60 0.2,1.0 --directions continuous --ambience $C/ambience/validation --background-db -10,10
#     --out /work/runs/detector3/val36
# Resume: OUT=... ./checkpoints/detector-foa-corpus-doa05/command.sh --resume (README.md here: the folders to copy).
C=${C:-/work/runs/corpus-events}
OUT=${OUT:-/work/runs/detector-foa4/run}
VAL=${VAL:-/work/runs/detector3/val36}
exec env GATEWAVE_THREADS=1 npx gatewave-audio train-detector --synthesize $C/train --part all --reverb --rt60 0.2,1.0 \
  --directions continuous --ambience $C/ambience/train --background-db -10,10 --snr 0,30 \
  --min-event-seconds 0.1 --speed 0.8,1.25 --eq-db 6 --pool 32 --refresh 8 --scene-seconds 30 \
  --validation "$VAL" --out "$OUT" \
  --class-balance 1 --epochs 3000 --steps-per-epoch 40 --patience 1000 --lr-patience 8 --learning-rate 0.0005 \
  --freq-masks 2 --max-mask-bands 8 --doa-weight 0.5 --seed 31 -q "$@"
