import type { SwaggerOptions } from '@fastify/swagger';

/** The OpenAPI document's frame; the paths come from the route schemas. */
export function openApiOptions(): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Switchyard hub API',
        description:
          'Read the stations, EVSEs, site and transactions of an on-site OCPP hub; start and stop transactions, set site limits, EVSE priority and mode, and edit the local authorization list. Write endpoints need `Authorization: Bearer <api.token>` when a token is configured. Errors carry a stable code from one catalogue.',
        version: '0.1.0',
      },
      tags: [
        { name: 'hub' },
        { name: 'stations' },
        { name: 'evses' },
        { name: 'site' },
        { name: 'transactions' },
        { name: 'authorization' },
      ],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
  };
}
