#!/bin/sh
# FOA detector retraining on the event corpus (train recordings only; validation = scenes made from the validation
# recordings and validation ambience). Starts from the shipped stage-8 weights with the heads remapped to the corpus
# classes by name (init-remapped, made by detectorWithClasses). Runs from a frozen copy of the code (code/).
# Resume: ./command.sh --resume   (same flags; --init is dropped automatically below)
cd /work/runs/detector
C=/work/runs/corpus-events
INIT="--init /work/runs/detector/init-remapped"
case " $* " in *" --resume "*) INIT="";; esac
exec node code/packages/audio/dist/cli.js train-detector --synthesize $C/train --part all --reverb --rt60 0.2,1.0 \
  --directions continuous --ambience $C/ambience/train --background-db -10,10 --snr 0,30 \
  --min-event-seconds 0.1 --speed 0.8,1.25 --eq-db 6 --pool 32 --refresh 4 --scene-seconds 30 \
  --validation /work/runs/detector/val-scenes $INIT --out /work/runs/detector/model \
  --class-balance 1 --epochs 2000 --steps-per-epoch 20 --patience 40 --lr-patience 10 --learning-rate 0.00025 \
  --doa-weight 5 --seed 21 -q "$@"
