/**
 * `GRU`: tf.layers.gru with the same config, weights (`kernel` [features, 3·units], `recurrent_kernel`
 * [units, 3·units], `bias` [3·units], gates z, r, h) and numbers, which on the `native` backend runs the whole
 * sequence as one fused differentiable op (one addon call forward, one backward) instead of ~120 small ops per time
 * step. On other backends, or with options the fused op does not cover (masks, initial or returned states, stateful,
 * dropout, other activations), it is exactly tf.layers.gru.
 *
 * Serializable as `GatewaveGRU`; `bidirectionalGRU` wraps it in tf.layers.bidirectional (both directions fused).
 */
import * as tf from '@tensorflow/tfjs';
import { gruFusion } from './gru-fusion';

type StockGRU = ReturnType<typeof tf.layers.gru>;
/** The config of tf.layers.gru (units, activation, recurrentActivation, returnSequences, goBackwards, ...). */
export type GRUConfig = Parameters<typeof tf.layers.gru>[0];
type Kwargs = Parameters<StockGRU['call']>[1];

/** The fields of tfjs's GRUCell read by the fused path. */
interface GRUCellFields {
  kernel: { read(): tf.Tensor };
  recurrentKernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  useBias: boolean;
  dropout: number;
  recurrentDropout: number;
  activation: { getClassName(): string };
  recurrentActivation: { getClassName(): string };
}

// tfjs's GRU class, taken from the serialization registry (tfjs does not export the class itself).
interface StockGRUConstructor {
  new (config: GRUConfig): StockGRU;
  className: string;
  fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T;
}
const StockGRUClass = tf.serialization.SerializationMap.getMap().classNameMap.GRU[0] as unknown as StockGRUConstructor;

export class GRU extends StockGRUClass {
  static override className = 'GatewaveGRU';

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return this.fusedCall(inputs, kwargs) ?? super.call(inputs, kwargs);
  }

  /** True when a call with a plain `[batch, time, features]` input would run fused now. */
  get fusable(): boolean {
    const cell = this.cell as unknown as GRUCellFields;
    const stateful = (this as unknown as { stateful?: boolean }).stateful === true;
    return (
      !stateful &&
      !this.returnState &&
      !(cell.dropout > 0) &&
      !(cell.recurrentDropout > 0) &&
      (gruFusion()?.canFuse(cell.activation.getClassName(), cell.recurrentActivation.getClassName()) ?? false)
    );
  }

  private fusedCall(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | null {
    const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : null) : inputs;
    if (!x || x.rank !== 3 || x.dtype !== 'float32' || x.shape[0] === 0 || x.shape[1] === 0) return null;
    if (kwargs?.mask != null || kwargs?.initialState != null || !this.fusable) return null;
    const cell = this.cell as unknown as GRUCellFields;
    const fusion = gruFusion()!;
    return tf.tidy(() =>
      fusion.run(
        x,
        cell.kernel.read(),
        cell.recurrentKernel.read(),
        cell.useBias && cell.bias ? cell.bias.read() : null,
        {
          returnSequences: this.returnSequences,
          goBackwards: this.goBackwards,
          activation: cell.activation.getClassName(),
          recurrentActivation: cell.recurrentActivation.getClassName(),
        },
      ),
    );
  }
}
tf.serialization.registerClass(GRU);

export interface BidirectionalGRUConfig extends GRUConfig {
  /** How the forward and backward outputs are merged. Default 'concat'. */
  mergeMode?: 'concat' | 'sum' | 'mul' | 'ave';
}

/**
 * A bidirectional GRU: tf.layers.bidirectional around a gatewave `GRU`, so that on the `native` backend both
 * directions run fused. Same weights and outputs as `tf.layers.bidirectional({layer: tf.layers.gru(config)})`.
 * `name` names the wrapper (the inner layers become `forward_<name>` / `backward_<name>` as in tfjs).
 */
export function bidirectionalGRU(config: BidirectionalGRUConfig): tf.layers.Layer {
  const { mergeMode, name, ...gru } = config;
  return tf.layers.bidirectional({
    layer: new GRU({ ...gru, name: name ? `${name}_gru` : undefined }) as unknown as tf.RNN,
    mergeMode: mergeMode ?? 'concat',
    name,
  });
}
