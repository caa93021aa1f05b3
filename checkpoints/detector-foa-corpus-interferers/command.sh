#!/bin/sh
# FOA detector fine-tuned with directional interferers (issue 13; tenth session, 2026-12-04): from the shipped
# detector-foa-corpus (epoch 123 of ../detector-foa-corpus-doa05) with --init (fresh Adam), that run's flags, today's
# corpus, and unlabelled sounds of no class from the corpus's training interferers (npm run data:events writes them to
# $C/interferers/train) placed in every training scene at 0.1 a second. INTERFERERS= (empty) runs the control: the
# same command without them. Chosen on the 36 validation scenes of ../detector-foa-corpus-doa05/command.sh (no
# interferers in them). Resume: OUT=... ./checkpoints/detector-foa-corpus-interferers/command.sh --resume (without
# --init, which a resume refuses: give INIT=).
# Run once each (tenth session, code at 5abcc81, about 38 epochs, stopped): neither beat epoch 123 on the second set
# of validation scenes, and the interferer run detected less there (model card, "Directional interferers"); nothing
# shipped, no checkpoint kept here.
C=${C:-/work/runs/corpus-events}
OUT=${OUT:-/work/runs/detector-interferers/run}
VAL=${VAL:-/work/runs/detector3/val36}
INIT=${INIT-packages/audio/models/detector-foa-corpus}
INTERFERERS=${INTERFERERS-$C/interferers/train}
exec env GATEWAVE_THREADS=1 npx gatewave-audio train-detector --synthesize $C/train --part all --reverb --rt60 0.2,1.0 \
  --directions continuous --ambience $C/ambience/train --background-db -10,10 --snr 0,30 \
  --min-event-seconds 0.1 --speed 0.8,1.25 --eq-db 6 --pool 32 --refresh 8 --scene-seconds 30 \
  ${INTERFERERS:+--interferers "$INTERFERERS" --interferer-rate 0.1} ${INIT:+--init "$INIT"} \
  --validation "$VAL" --out "$OUT" \
  --class-balance 1 --epochs 80 --steps-per-epoch 40 --patience 1000 --lr-patience 8 --learning-rate 0.00025 \
  --freq-masks 2 --max-mask-bands 8 --doa-weight 0.5 --seed 41 --keep-epochs -q "$@"
