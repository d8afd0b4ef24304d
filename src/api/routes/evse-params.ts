import { ApiError } from '../errors.js';

/** The path parameters of the routes under /api/evses/{stationId}/{evseId}. */
export interface EvseParams {
  stationId: string;
  evseId: number;
}

/** The EVSE key the energy side uses (`<stationId>/<evseId>`). */
export const keyOf = (p: EvseParams): string => `${p.stationId}/${p.evseId}`;

export const notFound = (key: string): ApiError => new ApiError('NOT_FOUND', `no EVSE ${JSON.stringify(key)} in the site config`);
