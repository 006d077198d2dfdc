import { describe, expect, it } from 'vitest';
import { alignSeries } from './series.js';

describe('alignSeries', () => {
  it('builds one time axis and a column per topic with gaps', () => {
    const data = alignSeries(
      [
        { topic: 'b', timestamp: 2, value: 20 },
        { topic: 'a', timestamp: 1, value: 1 },
        { topic: 'a', timestamp: 3, value: 3 },
        { topic: 'zzz', timestamp: 4, value: 9 },
      ],
      ['a', 'b'],
    );
    expect(data).toEqual([
      [1, 2, 3, 4],
      [1, null, 3, null],
      [null, 20, null, null],
    ]);
  });
});
