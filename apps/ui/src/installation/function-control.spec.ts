import { describe, expect, it } from 'vitest';
import { statesOf } from './function-control.js';

describe('statesOf', () => {
  it('lists named states with their text, highest value first', () => {
    expect(statesOf({ state_off: '0', state_on: '1', text_on: 'On', state_bad: 'x', topic_write: 'set/x' })).toEqual([
      { name: 'on', value: 1, text: 'On' },
      { name: 'off', value: 0, text: 'off' },
    ]);
  });
});
