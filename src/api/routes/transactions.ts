import type { FastifyInstance } from 'fastify';
import type { HubQueries } from '../hub-queries.js';
import { errors, transaction } from '../schemas.js';

interface TxQuerystring {
  status?: 'Active' | 'Ended';
  stationId?: string;
  limit: number;
}

export function transactionRoutes(app: FastifyInstance, queries: HubQueries): void {
  app.get<{ Querystring: TxQuerystring }>(
    '/api/transactions',
    {
      schema: {
        tags: ['transactions'],
        summary: 'Transactions, most recently started first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['Active', 'Ended'] },
            stationId: { type: 'string', minLength: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: { 200: { type: 'object', required: ['transactions'], properties: { transactions: { type: 'array', items: transaction } } }, ...errors(400) },
      },
    },
    async (req) => {
      const { status, stationId, limit } = req.query;
      return { transactions: queries.transactions({ limit, ...(status ? { status } : {}), ...(stationId ? { stationId } : {}) }) };
    },
  );
}
