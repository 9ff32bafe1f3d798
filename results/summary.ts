/**
 * Short readable summaries of the settings a leaderboard row's runs share — the data, the model and the
 * training — so rows of different settings look different even when their labels agree. The config id
 * (./identity.ts) is what decides; these only tell a reader what it stands for.
 */
import type { RunRecord } from './record.js';

/** `mnist-full, 5 tasks, 1000 train/task` — the dataset and what was drawn from it. */
export function dataSummary(record: RunRecord): string {
  const s = record.scenario;
  return [
    s.dataset,
    `${record.tasks.length} tasks`,
    s.trainPerTask === undefined ? '' : `${s.trainPerTask} train/task`,
    s.testPerTask === undefined ? '' : `${s.testPerTask} test/task`,
    s.classOrder === undefined ? '' : `class order ${Array.isArray(s.classOrder) ? s.classOrder.join(' ') : s.classOrder}`,
    s.taskClasses === undefined ? '' : `task classes ${JSON.stringify(s.taskClasses)}`,
    s.identityFirstTask ? 'identity first task' : '',
    s.input ? inputSummary(s.input) : '',
    s.dataSha256 ? `data ${s.dataSha256.slice(0, 8)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** `padded 2, normalised (x − 0.1) / 0.2752` */
function inputSummary(input: NonNullable<RunRecord['scenario']['input']>): string {
  return [input.pad ? `padded ${input.pad}` : '', input.mean !== undefined ? `normalised (x − ${input.mean}) / ${input.std}` : ''].filter(Boolean).join(', ') || 'input as is';
}

/** `mlp 400-400, batchnorm, dropout 0.5, backbone b.json` — what the network was. */
export function modelSummary(record: RunRecord): string {
  const m = record.model;
  return [
    `mlp ${m.hidden.join('-') || '(no hidden layer)'}`,
    m.dense === 'plain' ? 'plain dense' : '',
    m.norm && m.norm !== 'none' ? m.norm : '',
    m.normOptions && Object.keys(m.normOptions).length ? `norm ${compact(m.normOptions)}` : '',
    m.dropout ? `dropout ${m.dropout}` : '',
    m.backbone ? `backbone ${m.backbone}${m.backboneSha256 ? ` (${m.backboneSha256.slice(0, 8)})` : ''}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}

/** `adam lr 0.001, batch 128, 4 epochs` and whatever else was set — how it was trained. */
export function trainingSummary(record: RunRecord): string {
  const t = record.training;
  return [
    `${t.optimizer} lr ${t.lr}`,
    t.optimizer === 'momentum' ? `momentum ${t.momentum}` : '',
    `batch ${t.batchSize}`,
    `${t.epochs} epoch${t.epochs === 1 ? '' : 's'}`,
    t.resetOptimizer ? 'optimizer reset each task' : '',
    t.lossOutputs === 'seen' ? 'loss on seen outputs' : '',
  ]
    .filter(Boolean)
    .join(', ');
}

function compact(value: object): string {
  return Object.entries(value)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}
