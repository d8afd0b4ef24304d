import { describe, expect, it } from 'vitest';
import { topicMatches } from '../../../src/meters/mqtt-out-topic-match.js';

describe('MQTT topic filters', () => {
  it.each([
    ['a/b', 'a/b', true],
    ['a/+', 'a/b', true],
    ['a/+', 'a/b/c', false],
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['a/+/c/+/config', 'a/x/c/y/config', true],
    ['a/+/c/+/config', 'a/x/c/y/z', false],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'a/b', false],
  ])('%s against %s is %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });
});
