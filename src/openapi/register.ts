import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ErrorEnvelopeSchema } from '../service/envelope.js';
import type { ResolvedRoute } from '../service/route.js';
import {
  BEARER_SCHEME_NAME,
  BEARER_SECURITY_SCHEME,
  documentResponses,
  ERROR_SCHEMA_NAME,
} from './responses.js';

/** Where the spec is served. */
export const OPENAPI_SPEC_PATH = '/openapi/spec.json';
/** Where the interactive UI is served. */
export const OPENAPI_DOCS_PATH = '/docs';

export interface OpenApiOptions {
  /** `info.title`: the service name. */
  title: string;
  /** `info.version`: the service version. */
  version: string;
  /** The service's routes: raw routes and request schemas shape the documented responses. */
  routes?: readonly ResolvedRoute[];
  /**
   * Serve the spec and the UI (default true). When false the spec is still built,
   * so `buildOpenApiSpec` works, but no route serves it.
   */
  serve?: boolean;
}

/** Spec at `/openapi/spec.json`, interactive UI at `/docs`, both built from the routes. */
export async function registerOpenApi(
  app: FastifyInstance,
  options: OpenApiOptions,
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, version: options.version },
      components: {
        schemas: { [ERROR_SCHEMA_NAME]: ErrorEnvelopeSchema as object },
        ...securitySchemes(options.routes ?? []),
      },
    },
    transform: documentResponses(options.routes ?? []),
  });
  if (options.serve === false) return;
  await app.register(swaggerUi, {
    routePrefix: OPENAPI_DOCS_PATH,
    theme: { title: `${escapeHtml(options.title)} API` },
    // swagger-ui-dist is served from the package itself; no asset comes from a CDN.
    // The plugin forces `url` to its own /docs/json, but a `urls` list takes precedence,
    // so the UI reads the one public spec URL.
    uiConfig: { urls: [{ name: options.title, url: OPENAPI_SPEC_PATH }] },
  });
  app.get(OPENAPI_SPEC_PATH, { schema: { hide: true } }, () => app.swagger());
}

/** Declared only when some route asks for a token, so other specs stay as they were. */
function securitySchemes(routes: readonly ResolvedRoute[]) {
  if (!routes.some((resolved) => resolved.auth)) return {};
  return { securitySchemes: { [BEARER_SCHEME_NAME]: BEARER_SECURITY_SCHEME } };
}

/** The theme title lands in the page's `<title>` as it is. */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
