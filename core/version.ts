import { createRequire } from 'node:module';

/** clbench's own version, from package.json (dist/core/version.js sits two folders below it). */
export const CLBENCH_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
