/**
 * The dense (fully connected) layer y = act(x·W + b), with a hand-written backward pass.
 *
 * Why (measured on this project's 2-core machine, WASM backend, MLP 784-400-400-10, batch 128):
 * - tfjs's automatic gradient of matMul multiplies with a transpose flag (dY·Wᵀ, Xᵀ·dY), and the WASM
 *   backend runs a flagged matMul in a naive loop, ~10× slower than its XNNPACK path (1.4 vs 16 GFLOP/s);
 * - so every product here is a plain one. Only the small batch-sized operands are transposed:
 *   dX = (W · dZᵀ)ᵀ streams W unchanged instead of transposing the 784×400 weight matrix every step;
 * - the forward pass calls the fused matMul + bias + ReLU kernel directly (tf.fused.matMul falls back to
 *   three separate kernels under a gradient tape);
 * - the first layer's input gradient is never needed (its input is data), so it is not computed.
 * On the 'native' backend (backends/native.ts) BLAS reads transposed operands at no extra cost, so
 * there the backward pass uses the flagged products Xᵀ·dZ and dZ·Wᵀ and skips the transposes.
 */
import * as tf from '@tensorflow/tfjs';

export interface DenseOptions {
  relu: boolean;
  /** compute ∂L/∂x; false for a layer whose input is data (its gradient is returned as zeros) */
  inputGradient: boolean;
}

export type DenseOp = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, options: DenseOptions) => tf.Tensor2D;

/** x·W + b (+ ReLU) in one kernel, outside the gradient tape. */
function fusedForward(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, relu: boolean): tf.Tensor2D {
  const [m, k] = x.shape;
  const n = w.shape[1];
  const out = tf.engine().runKernel(
    '_FusedMatMul',
    { a: tf.reshape(x, [1, m, k]), b: tf.reshape(w, [1, k, n]), bias: b },
    { transposeA: false, transposeB: false, activation: relu ? 'relu' : 'linear' },
  ) as tf.Tensor3D;
  return tf.reshape(out, [m, n]);
}

function makeFastDense({ relu, inputGradient }: DenseOptions) {
  return tf.customGrad((x, w, b, save) => {
    const y = fusedForward(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D, relu);
    (save as tf.GradSaveFunc)([x as tf.Tensor, w as tf.Tensor, y]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [xs, ws, ys] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        // ReLU'(z) = [y > 0], read off the output
        const dz = relu ? tf.mul(dy as tf.Tensor2D, tf.step(ys)) : (dy as tf.Tensor2D);
        const db = tf.sum(dz, 0);
        if (tf.getBackend() === 'native') {
          const dw = tf.matMul(xs, dz, true, false);
          return [inputGradient ? tf.matMul(dz, ws, false, true) : tf.zerosLike(xs), dw, db];
        }
        const dw = tf.matMul(tf.transpose(xs), dz);
        const dx = inputGradient ? tf.transpose(tf.matMul(ws, tf.transpose(dz))) : tf.zerosLike(xs);
        return [dx, dw, db];
      },
    };
  }) as unknown as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;
}

const variants = new Map<string, (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D>();

/** Dense layer whose backward pass never calls matMul with a transpose flag. */
export const dense: DenseOp = (x, w, b, options) => {
  const key = `${options.relu}/${options.inputGradient}`;
  let op = variants.get(key);
  if (!op) {
    op = makeFastDense(options);
    variants.set(key, op);
  }
  return op(x, w, b);
};

/** The plain tfjs formulation (autograd through matMul, add, relu): the speed and correctness baseline. */
export const plainDense: DenseOp = (x, w, b, { relu }) => {
  const z = tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
  return relu ? tf.relu(z) : z;
};
