import type { Service } from '../service/create.js';
import type { AnyRoute } from '../service/route.js';

/** An OpenAPI 3.1 document as plain JSON data. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; [key: string]: unknown };
  servers?: OpenApiServer[];
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown>; [key: string]: unknown };
  [key: string]: unknown;
}

export interface OpenApiServer {
  url: string;
  description?: string;
}

export interface BuildOpenApiOptions {
  /** Base URLs the API is reachable at; the service cannot know them itself. */
  servers?: OpenApiServer[];
}

/**
 * The service's OpenAPI document, the same as served at `/openapi/spec.json`
 * (also when serving is disabled), for tools such as `wharf openapi --out`.
 * Runs `service.ready()` first; the result is a copy the caller may change.
 */
export async function buildOpenApiSpec(
  service: Service<AnyRoute>,
  options: BuildOpenApiOptions = {},
): Promise<OpenApiDocument> {
  await service.ready();
  const spec = JSON.parse(JSON.stringify(service.app.swagger())) as OpenApiDocument;
  if (!options.servers?.length) return spec;
  const { openapi, info, ...rest } = spec;
  return { openapi, info, servers: options.servers, ...rest };
}
