import { describe, expect, it } from 'vitest';
import { recordFromRows } from '../components/key-value-editor.js';
import { blankExecutorForm, changeExecutorType, executorFormFrom, executorWrite } from './executor-form.js';

const email = { id: 3, type: 'email', name: 'Mail', organization_id: 1, config: { host: 'smtp.example', port: '587', from: 'a@b.c', region: 'eu' }, secret: '********' };

describe('executor form', () => {
  it('splits known fields from other config and remembers a stored secret', () => {
    const f = executorFormFrom(email);
    expect(f.fields).toEqual({ host: 'smtp.example', port: '587', from: 'a@b.c' });
    expect(f.extra).toEqual([{ key: 'region', value: 'eu' }]);
    expect(f).toMatchObject({ hasStoredSecret: true, secret: '' });
  });
  it('keeps the stored secret unless replaced or cleared', () => {
    const f = executorFormFrom(email);
    expect(executorWrite(f)).toEqual({ write: { name: 'Mail', type: 'email', config: { host: 'smtp.example', port: '587', from: 'a@b.c', region: 'eu' } } });
    expect(executorWrite({ ...f, secret: 'pw' })).toMatchObject({ write: { secret: 'pw' } });
    expect(executorWrite({ ...f, clearSecret: true })).toMatchObject({ write: { secret: '' } });
  });
  it('drops blank fields and trims values', () => {
    const f = { ...blankExecutorForm(), name: ' Hook ', fields: { url: ' http://x/y ' } };
    expect(executorWrite(f)).toEqual({ write: { name: 'Hook', type: 'webhook', config: { url: 'http://x/y' } } });
  });
  it('moves fields between inputs and rows when the type changes', () => {
    const hook = changeExecutorType(executorFormFrom(email), 'webhook');
    expect(hook.fields).toEqual({});
    expect(hook.extra).toEqual([
      { key: 'region', value: 'eu' },
      { key: 'host', value: 'smtp.example' },
      { key: 'port', value: '587' },
      { key: 'from', value: 'a@b.c' },
    ]);
    expect(changeExecutorType(hook, 'email').fields).toEqual({ host: 'smtp.example', port: '587', from: 'a@b.c' });
  });
  it('refuses a setting given twice', () => {
    const f = { ...blankExecutorForm(), fields: { url: 'http://x' }, extra: [{ key: 'url', value: 'http://y' }] };
    expect(executorWrite(f)).toEqual({ error: 'The setting "url" is given twice' });
  });
});

describe('recordFromRows', () => {
  it('drops blank rows and refuses values without a name', () => {
    expect(recordFromRows([{ key: ' a ', value: '1' }, { key: '', value: '' }])).toEqual({ record: { a: '1' } });
    expect(recordFromRows([{ key: '', value: 'x' }])).toEqual({ error: 'The setting with value "x" has no name' });
  });
});
