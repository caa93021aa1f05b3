#!/bin/sh
# The mic4 detector (issue 13; see packages/audio/models/detector-mic4-corpus): started from the FOA detector-foa-corpus
# (epoch 79) with --init across formats, trained on mic4 (DCASE MIC tetrahedral) scenes synthesised on the fly from the
# event corpus's training recordings, chosen on 24 mic4 validation scenes. Run from the repository root, with the corpus
# of `npm run data:events -- --out /work/runs/corpus-events` and the validation scenes of:
#   gatewave-audio synth-scenes --events $C/validation --count 24 --seconds 30 --scene-format mic4 --seed 7 --part all
#     --reverb --rt60 0.2,1.0 --directions continuous --ambience $C/ambience/validation --background-db -10,10
#     --out /work/runs/detector-mic/val24
# Epochs 1-83 ran with --pool 32 --refresh 8; epochs 84-172 (2026-12-03, second session) resumed with the checkpoint's
# learningRate raised from 1.5625e-5 to 2.5e-4 in state.json and --pool 32 --refresh 8, the flags below.
# Resume: ./checkpoints/detector-mic4-corpus/command.sh --resume (see README.md here for the folders to copy).
C=${C:-/work/runs/corpus-events}
OUT=${OUT:-/work/runs/detector-mic/run}
VAL=${VAL:-/work/runs/detector-mic/val24}
INIT="--init packages/audio/models/detector-foa-corpus"
case " $* " in *" --resume "*) INIT="";; esac
exec env GATEWAVE_THREADS=1 npx gatewave-audio train-detector --synthesize $C/train --scene-format mic4 --part all \
  --reverb --rt60 0.2,1.0 --directions continuous --ambience $C/ambience/train --background-db -10,10 --snr 0,30 \
  --min-event-seconds 0.1 --speed 0.8,1.25 --eq-db 6 --pool 32 --refresh 8 --scene-seconds 30 \
  --validation "$VAL" $INIT --out "$OUT" \
  --class-balance 1 --epochs 3000 --steps-per-epoch 40 --patience 1000 --lr-patience 8 --learning-rate 0.001 \
  --freq-masks 2 --max-mask-bands 8 --doa-weight 0.5 --seed 29 -q "$@"
