/**
 * Adagrad (Duchi, Hazan & Singer 2011) with PyTorch's update rule (torch.optim.Adagrad, no lr decay, no weight
 * decay), which Hsu et al. 2018's `--optimizer Adagrad` baselines use:
 *
 *   s ← s + g²,   θ ← θ − lr · g / (√s + ε),   s₀ = 0 (`initial_accumulator_value`), ε = 1e-10.
 *
 * tfjs's AdagradOptimizer differs in two places: its accumulator starts at 0.1 (changeable) and it divides
 * by √(s + ε_backend) with the backend's ε (1e-7 in float32) inside the root. For a small gradient the two
 * rules disagree by a large factor: with g = 1e-4 the first PyTorch step is lr·g/|g| = lr, tfjs's (s₀ = 0)
 * is lr·1e-4/√(1.1e-7) ≈ 0.3·lr. So the PyTorch rule is written out here.
 */
import * as tf from '@tensorflow/tfjs';

type NamedTensor = { name: string; tensor: tf.Tensor };

export class PyTorchAdagrad extends tf.Optimizer {
  static get className(): string {
    return 'ClbenchAdagrad';
  }
  /** s per variable name */
  private readonly sums = new Map<string, tf.Variable>();

  constructor(
    readonly learningRate: number,
    readonly epsilon = 1e-10,
    readonly initialAccumulatorValue = 0,
  ) {
    super();
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const entries = Array.isArray(variableGradients) ? variableGradients.map((g) => [g.name, g.tensor] as const) : Object.entries(variableGradients);
    for (const [name, grad] of entries) {
      if (grad == null) continue;
      const variable = tf.engine().registeredVariables[name];
      let sum = this.sums.get(name);
      if (!sum) {
        sum = tf.variable(tf.fill(variable.shape, this.initialAccumulatorValue), false);
        this.sums.set(name, sum);
      }
      const s = sum;
      tf.tidy(() => {
        const s2 = tf.add(s, tf.square(grad));
        s.assign(s2);
        variable.assign(tf.sub(variable, tf.mul(tf.div(grad, tf.add(tf.sqrt(s2), this.epsilon)), this.learningRate)));
      });
    }
    this.incrementIterations();
  }

  override dispose(): void {
    for (const s of this.sums.values()) s.dispose();
    this.sums.clear();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return [...this.sums.entries()].map(([name, s]) => ({ name: `${name}/sum`, tensor: s }));
  }

  override async setWeights(weights: NamedTensor[]): Promise<void> {
    this.dispose();
    for (const { name, tensor } of weights) this.sums.set(name.slice(0, name.lastIndexOf('/')), tf.variable(tensor, false));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, epsilon: this.epsilon, initialAccumulatorValue: this.initialAccumulatorValue };
  }
}
