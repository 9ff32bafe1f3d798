import * as tf from '@tensorflow/tfjs';
import type { TrainingConfig } from '../contract.js';
import { PyTorchAdagrad } from './adagrad.js';
import { FusedAdam } from './fusedAdam.js';

/**
 * The optimizer a training config names. Adam uses PyTorch's defaults and update (β 0.9/0.999, ε 1e-8); Adagrad
 * PyTorch's (accumulator from 0, ε 1e-10 outside the root: ./adagrad.ts).
 */
export function makeOptimizer(training: Pick<TrainingConfig, 'optimizer' | 'lr' | 'momentum'>, lr = training.lr): tf.Optimizer {
  switch (training.optimizer) {
    case 'adam':
      return new FusedAdam(lr, 0.9, 0.999, 1e-8);
    case 'momentum':
      return tf.train.momentum(lr, training.momentum);
    case 'sgd':
      return tf.train.sgd(lr);
    case 'adagrad':
      return new PyTorchAdagrad(lr);
  }
}
