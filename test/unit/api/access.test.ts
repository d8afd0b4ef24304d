import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hostAllowed, maskIdToken } from '../../../src/api/access.js';

describe('the Host check', () => {
  const names = new Set(['hub.example.net']);

  it('answers IP literals, localhost and configured names, with or without a port', () => {
    for (const h of ['127.0.0.1', '127.0.0.1:8080', '10.0.0.7:80', '[::1]:8080', '[fe80::1]', 'localhost', 'LOCALHOST:8080', 'dash.localhost', 'hub.example.net:443']) {
      expect(hostAllowed(h, names)).toBe(true);
    }
  });

  it('refuses every other name (a rebinding attacker controls only the name)', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 2, maxLength: 4 }), fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }), (labels, port) => {
        const name = labels.join('.');
        fc.pre(name !== 'hub.example.net' && !name.endsWith('.localhost') && name !== 'localhost');
        expect(hostAllowed(port === undefined ? name : `${name}:${port}`, names)).toBe(false);
      }),
    );
    expect(hostAllowed('', names)).toBe(false);
    expect(hostAllowed('127.0.0.1.attacker.com', names)).toBe(false);
  });
});

describe('masking id tokens', () => {
  it('keeps at most the last two characters', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 36 }), (t) => {
        const m = maskIdToken(t);
        expect(m.startsWith('***')).toBe(true);
        expect(m.length).toBeLessThanOrEqual(5);
      }),
    );
  });
});
