/** Warm starts of the FRCRN trainer: a new model takes the weights of an earlier one wherever they fit. */
import { tf, loadModel } from '@gatewave/core';

/**
 * Copies the weights of every layer of `dir`'s model that `model` has under the same name with the same shapes; a
 * second cascade stage (`s2_` layers) that the old model lacks takes its first stage's (`s1_`) weights. The FSMN blocks
 * left over get a zero output projection, so (being residual) they start as the identity and the warm model computes
 * what the old one did (with a copied second stage: the old mask applied twice). Returns a line for the log.
 */
export async function warmStart(model: tf.LayersModel, dir: string): Promise<string> {
  const old = await loadModel(dir);
  let copied = 0;
  const fresh: string[] = [];
  for (const layer of model.layers) {
    const w = layer.getWeights();
    if (w.length === 0) continue;
    const fits = (name: string): tf.Tensor[] | null => {
      const ow = layerNamed(old, name)?.getWeights() ?? [];
      return ow.length === w.length && ow.every((t, i) => t.shape.join() === w[i].shape.join()) ? ow : null;
    };
    // A second cascade stage that the old model lacks starts as a copy of its first stage.
    const ow = fits(layer.name) ?? (layer.name.startsWith('s2_') ? fits(`s1_${layer.name.slice(3)}`) : null);
    if (ow) {
      layer.setWeights(ow);
      copied++;
    } else {
      fresh.push(layer.name);
      if (layer.getClassName() === 'GatewaveFSMN') {
        const names = layer.weights.map((v) => v.originalName ?? v.name);
        layer.setWeights(w.map((t, i) => (/project_kernel/.test(names[i]) ? tf.zerosLike(t) : t)));
      }
    }
  }
  old.dispose();
  return `warm start from ${dir}: ${copied} layers copied; new: ${fresh.join(', ') || 'none'}`;
}

/** The layer of `model` called `name`, or undefined. */
function layerNamed(model: tf.LayersModel, name: string): tf.layers.Layer | undefined {
  try {
    return model.getLayer(name);
  } catch {
    return undefined;
  }
}
