/** `average-models`: a model whose weights are the weighted mean of saved models of one architecture. */
import type { Command } from 'commander';
import { averageModels } from '@gatewave/core';
import { addFlags } from './flags';

interface AverageFlags {
  out: string;
  weights?: number[];
  overwrite?: boolean;
}

export function registerAverageModels(program: Command): void {
  const cmd = program
    .command('average-models')
    .argument('<models...>', 'model folders of one architecture (read only)')
    .description(
      'Write a model whose weights are the weighted mean of the given models (checkpoint averaging, "model soups"): ' +
        'epochs of one run, or runs fine-tuned from one starting point, often generalise better averaged than alone. ' +
        "The models must have the same layers and weights; the result keeps the first model's settings (tune it " +
        'again, e.g. with tune-enhancer, and choose it on validation data like any other model).',
    );
  addFlags(cmd, {
    out: { required: true, description: 'the averaged model folder to write', placeholder: '<dir>' },
    weights: {},
    overwrite: {},
  });
  cmd.action(async (models: string[], o: AverageFlags) => {
    const used = await averageModels(models, o.out, { weights: o.weights, overwrite: o.overwrite, flag: '--out' });
    const terms = models.map((m, k) => `${used[k].toFixed(4)} x ${m}`).join(' + ');
    process.stdout.write(`average-models: ${o.out} = ${terms}\n`);
  });
}
