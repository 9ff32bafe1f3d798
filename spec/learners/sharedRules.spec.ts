/**
 * Rules every learner part follows, held in one place each: copies of tensors are `tf.clone`
 * (learners/parts/parameterCopies.ts), and a masked logit gets MASKED_LOGIT (learners/parts/losses.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { TrainingConfig } from '../../learners/contract.js';
import { makeOptimizer } from '../../learners/optim/optimizers.js';
import { MASKED_LOGIT, taskMask } from '../../learners/parts/losses.js';
import { copyValues } from '../../learners/parts/parameterCopies.js';
import { REPO_ROOT } from '../helpers/pluginProject.js';
import { useBackend } from '../../backends/backend.js';

const OPTIMIZERS: TrainingConfig['optimizer'][] = ['sgd', 'momentum', 'adam', 'adagrad'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sources(file) : name.endsWith('.ts') ? [file] : [];
  });
}

describe('shared rules of learner parts', function () {
  this.timeout(60000);
  let previous: string;
  before(() => (previous = tf.getBackend()));
  after(async () => {
    if (previous) await tf.setBackend(previous);
  });

  for (const backend of ['wasm', 'cpu'] as const) {
    it(`a copy keeps its values while every optimizer updates the variable and after it is disposed (${backend}, fused Adam included)`, async () => {
      await useBackend(backend);
      for (const optimizer of OPTIMIZERS) {
        const variable = tf.variable(tf.tensor1d([1, -2, 3, -0.5, 0.25]));
        const training: TrainingConfig = { epochs: 1, batchSize: 1, optimizer, lr: 0.1, momentum: 0.9, resetOptimizer: false };
        const opt = makeOptimizer(training);
        const [copy] = copyValues([variable]);
        for (let step = 0; step < 3; step++) tf.tidy(() => opt.applyGradients({ [variable.name]: tf.tensor1d([1, 1, -1, 2, 0.5]) }));
        expect(Array.from(variable.dataSync()), optimizer).to.not.deep.equal([1, -2, 3, -0.5, 0.25]);
        variable.dispose();
        expect(Array.from(copy.dataSync()), `${optimizer}: the copy`).to.deep.equal([1, -2, 3, -0.5, 0.25]);
        copy.dispose();
        opt.dispose();
      }
    });
  }

  it('a task mask hides with MASKED_LOGIT, the one masking constant no other learner file spells out', () => {
    const info = { name: 's', setting: 'task' as const, outputs: 4, inputSize: 1, tasks: [ { id: 0, classes: [0, 1], outputs: [0, 1] }, { id: 1, classes: [2, 3], outputs: [2, 3] } ] };
    expect(Array.from(taskMask(info, Uint16Array.from([1]))!)).to.deep.equal([MASKED_LOGIT, MASKED_LOGIT, 0, 0].map(Math.fround));
    const literal = /-\s?1e9\b/;
    const spelled = sources(path.join(REPO_ROOT, 'learners')).filter((file) => !file.endsWith(path.join('parts', 'losses.ts')) && literal.test(readFileSync(file, 'utf8').replace(/^\s*(\*|\/\/).*$/gm, '')));
    expect(spelled.map((f) => path.relative(REPO_ROOT, f))).to.deep.equal([]);
  });
});
