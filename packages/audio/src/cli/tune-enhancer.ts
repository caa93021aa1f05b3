/**
 * `gatewave-audio tune-enhancer`: chooses an enhancement model's attenuation limit on validation mixtures (a corpus
 * manifest's validation split, or paired clean / noisy folders) and writes a copy of the model that carries it.
 */
import type { Command } from 'commander';
import { initBackend, ProgressBar } from '@gatewave/core';
import { AudioError } from '../errors';
import { loadEnhancer } from '../enhance/load';
import { corpusMixtures, pairedMixtures, type EvalMixture } from '../enhance/eval-mixtures';
import { tuneAttenuationLimit, type TuneLimitResult } from '../enhance/tune';
import { checkTunedModelOutput, saveWithAttenuationLimit } from '../enhance/tuned-model';
import { addFlags } from './flags';

/** The SNRs (dB) at which the manifest's validation utterances are mixed. */
const SNRS = [-5, 0, 5, 10];

interface TuneEnhancerFlags {
  model: string;
  out: string;
  manifest?: string;
  clean?: string;
  noisy?: string;
  utterances: number;
  limits: number[];
  stoiTolerance: number;
  json?: boolean;
  quiet?: boolean;
}

/** The validation mixtures the flags name, and a sentence saying what they are (stored in the model). */
function mixturesOf(o: TuneEnhancerFlags): { mixtures: EvalMixture[]; what: string } {
  if (o.manifest && (o.clean || o.noisy))
    throw new AudioError('BAD_ARGUMENT', 'give either --manifest or --clean and --noisy, not both.');
  if (o.manifest) {
    const c = corpusMixtures(o.manifest, { split: 'validation', utterances: o.utterances, snrs: SNRS });
    const n = c.mixtures.length / SNRS.length;
    return {
      mixtures: c.mixtures,
      what: `the validation split of ${o.manifest}: ${n} utterances of ${c.speakers.length} speakers with ${Math.min(n, c.noises.length)} noise recordings at ${SNRS.join(', ')} dB`,
    };
  }
  if (!o.clean || !o.noisy)
    throw new AudioError('BAD_ARGUMENT', 'name the validation data: --manifest CSV, or --clean DIR with --noisy DIR.');
  const mixtures = pairedMixtures(o.clean, o.noisy);
  return { mixtures, what: `${mixtures.length} paired files of ${o.clean} and ${o.noisy}` };
}

function table(t: TuneLimitResult): string {
  const groups = t.scores[0].groups.map((g) => g.group);
  const head = `limit    | ${groups.map((g) => `${g}: SI-SDR gain / STOI change`).join(' | ')} | mean gain | keeps STOI`;
  const rows = t.scores.map((s) => {
    const name = (s.limitDb === null ? 'none' : `${s.limitDb} dB`).padEnd(8);
    const cells = s.groups.map(
      (g) => `${g.siSdrGain.toFixed(2)} dB / ${g.stoiChange >= 0 ? '+' : ''}${g.stoiChange.toFixed(4)}`,
    );
    const mark = s.limitDb === t.chosen ? '  <- chosen' : '';
    return `${name} | ${cells.join(' | ')} | ${s.siSdrGain.toFixed(2)} dB | ${s.keepsStoi ? 'yes' : 'no'}${mark}`;
  });
  return [head, ...rows].join('\n') + '\n';
}

export function registerTuneEnhancer(program: Command): void {
  const cmd = program
    .command('tune-enhancer')
    .description(
      "Choose an enhancement model's attenuation limit on validation mixtures: the largest mean SI-SDR gain among the " +
        'limits that keep STOI (in every SNR group) no more than --stoi-tolerance below the noisy input. Writes a copy of ' +
        'the model that carries the limit to --out; the model itself is not changed. Never tune on test data.',
    );
  addFlags(cmd, {
    model: { required: true, description: 'enhancement model directory (read only)', placeholder: '<dir>' },
    out: { required: true, description: 'where the tuned copy of the model goes', placeholder: '<dir>' },
    manifest: { description: 'corpus manifest from npm run data:enhance: its validation split is used' },
    clean: { description: 'folder of clean validation WAV files, paired by name with --noisy', placeholder: '<dir>' },
    noisy: {},
    utterances: { default: 40 },
    limits: { default: [3, 6, 9, 12, 15, 20, 30] },
    stoiTolerance: { default: 0 },
    json: {},
    quiet: {},
  });
  cmd.action(async (o: TuneEnhancerFlags) => {
    checkTunedModelOutput(o.model, o.out);
    const { mixtures, what } = mixturesOf(o);
    await initBackend(undefined, { purpose: 'infer', quiet: o.quiet || o.json });
    const enhancer = await loadEnhancer(o.model);
    const bar = new ProgressBar(mixtures.length, { label: 'tune-enhancer', silent: o.quiet || o.json });
    const t = await tuneAttenuationLimit(enhancer, mixtures, {
      limits: o.limits,
      stoiTolerance: o.stoiTolerance,
      onProgress: (done) => bar.update(done),
    });
    bar.finish();
    const rule = `largest mean SI-SDR gain keeping STOI within ${o.stoiTolerance} of the input in every group`;
    await saveWithAttenuationLimit(o.model, o.out, t.chosen, `tune-enhancer on ${what} (${rule})`);
    if (o.json)
      return void process.stdout.write(`${JSON.stringify({ model: o.model, out: o.out, data: what, ...t })}\n`);
    process.stdout.write(`validation data: ${what}\n${table(t)}`);
    const chosen = t.chosen === null ? 'no limit' : `an attenuation limit of ${t.chosen} dB`;
    const warn = t.keepsStoi ? '' : ' (no candidate kept STOI: this one loses least of it)';
    process.stderr.write(`tune-enhancer: ${chosen}${warn} -> ${o.out}\n`);
  });
}
