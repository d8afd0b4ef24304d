import { describe, it, expect } from 'vitest';
import { fieldOf } from '../../../src/api/error-handler.js';

describe('the field path of a validation error', () => {
  it('joins the context and the instance path', () => {
    expect(fieldOf('body', { instancePath: '/entries/0/idToken', params: {} })).toBe('body.entries.0.idToken');
  });

  it('names a missing required property', () => {
    expect(fieldOf('body', { instancePath: '', params: { missingProperty: 'powerW' } })).toBe('body.powerW');
  });

  it('names an unknown property', () => {
    expect(fieldOf('querystring', { instancePath: '', params: { additionalProperty: 'limt' } })).toBe('querystring.limt');
  });
});
