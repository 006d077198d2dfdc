import { describe, expect, it } from 'vitest';
import { csvFileName, toCsv } from './csv.js';

describe('toCsv', () => {
  it('writes a header and one quoted-where-needed line per point', () => {
    const csv = toCsv([
      { timestamp: 1_700_000_000.5, topic: 'obj/a', value: 21.5, msg: 'said "hi", twice' },
      { timestamp: 1_700_000_001, topic: 'obj/a', value: -1 },
    ]);
    expect(csv.split('\r\n')).toEqual([
      'time,timestamp,topic,value,msg',
      '2023-11-14T22:13:20.500Z,1700000000.5,obj/a,21.5,"said ""hi"", twice"',
      '2023-11-14T22:13:21.000Z,1700000001,obj/a,-1,',
      '',
    ]);
  });

  it('keeps spreadsheet formulas from running', () => {
    expect(toCsv([{ timestamp: 0, topic: 'obj/a', value: 1, msg: '=HYPERLINK("x")' }])).toContain(`"'=HYPERLINK(""x"")"`);
  });
});

describe('csvFileName', () => {
  it('names the function and range', () => {
    expect(csvFileName('Room 1/temp', 0, 3600)).toBe('Room_1_temp_1970-01-01-00-00_1970-01-01-01-00.csv');
  });
});
