import { describe, expect, it } from 'vitest';
import { fnmatch, fromLua, toLua, topicMatches, validFilter, validTopic } from './lua-values.js';

describe('lua-values', () => {
  it('turns Lua sequences into arrays and drops functions', () => {
    expect(fromLua({ 1: 'a', 2: { 1: 1, 2: 2 }, })).toEqual(['a', [1, 2]]);
    expect(fromLua({ a: 1, f: () => 1, n: { x: { 1: true } } })).toEqual({ a: 1, n: { x: [true] } });
    expect(fromLua({ 1: 'a', 3: 'c' })).toEqual({ 1: 'a', 3: 'c' });
  });

  it('removes nulls wasmoon cannot push', () => {
    expect(toLua({ a: null, b: [1, null, { c: null }] })).toEqual({ b: [1, false, {}] });
  });

  it('matches MQTT filters', () => {
    expect(topicMatches('obj/+/t', 'obj/a/t')).toBe(true);
    expect(topicMatches('obj/#', 'obj')).toBe(true);
    expect(topicMatches('obj/#', 'obj/a/b')).toBe(true);
    expect(topicMatches('obj/+', 'obj/a/b')).toBe(false);
    expect(topicMatches('obj/a', 'obj/a/b')).toBe(false);
    expect(validFilter('obj/#/x')).toBe(false);
    expect(validFilter('obj/a+')).toBe(false);
    expect(validFilter('obj/+/#')).toBe(true);
    expect(validTopic('obj/+')).toBe(false);
    expect(validTopic('$SYS/x')).toBe(false);
  });

  it('implements fnmatch with extended globs', () => {
    expect(fnmatch('*temp*', 'kitchen temperature')).toBe(true);
    expect(fnmatch('temp?', 'temp1')).toBe(true);
    expect(fnmatch('[ab]x', 'bx')).toBe(true);
    expect(fnmatch('[!ab]x', 'bx')).toBe(false);
    expect(fnmatch('@(switch|dimmer)', 'dimmer')).toBe(true);
    expect(fnmatch('@(switch|dimmer)', 'door')).toBe(false);
    expect(fnmatch('!(door)', 'window')).toBe(true);
    expect(fnmatch('!(door)', 'door')).toBe(false);
    expect(fnmatch('a.b', 'axb')).toBe(false);
  });
});
