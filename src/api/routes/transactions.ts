import type { FastifyInstance } from 'fastify';
import type { HubQueries } from '../hub-queries.js';
import { ApiError } from '../errors.js';

interface TxQuerystring {
  status?: string;
  stationId?: string;
  limit?: string;
}

export function transactionRoutes(app: FastifyInstance, queries: HubQueries): void {
  app.get<{ Querystring: TxQuerystring }>('/api/transactions', async (req) => {
    const { status, stationId, limit } = req.query;
    if (status !== undefined && status !== 'Active' && status !== 'Ended') {
      throw new ApiError('BAD_REQUEST', `status: expected Active or Ended, found ${JSON.stringify(status)}`);
    }
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) {
      throw new ApiError('BAD_REQUEST', `limit: expected an integer 1-1000, found ${JSON.stringify(limit)}`);
    }
    return { transactions: queries.transactions({ limit: n, ...(status ? { status } : {}), ...(stationId ? { stationId } : {}) }) };
  });
}
