/**
 * `gatewave-audio tune-enhancer`: chooses an enhancement model's attenuation limit on validation mixtures (a corpus
 * manifest's validation split, or paired clean / noisy folders) and writes a copy of the model that carries it.
 */
import type { Command } from 'commander';
import { initBackend, loadModelMetadata, ProgressBar } from '@gatewave/core';
import { AudioError } from '../errors';
import { loadEnhancer, loadFrcrnEnhancer } from '../enhance/load';
import { corpusMixtures, pairedMixtures, type EvalMixture } from '../enhance/eval-mixtures';
import { tuneAttenuationLimit, type TuneLimitOptions, type TuneLimitResult } from '../enhance/tune';
import { tuneNetworkSettings, type NetworkSetting } from '../enhance/tune-settings';
import { recommendedWienerShare } from '../enhance/frcrn-enhancer';
import { checkTunedModelOutput, saveTuned, type Tuning } from '../enhance/tuned-model';
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
  inputLevels?: number[];
  wienerShares?: number[];
  shiftCounts?: number[];
  stoiTolerance: number[];
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

function table(t: TuneLimitResult, chosenHere = true): string {
  const groups = t.scores[0].groups.map((g) => g.group);
  const head = `limit    | ${groups.map((g) => `${g}: SI-SDR gain / STOI change`).join(' | ')} | mean gain | keeps STOI`;
  const rows = t.scores.map((s) => {
    const name = (s.limitDb === null ? 'none' : `${s.limitDb} dB`).padEnd(8);
    const cells = s.groups.map(
      (g) => `${g.siSdrGain.toFixed(2)} dB / ${g.stoiChange >= 0 ? '+' : ''}${g.stoiChange.toFixed(4)}`,
    );
    const mark = chosenHere && s.limitDb === t.chosen ? '  <- chosen' : '';
    return `${name} | ${cells.join(' | ')} | ${s.siSdrGain.toFixed(2)} dB | ${s.keepsStoi ? 'yes' : 'no'}${mark}`;
  });
  return [head, ...rows].join('\n') + '\n';
}

/** "input level -20 dBFS, 25 % wiener" (", 2 shifts" when shifts were tuned) */
function describeSetting(s: NetworkSetting): string {
  const level = s.inputLevelDb === null ? 'no input level' : `input level ${s.inputLevelDb} dBFS`;
  const shifts = s.shifts === undefined ? '' : `, ${s.shifts} shift${s.shifts === 1 ? '' : 's'}`;
  return `${level}, ${Math.round(s.wienerShare * 100)} % wiener${shifts}`;
}

const sameSetting = (a: NetworkSetting, b: NetworkSetting): boolean =>
  a.inputLevelDb === b.inputLevelDb && a.wienerShare === b.wienerShare && a.shifts === b.shifts;

/**
 * What was tuned, its tables for the terminal, and the choice. With --input-levels, --wiener-shares or --shift-counts
 * the network's settings are tuned with the limit (what is not given stays as the model has it).
 */
async function tune(
  o: TuneEnhancerFlags,
  mixtures: EvalMixture[],
  options: TuneLimitOptions,
): Promise<{ tuning: Tuning; keepsStoi: boolean; text: string; json: object }> {
  if (!o.inputLevels && !o.wienerShares && !o.shiftCounts) {
    const t = await tuneAttenuationLimit(await loadEnhancer(o.model), mixtures, options);
    return { tuning: { attenuationLimitDb: t.chosen }, keepsStoi: t.keepsStoi, text: table(t), json: t };
  }
  const network = await loadFrcrnEnhancer(o.model);
  const grid = {
    inputLevels: o.inputLevels ?? [network.inputLevelDb],
    wienerShares: o.wienerShares ?? [recommendedWienerShare(loadModelMetadata(o.model), o.model)],
    shifts: o.shiftCounts,
  };
  const t = await tuneNetworkSettings(network, mixtures, grid, options);
  const text = t.settings
    .map((s) => {
      const here = sameSetting(s, t.chosen);
      return `${describeSetting(s)}${here ? ' (chosen)' : ''}\n${table(s.result, here)}`;
    })
    .join('');
  const { limitDb, inputLevelDb, wienerShare, shifts } = t.chosen;
  const tuning = { attenuationLimitDb: limitDb, inputLevelDb, wienerShare, shifts };
  return { tuning, keepsStoi: t.keepsStoi, text, json: t };
}

export function registerTuneEnhancer(program: Command): void {
  const cmd = program
    .command('tune-enhancer')
    .description(
      "Choose an enhancement model's attenuation limit on validation mixtures: the largest mean SI-SDR gain among the " +
        'limits that keep STOI (in every SNR group) no more than --stoi-tolerance below the noisy input (with --input-levels ' +
        'or --wiener-shares, the input level and the share of wiener are chosen with the limit by the same rule; with --shift-counts, the number of shifts). Writes a copy of ' +
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
    inputLevels: {},
    wienerShares: {},
    shiftCounts: {},
    stoiTolerance: {
      description:
        'how far below the noisy input mean STOI may fall: one number for every SNR group, or one per group (-5, 0, 5, 10 dB with --manifest; issue 12 asks for 0,0,0.005,0.005)',
      default: [0],
    },
    json: {},
    quiet: {},
  });
  cmd.action(async (o: TuneEnhancerFlags) => {
    checkTunedModelOutput(o.model, o.out);
    const { mixtures, what } = mixturesOf(o);
    await initBackend(undefined, { purpose: 'infer', quiet: o.quiet || o.json });
    const total = mixtures.length * (o.inputLevels?.length ?? 1) * (o.shiftCounts?.length ?? 1);
    const bar = new ProgressBar(total, { label: 'tune-enhancer', silent: o.quiet || o.json });
    const stoiTolerance = o.stoiTolerance.length === 1 ? o.stoiTolerance[0] : o.stoiTolerance;
    const options = { limits: o.limits, stoiTolerance, onProgress: (done: number) => bar.update(done) };
    const t = await tune(o, mixtures, options);
    bar.finish();
    const groups = [...new Set(mixtures.map((m) => m.group))].join(' / ');
    const tolerance = o.stoiTolerance.join(' / ');
    const within =
      o.stoiTolerance.length === 1
        ? `${tolerance} of the input in every group`
        : `${tolerance} of the input at ${groups}`;
    const rule = `largest mean SI-SDR gain keeping STOI within ${within}`;
    await saveTuned(o.model, o.out, t.tuning, `tune-enhancer on ${what} (${rule})`);
    if (o.json)
      return void process.stdout.write(`${JSON.stringify({ model: o.model, out: o.out, data: what, ...t.json })}\n`);
    process.stdout.write(`validation data: ${what}\n${t.text}`);
    const { attenuationLimitDb: db, inputLevelDb, wienerShare, shifts } = t.tuning;
    const setting =
      wienerShare === undefined
        ? ''
        : `, ${describeSetting({ inputLevelDb: inputLevelDb ?? null, wienerShare, shifts })}`;
    const chosen = `${db === null ? 'no limit' : `an attenuation limit of ${db} dB`}${setting}`;
    const warn = t.keepsStoi ? '' : ' (no candidate kept STOI: this one loses least of it)';
    process.stderr.write(`tune-enhancer: ${chosen}${warn} -> ${o.out}\n`);
  });
}
