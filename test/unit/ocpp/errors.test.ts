import { describe, expect, it } from 'vitest';
import {
  createRpcError,
  FormationViolationError,
  GenericError,
  InternalError,
  NotImplementedError,
  RPC_ERROR_CODES,
  RpcError,
  wireDescription,
  wireErrorCode,
  type RpcErrorCode,
} from '../../../src/ocpp/errors.js';
import type { OcppVersion } from '../../../src/ocpp/versions.js';

const WIRE: [RpcErrorCode, Record<OcppVersion, RpcErrorCode>][] = [
  ['FormatViolation', { '1.6': 'FormationViolation', '2.0.1': 'FormatViolation', '2.1': 'FormatViolation' }],
  ['FormationViolation', { '1.6': 'FormationViolation', '2.0.1': 'FormatViolation', '2.1': 'FormatViolation' }],
  [
    'OccurrenceConstraintViolation',
    { '1.6': 'OccurenceConstraintViolation', '2.0.1': 'OccurenceConstraintViolation', '2.1': 'OccurrenceConstraintViolation' },
  ],
  [
    'OccurenceConstraintViolation',
    { '1.6': 'OccurenceConstraintViolation', '2.0.1': 'OccurenceConstraintViolation', '2.1': 'OccurrenceConstraintViolation' },
  ],
  ['RpcFrameworkError', { '1.6': 'FormationViolation', '2.0.1': 'RpcFrameworkError', '2.1': 'RpcFrameworkError' }],
  ['MessageTypeNotSupported', { '1.6': 'GenericError', '2.0.1': 'MessageTypeNotSupported', '2.1': 'MessageTypeNotSupported' }],
  ['TypeConstraintViolation', { '1.6': 'TypeConstraintViolation', '2.0.1': 'TypeConstraintViolation', '2.1': 'TypeConstraintViolation' }],
  ['NotImplemented', { '1.6': 'NotImplemented', '2.0.1': 'NotImplemented', '2.1': 'NotImplemented' }],
];

describe('wireErrorCode', () => {
  it.each(WIRE)('spells %s the way each version puts it on the wire', (code, perVersion) => {
    for (const version of ['1.6', '2.0.1', '2.1'] as const) {
      expect(wireErrorCode(version, code)).toBe(perVersion[version]);
    }
  });

  it('never sends 1.6 a code that 1.6 does not define', () => {
    const codes16 = [
      'NotImplemented', 'NotSupported', 'InternalError', 'ProtocolError', 'SecurityError', 'FormationViolation',
      'PropertyConstraintViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation', 'GenericError',
    ];
    for (const code of RPC_ERROR_CODES) expect(codes16).toContain(wireErrorCode('1.6', code));
  });
});

describe('createRpcError', () => {
  it('builds the class of a known code with description and details', () => {
    const err = createRpcError('NotImplemented', 'nope', { a: 1 });
    expect(err).toBeInstanceOf(NotImplementedError);
    expect(err).toBeInstanceOf(RpcError);
    expect(err).toMatchObject({ code: 'NotImplemented', description: 'nope', details: { a: 1 }, name: 'NotImplementedError' });
  });

  it('keeps both spellings of a code as distinct classes', () => {
    expect(createRpcError('FormationViolation')).toBeInstanceOf(FormationViolationError);
  });

  it('turns an unknown code into a GenericError that remembers the received code', () => {
    const err = createRpcError('TeapotError', 'short and stout');
    expect(err).toBeInstanceOf(GenericError);
    expect(err.details).toEqual({ receivedCode: 'TeapotError' });
  });

  it('gives an error without description the default one of its code', () => {
    expect(new InternalError().description).toMatch(/internal error/i);
  });
});

describe('wireDescription', () => {
  it('cuts a description to 255 characters', () => {
    expect(wireDescription('x'.repeat(300))).toHaveLength(255);
  });
});
