import { describe, expect, it } from 'vitest';
import { parseValuePayload } from './payload.js';

describe('parseValuePayload', () => {
  it('accepts the Lynx payload with float seconds and ignores extra fields', () => {
    expect(parseValuePayload('{"value":21.5,"timestamp":1700000000.123,"msg":"hi","pointid":3}', 1024)).toEqual({
      ok: true, value: 21.5, timestamp: 1700000000.123, msg: 'hi',
    });
  });
  it('leaves a missing timestamp for the receiver to fill', () => {
    expect(parseValuePayload(Buffer.from('{"value":1}'), 1024)).toEqual({ ok: true, value: 1, timestamp: undefined, msg: '' });
  });
  it.each([
    ['not json', 'not JSON'],
    ['[1]', 'not a JSON object'],
    ['{"value":"1"}', 'value'],
    ['{"timestamp":1}', 'value'],
    ['{"value":1,"timestamp":"x"}', 'timestamp'],
    ['{"value":1,"msg":5}', 'msg'],
  ])('rejects %s', (raw, reason) => {
    const r = parseValuePayload(raw, 1024);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });
  it('rejects oversize payloads', () => {
    const r = parseValuePayload(JSON.stringify({ value: 1, msg: 'x'.repeat(200) }), 100);
    expect(r.ok).toBe(false);
  });
});
