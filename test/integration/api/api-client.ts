import type { FastifyInstance, InjectOptions } from 'fastify';

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

/**
 * Small helpers over fastify inject(): JSON in, status and JSON out. Requests carry the token
 * unless `auth` says otherwise (null: no Authorization header).
 */
export function apiClient(app: FastifyInstance, token?: string) {
  const send = async (method: InjectOptions['method'], url: string, payload?: object, auth: string | null = token ?? null) => {
    const res = await app.inject({ method, url, ...(payload !== undefined ? { payload } : {}), headers: auth !== null ? { authorization: `Bearer ${auth}` } : {} });
    return { status: res.statusCode, body: res.body === '' ? undefined : res.json<unknown>(), headers: res.headers, text: res.body };
  };
  return {
    send,
    async get<T>(url: string): Promise<T> {
      const res = await send('GET', url);
      if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${res.text}`);
      return res.body as T;
    },
  };
}
