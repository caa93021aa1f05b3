#!/bin/sh
# FOA detector fine-tuning with the DOA loss weight at 0.5 (issue 13; see packages/audio/models/detector-foa-corpus).
# Epochs 1-10 started from the epoch-1 detector-foa-corpus model with --init; epochs 11-30 resumed at lr 5e-4 with
# 20 steps per epoch and the synthesis of 72693a8. Epochs 31-36: resumed at lr 1e-3 (the checkpoint's state.json
# learningRate edited from 5e-4: --resume keeps the checkpoint's rate), 40 steps per epoch, --patience 1000. Epochs 37-71:
# the same with the fixed excerpt labels (b0ee8c7). Epochs 72-109: the same with --lr-patience 8 (halved to 5e-4 at 73,
# 6.25e-5 by 104). After 109 (the committed checkpoint): state.json learningRate set to 5e-4 again, --lr-patience 16.
# Validation: /work/runs/sed/val-scenes = synth-scenes --events $C/validation --count 12 --seconds 30 --scene-format foa
#   --seed 7 --part all --reverb --rt60 0.2,1.0 --directions continuous --ambience $C/ambience/validation --background-db -10,10
# Resume: ./command.sh --resume   (--init is dropped automatically below; see README.md for the folders to copy)
C=/work/runs/corpus-events
OUT=${OUT:-/work/runs/detector-sed2/long-fixed}
INIT="--init packages/audio/models/detector-foa-corpus"
case " $* " in *" --resume "*) INIT="";; esac
exec env GATEWAVE_THREADS=1 npx gatewave-audio train-detector --synthesize $C/train --part all --reverb --rt60 0.2,1.0 \
  --directions continuous --ambience $C/ambience/train --background-db -10,10 --snr 0,30 \
  --min-event-seconds 0.1 --speed 0.8,1.25 --eq-db 6 --pool 16 --refresh 4 --scene-seconds 30 \
  --validation /work/runs/sed/val-scenes $INIT --out "$OUT" \
  --class-balance 1 --epochs 3000 --steps-per-epoch 40 --patience 1000 --lr-patience 16 --learning-rate 0.001 \
  --doa-weight 0.5 --seed 21 -q "$@"
