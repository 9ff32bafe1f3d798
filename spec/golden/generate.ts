/**
 * Writes spec/golden/records.json from the golden runs (./golden.ts) on the WASM backend:
 *   npm run build && node dist/spec/golden/generate.js
 * Only when a change is meant to change numbers; commit the file with that change.
 */
import { writeFileSync } from 'node:fs';
import { useBackend } from '../../backends/backend.js';
import { GOLDEN_FILE, goldenJobs, goldenRecord } from './golden.js';

const backend = await useBackend('wasm');
const records = [];
for (const job of goldenJobs()) {
  const record = await goldenRecord(job, backend);
  if (record.status !== 'completed') throw new Error(`${record.runId}: ${record.status}`);
  records.push(record);
  process.stderr.write(`${record.runId}\n`);
}
writeFileSync(GOLDEN_FILE, `${JSON.stringify({ backend: backend.name, records }, null, 1)}\n`);
process.stderr.write(`wrote ${records.length} records to ${GOLDEN_FILE}\n`);
