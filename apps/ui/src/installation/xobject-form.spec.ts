import { describe, expect, it } from 'vitest';
import { formFromObject, formToWrite } from './xobject-form.js';

describe('function form', () => {
  const fn = {
    type: 'temperature',
    meta: { name: 'Room 1', topic_read: 'obj/r1/t', unit: '°C', state_on: '1' },
    protected_meta: { secret: 'x' },
  };

  it('splits meta into form fields and editor rows and puts it back together', () => {
    const form = formFromObject('function', fn);
    expect(form.fields).toEqual({ name: 'Room 1', topic_read: 'obj/r1/t', unit: '°C' });
    expect(form.rows.map((r) => r.key)).toEqual(['secret', 'state_on']);
    expect(formToWrite(form, true)).toEqual({ type: 'temperature', meta: fn.meta, protected_meta: fn.protected_meta });
  });

  it('leaves protected meta out for users who may not edit it', () => {
    const form = formFromObject('function', { ...fn, protected_meta: {} });
    expect(formToWrite(form, false)).not.toHaveProperty('protected_meta');
  });

  it('drops blank fields instead of storing empty meta', () => {
    const form = formFromObject('function', fn);
    form.fields.unit = '  ';
    expect(formToWrite(form, true).meta).not.toHaveProperty('unit');
  });
});
