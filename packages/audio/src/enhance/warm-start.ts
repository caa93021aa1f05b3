/** Warm starts of the FRCRN trainer: a new model takes the weights of an earlier one wherever they fit. */
import { tf, loadModel } from '@gatewave/core';

/**
 * Copies the weights of every layer of `dir`'s model that `model` has under the same name with the same shapes; the
 * FSMN blocks left over get a zero output projection, so (being residual) they start as the identity and the warm
 * model computes what the old one did. Returns a line for the log.
 */
export async function warmStart(model: tf.LayersModel, dir: string): Promise<string> {
  const old = await loadModel(dir);
  let copied = 0;
  const fresh: string[] = [];
  for (const layer of model.layers) {
    const w = layer.getWeights();
    if (w.length === 0) continue;
    let src: tf.layers.Layer | undefined;
    try {
      src = old.getLayer(layer.name);
    } catch {
      src = undefined;
    }
    const ow = src?.getWeights() ?? [];
    if (ow.length === w.length && ow.every((t, i) => t.shape.join() === w[i].shape.join())) {
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
