/**
 * Inverted dropout (Srivastava et al. 2014, as PyTorch's nn.Dropout): during training each unit is zeroed with
 * probability `rate` and the kept ones are scaled by 1/(1 − rate), so evaluation (no dropout) needs no rescaling.
 * Masks come from a seeded generator of the run (not tfjs's global random state), so a run is the same on every
 * backend and every time; its state goes into checkpoints beside the learner's batch order.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng, RngState } from '../core/random.js';

export class Dropout {
  private readonly scale: number;

  constructor(
    readonly rate: number,
    private readonly rng: Rng,
  ) {
    if (!(Number.isFinite(rate) && rate >= 0 && rate < 1)) throw new RangeError(`dropout rate must be in [0, 1), got ${rate}`);
    this.scale = 1 / (1 - rate);
  }

  /** `h` with a fresh mask: each entry kept with probability 1 − rate and scaled by 1/(1 − rate), else 0. */
  apply(h: tf.Tensor2D): tf.Tensor2D {
    const mask = new Float32Array(h.size);
    for (let i = 0; i < mask.length; i++) mask[i] = this.rng.next() < this.rate ? 0 : this.scale;
    return tf.tidy(() => tf.mul(h, tf.tensor2d(mask, h.shape)));
  }

  state(): RngState {
    return this.rng.state();
  }

  setState(state: RngState): void {
    this.rng.setState(state);
  }
}
