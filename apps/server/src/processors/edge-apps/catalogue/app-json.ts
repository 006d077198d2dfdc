// app.json (spec 1.12): the configuration schema of a version. Only what the server relies on is
// checked: it is a JSON object, and `input.<key>.required` names keys an instance must configure.
import { BadRequestError } from '../../../aam/errors.js';

/** Parses the uploaded app.json; `part` names the upload field in the error. */
export function parseAppJson(text: string, part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`${part} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequestError(`${part} must be a JSON object (the app's configuration schema)`);
  return value as Record<string, unknown>;
}

/** Keys of `input` marked required and without a default. */
export function requiredInputs(appJson: Record<string, unknown>): string[] {
  const input = appJson.input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return [];
  const keys: string[] = [];
  for (const [key, spec] of Object.entries(input)) {
    if (typeof spec !== 'object' || spec === null) continue;
    const s = spec as Record<string, unknown>;
    if (s.required === true && s.default === undefined) keys.push(key);
  }
  return keys;
}

/** 400 naming the first required input the configuration lacks (absent, null or ""). */
export function checkRequiredInputs(appJson: Record<string, unknown>, config: Record<string, unknown>): void {
  for (const key of requiredInputs(appJson)) {
    const value = config[key];
    if (value === undefined || value === null || value === '') throw new BadRequestError(`invalid config.${key}: required by the app's app.json`);
  }
}
