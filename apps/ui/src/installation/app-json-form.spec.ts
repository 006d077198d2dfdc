import { describe, expect, it } from 'vitest';
import { configFromValues, fieldsFromAppJson, initialValues, parseConfigJson } from './app-json-form.js';

const appJson = {
  author: 'IoT Open',
  input: {
    functions: { type: 'multi_function_selector', name: 'Temperature sensors', required: true, filter: { type: ['temperature', 'humidity'] } },
    limit: { type: 'number', name: 'Limit', min: 0, max: 50, default: 25 },
    label: { type: 'text', description: 'Shown in the message' },
    enabled: { type: 'toggle', name: 'Enabled', true_value: 'on', false_value: 'off', default: 'on' },
    output: { type: 'single_notification_output_selector', name: 'Alarm output' },
    rows: { type: 'repeat', name: 'Rows', input_fields: ['a'] },
  },
  guide: [
    { id: 'b', title: 'Alarm', input_fields: ['limit', 'output'] },
    { id: 'a', title: 'Sensors', input_fields: ['functions', 'nope'] },
  ],
};

describe('fieldsFromAppJson', () => {
  const fields = fieldsFromAppJson(appJson);
  it('orders fields by the guide, then the rest', () => expect(fields.map((f) => f.key)).toEqual(['limit', 'output', 'functions', 'label', 'enabled', 'rows']));
  it('maps input types to field kinds, unknown ones to JSON', () =>
    expect(Object.fromEntries(fields.map((f) => [f.key, f.kind]))).toEqual({ limit: 'number', output: 'output', functions: 'functions', label: 'text', enabled: 'toggle', rows: 'json' }));
  it('keeps names, groups, filters and limits', () => {
    const f = fields.find((x) => x.key === 'functions')!;
    expect(f).toMatchObject({ label: 'Temperature sensors', required: true, types: ['temperature', 'humidity'], group: 'Sensors' });
    expect(fields.find((x) => x.key === 'limit')).toMatchObject({ min: 0, max: 50, group: 'Alarm' });
    expect(fields.find((x) => x.key === 'label')).toMatchObject({ label: 'label', description: 'Shown in the message' });
    expect(fields.find((x) => x.key === 'label')?.group).toBeUndefined();
  });
  it('answers no fields without an input object', () => {
    expect(fieldsFromAppJson({})).toEqual([]);
    expect(fieldsFromAppJson(null)).toEqual([]);
    expect(fieldsFromAppJson({ input: [1] })).toEqual([]);
  });
});

describe('form values and config', () => {
  const fields = fieldsFromAppJson(appJson);
  it('starts from defaults', () =>
    expect(initialValues(fields, {})).toEqual({ limit: '25', output: null, functions: [], label: '', enabled: true, rows: '' }));
  it('starts from the stored config', () =>
    expect(initialValues(fields, { limit: 3, output: 9, functions: [1, '2'], enabled: 'off', rows: [{ a: 1 }] })).toMatchObject({
      limit: '3',
      output: 9,
      functions: [1, 2],
      enabled: false,
      rows: '[\n  {\n    "a": 1\n  }\n]',
    }));
  it('writes typed config and keeps keys the app.json does not know', () => {
    const values = { ...initialValues(fields, {}), functions: [4, 5], rows: '[{"a":2}]', label: 'Hall' };
    expect(configFromValues(fields, values, { extra: 'kept', label: 'old' })).toEqual({
      config: { extra: 'kept', limit: 25, functions: [4, 5], label: 'Hall', enabled: 'on', rows: [{ a: 2 }] },
      errors: {},
    });
  });
  it('names required, range and JSON problems', () => {
    const values = { ...initialValues(fields, {}), limit: '99', rows: '[' };
    const { errors } = configFromValues(fields, values);
    expect(errors.functions).toBe('Temperature sensors is required');
    expect(errors.limit).toBe('Limit must be at most 50');
    expect(errors.rows).toMatch(/^Rows is not valid JSON/);
    expect(configFromValues(fields, { ...values, limit: 'x' }).errors.limit).toBe('Limit must be a number');
  });
});

describe('parseConfigJson', () => {
  it('accepts an object and empty text', () => {
    expect(parseConfigJson('{"a":1}')).toEqual({ config: { a: 1 } });
    expect(parseConfigJson('  ')).toEqual({ config: {} });
  });
  it('refuses other JSON and syntax errors', () => {
    expect(parseConfigJson('[1]')).toEqual({ error: expect.stringContaining('must be a JSON object') });
    expect(parseConfigJson('{')).toEqual({ error: expect.stringMatching(/^Not valid JSON/) });
  });
});
