import { describe, expect, it } from 'vitest';
import { operationIdOf, toOpenApi30 } from '../../../src/api/openapi.js';

describe('the OpenAPI 3.0 dialect of a route schema', () => {
  it('turns numeric exclusive bounds and const into their OpenAPI 3.0 form, leaving property names alone', () => {
    const schema = { type: 'object', properties: { priority: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 10 }, const: { const: 'x' } } };
    expect(toOpenApi30(schema)).toEqual({
      type: 'object',
      properties: { priority: { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 10, exclusiveMaximum: true }, const: { enum: ['x'] } },
    });
  });

  it('names an operation after its method and path', () => {
    expect(operationIdOf('GET', '/api/evses/:stationId/:evseId/schedule')).toBe('getEvsesByStationIdByEvseIdSchedule');
    expect(operationIdOf('POST', '/api/site/limits')).toBe('postSiteLimits');
    expect(operationIdOf('GET', '/metrics')).toBe('getMetrics');
  });
});
