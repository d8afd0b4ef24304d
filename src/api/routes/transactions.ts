import type { FastifyInstance } from 'fastify';
import type { HubQueries } from '../hub-queries.js';
import { maskIdToken, type Access } from '../access.js';
import { errors, transaction } from '../schemas.js';

interface TxQuerystring {
  status?: 'Active' | 'Ended';
  stationId?: string;
  limit: number;
}

/** Id tokens are personal data: shown only to a caller with the token (see access.ts), masked otherwise. */
export function transactionRoutes(app: FastifyInstance, deps: { queries: HubQueries; access: Access }): void {
  const { queries, access } = deps;
  app.get<{ Querystring: TxQuerystring }>(
    '/api/transactions',
    {
      schema: {
        tags: ['transactions'],
        summary: 'Transactions, most recently started first (id tokens masked without the bearer token)',
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
      const transactions = queries.transactions({ limit, ...(status ? { status } : {}), ...(stationId ? { stationId } : {}) });
      if (access.seesPersonalData(req)) return { transactions };
      return { transactions: transactions.map((t) => (t.idToken === undefined ? t : { ...t, idToken: maskIdToken(t.idToken) })) };
    },
  );
}
