import { describe, expect, it } from 'vitest';
import { splitInstallationTopic, toRelativeTopic, topicMatches } from './topics.js';

describe('topics', () => {
  it('splits installation topics', () => {
    expect(splitInstallationTopic('34/obj/a/b')).toEqual({ clientId: 34, relative: 'obj/a/b' });
    expect(splitInstallationTopic('obj/a')).toBeNull();
    expect(splitInstallationTopic('34/')).toBeNull();
    expect(splitInstallationTopic('$SYS/x')).toBeNull();
  });

  it('strips only this installation prefix', () => {
    expect(toRelativeTopic(34, '34/obj/x')).toBe('obj/x');
    expect(toRelativeTopic(34, 'obj/x')).toBe('obj/x');
    expect(toRelativeTopic(34, '35/obj/x')).toBe('35/obj/x');
  });

  it('matches MQTT wildcards', () => {
    expect(topicMatches('34/#', '34/obj/x')).toBe(true);
    expect(topicMatches('34/#', '34')).toBe(true);
    expect(topicMatches('+/obj/#', '35/obj/a/b')).toBe(true);
    expect(topicMatches('34/+/x', '34/obj/x')).toBe(true);
    expect(topicMatches('34/+/x', '34/obj/y/x')).toBe(false);
    expect(topicMatches('34/obj', '34/obj/x')).toBe(false);
  });
});
