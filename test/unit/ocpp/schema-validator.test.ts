import { describe, expect, it } from 'vitest';
import { hasAction, validatePayload } from '../../../src/ocpp/schema-validator.js';
import type { OcppVersion } from '../../../src/ocpp/versions.js';

const boot: Record<OcppVersion, (vendor: unknown) => Record<string, unknown>> = {
  '1.6': (vendor) => ({ chargePointVendor: vendor, chargePointModel: 'M' }),
  '2.0.1': (vendor) => ({ reason: 'PowerUp', chargingStation: { vendorName: vendor, model: 'M' } }),
  '2.1': (vendor) => ({ reason: 'PowerUp', chargingStation: { vendorName: vendor, model: 'M' } }),
};

const versions: OcppVersion[] = ['1.6', '2.0.1', '2.1'];

describe('validatePayload', () => {
  it.each(versions)('accepts a valid BootNotification request in OCPP %s', (version) => {
    expect(validatePayload(version, 'BootNotification', 'req', boot[version]('V'))).toBeUndefined();
  });

  it.each<[OcppVersion, string]>([
    ['1.6', 'OccurenceConstraintViolation'],
    ['2.0.1', 'OccurenceConstraintViolation'],
    ['2.1', 'OccurrenceConstraintViolation'],
  ])('maps a missing required field in OCPP %s to %s', (version, code) => {
    expect(validatePayload(version, 'BootNotification', 'req', {})?.code).toBe(code);
  });

  it.each<[OcppVersion, string]>([
    ['1.6', 'FormationViolation'],
    ['2.0.1', 'FormatViolation'],
    ['2.1', 'FormatViolation'],
  ])('maps a string over maxLength in OCPP %s to %s', (version, code) => {
    expect(validatePayload(version, 'BootNotification', 'req', boot[version]('V'.repeat(60)))?.code).toBe(code);
  });

  it.each(versions)('maps a wrong type in OCPP %s to TypeConstraintViolation', (version) => {
    expect(validatePayload(version, 'BootNotification', 'req', boot[version](7))?.code).toBe('TypeConstraintViolation');
  });

  it.each(versions)('maps an unknown field in OCPP %s to PropertyConstraintViolation', (version) => {
    expect(validatePayload(version, 'Heartbeat', 'req', { surprise: true })?.code).toBe('PropertyConstraintViolation');
  });

  it.each(versions)('maps a value outside an enum in OCPP %s to PropertyConstraintViolation', (version) => {
    expect(validatePayload(version, 'ClearCache', 'conf', { status: 'Maybe' })?.code).toBe('PropertyConstraintViolation');
  });

  it('maps a malformed date-time to a format violation', () => {
    expect(validatePayload('2.0.1', 'Heartbeat', 'conf', { currentTime: 'yesterday' })?.code).toBe('FormatViolation');
  });

  it('points at the offending field in the details', () => {
    const err = validatePayload('1.6', 'BootNotification', 'req', boot['1.6'](7));
    expect(err?.details).toMatchObject({ errors: [{ path: '/chargePointVendor', keyword: 'type' }] });
  });

  it('answers NotImplemented for an action the version does not have', () => {
    expect(validatePayload('1.6', 'TransactionEvent', 'req', {})?.code).toBe('NotImplemented');
  });

  it('validates the response of a 2.1 action under its Response schema', () => {
    expect(validatePayload('2.1', 'Heartbeat', 'conf', { currentTime: '2026-01-05T08:00:00Z' })).toBeUndefined();
    expect(validatePayload('2.1', 'Heartbeat', 'conf', {})?.code).toBe('OccurrenceConstraintViolation');
  });
});

describe('hasAction', () => {
  it.each<[OcppVersion, string, boolean]>([
    ['1.6', 'StartTransaction', true],
    ['2.0.1', 'StartTransaction', false],
    ['2.0.1', 'TransactionEvent', true],
    ['2.1', 'TransactionEvent', true],
    ['2.1', 'NotifyPeriodicEventStream', true],
    ['2.1', 'SetDERControl', true],
    ['2.0.1', 'SetDERControl', false],
    ['1.6', 'constructor', false],
    ['1.6', 'BootNotification.req#', false],
  ])('in OCPP %s knows %s: %s', (version, action, known) => {
    expect(hasAction(version, action)).toBe(known);
  });
});
