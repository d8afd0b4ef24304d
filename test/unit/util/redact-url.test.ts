import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../src/util/redact-url.js';

describe('redactUrl', () => {
  it('hides a password and keeps the rest', () => {
    expect(redactUrl('mqtt://meter:s3cret@broker.local:1883')).toBe('mqtt://meter:***@broker.local:1883');
  });

  it('leaves a URL without a password as it is', () => {
    expect(redactUrl('mqtts://broker.local:8883')).toBe('mqtts://broker.local:8883');
    expect(redactUrl(undefined)).toBeUndefined();
  });

  it('says so for a URL it cannot parse, never echoing it', () => {
    expect(redactUrl('not a url with secret')).toBe('(unparsable URL)');
  });
});
