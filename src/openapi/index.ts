import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export interface OpenApiOptions {
  title: string;
  version: string;
}

/** Spec at `/openapi/spec.json`, interactive UI at `/docs`, both built from the routes. */
export async function registerOpenApi(
  app: FastifyInstance,
  options: OpenApiOptions,
): Promise<void> {
  await app.register(swagger, {
    openapi: { openapi: '3.1.0', info: { title: options.title, version: options.version } },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi/spec.json', { schema: { hide: true } }, () => app.swagger());
}
