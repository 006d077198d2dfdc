import { describe, expect, it } from 'vitest';
import { formatValue, readTopics, sprintf } from './format-value.js';

describe('sprintf', () => {
  it('formats the conversions Lynx meta uses', () => {
    expect(sprintf('%.1f°C', 21.456)).toBe('21.5°C');
    expect(sprintf('%d W', 12.9)).toBe('12 W');
    expect(sprintf('%05.1f', 3.14159)).toBe('003.1');
    expect(sprintf('%+d', 4)).toBe('+4');
    expect(sprintf('100%% %s', 'x')).toBe('100% x');
    expect(sprintf('%x', 255)).toBe('ff');
  });
});

describe('formatValue', () => {
  it('shows the text of a matching state before any format', () => {
    const meta = { state_on: '1', state_off: '0', text_on: 'On', format: '%d' };
    expect(formatValue(1, meta)).toBe('On');
    // A state without text shows its name.
    expect(formatValue(0, meta)).toBe('off');
    expect(formatValue(2, meta)).toBe('2');
  });

  it('prefers format_<key> over format, and format over unit', () => {
    const meta = { format: '%.1f°C', format_red: '%d%%', unit: 'K' };
    expect(formatValue(20.04, meta)).toBe('20.0°C');
    expect(formatValue(50.5, meta, 'red')).toBe('50%');
  });

  it('appends the unit to the plain number', () => {
    expect(formatValue(230.1, { unit: 'V' })).toBe('230.1 V');
    expect(formatValue(0.1 + 0.2, {})).toBe('0.3');
  });

  it('shows a dash when there is no value yet', () => {
    expect(formatValue(undefined, { unit: 'V' })).toBe('—');
  });
});

describe('readTopics', () => {
  it('lists the read topics with their keys', () => {
    expect(readTopics({ topic_read: 'obj/a', topic_read_red: 'obj/b', topic_write: 'set/obj/a', topic_read_x: ' ' })).toEqual([
      { key: 'read', topic: 'obj/a' },
      { key: 'red', topic: 'obj/b' },
    ]);
  });
});
