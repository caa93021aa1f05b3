#!/bin/sh
# FOA detector fine-tuning with the DOA loss weight at 0.5 (issue 13; see packages/audio/models/detector-foa-corpus).
# Epochs 1-10 started from the epoch-1 detector-foa-corpus model; epochs 11-30 resumed (--resume, same flags).
# Validation: /work/runs/sed/val-scenes = synth-scenes --events $C/validation --count 12 --seconds 30 --scene-format foa
#   --seed 7 --part all --reverb --rt60 0.2,1.0 --directions continuous --ambience $C/ambience/validation --background-db -10,10
# Resume: ./command.sh --resume   (--init is dropped automatically below)
C=/work/runs/corpus-events
INIT="--init packages/audio/models/detector-foa-corpus"
case " $* " in *" --resume "*) INIT="";; esac
exec env GATEWAVE_THREADS=1 npx gatewave-audio train-detector --synthesize $C/train --part all --reverb --rt60 0.2,1.0 \
  --directions continuous --ambience $C/ambience/train --background-db -10,10 --snr 0,30 \
  --min-event-seconds 0.1 --speed 0.8,1.25 --eq-db 6 --pool 16 --refresh 4 --scene-seconds 30 \
  --validation /work/runs/sed/val-scenes $INIT --out /work/runs/detector-sed/long \
  --class-balance 1 --epochs 2000 --steps-per-epoch 20 --patience 40 --learning-rate 0.0005 \
  --doa-weight 0.5 --seed 21 -q "$@"
