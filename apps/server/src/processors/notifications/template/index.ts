// Go text/template subset for notification messages (spec 1.11): compile once when a message is
// saved (syntax and unknown functions are errors then), render when it is sent.
import { execute } from './evaluator.js';
import { functionNames } from './functions.js';
import { TemplateError } from './lexer.js';
import { parseTemplate, type ParsedTemplate } from './parser.js';
import type { Value } from './values.js';

export { TemplateError };
export { GoStruct, fromJson, type Value } from './values.js';
export { isValidTimeZone } from './go-time-format.js';

export type CompiledTemplate = ParsedTemplate;

/** Throws TemplateError naming line and column. */
export function compileTemplate(source: string): CompiledTemplate {
  return parseTemplate(source, functionNames);
}

/** Renders with `data` as dot; `toTime` results are shown in `timeZone`. Throws TemplateError. */
export function renderTemplate(template: CompiledTemplate | string, data: Value, timeZone = 'UTC'): string {
  const parsed = typeof template === 'string' ? compileTemplate(template) : template;
  return execute(parsed, data, timeZone);
}
