/** ajv validation that ends in one clear UserError naming the file, the field and the fix. */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { UserError } from './errors.js';
import { didYouMean } from './suggest.js';

// verbose: errors carry their schema, so an unknown field can be matched against the known ones
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, verbose: true });
const compiled = new WeakMap<object, ValidateFunction>();

/**
 * Validates `data` in place (filling schema defaults) and returns it; throws a UserError for the first
 * problem. `where` names the file and `path` the field the data sits at (e.g. 'learners[1].options').
 */
export function validateWithSchema<T>(schema: object, data: unknown, where: string, path = '', fixHint?: string): T {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(data)) return data as T;
  const error = pickError(validate.errors ?? []);
  const field = joinPath(path, error.instancePath);
  throw new UserError(describe(error), `${where}${field ? `: ${field}` : ''}`, fixFor(error, fixHint));
}

function pickError(errors: ErrorObject[]): ErrorObject {
  // Prefer the most specific message: the deepest path, and not the summaries of oneOf/anyOf.
  const concrete = errors.filter((e) => !['oneOf', 'anyOf', 'if'].includes(e.keyword));
  const pool = concrete.length ? concrete : errors;
  return pool.reduce((best, e) => (e.instancePath.length > best.instancePath.length ? e : best), pool[0]);
}

function joinPath(base: string, pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('');
  const joined = `${base}${parts}`;
  return joined.startsWith('.') ? joined.slice(1) : joined;
}

function describe(e: ErrorObject): string {
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'required':
      return `missing field '${p.missingProperty}'`;
    case 'additionalProperties':
      return `unknown field '${p.additionalProperty}'${didYouMean(p.additionalProperty, Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}))}`;
    case 'enum':
      return `must be one of ${p.allowedValues.map((v: unknown) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `must be ${p.type}`;
    default:
      return e.message ?? 'is invalid';
  }
}

function fixFor(e: ErrorObject, hint?: string): string | undefined {
  const p = e.params as Record<string, any>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `remove '${p.additionalProperty}' or check its spelling${hint ? `; ${hint}` : ''}`;
    case 'required':
      return `add '${p.missingProperty}'${hint ? `; ${hint}` : ''}`;
    default:
      return hint;
  }
}
