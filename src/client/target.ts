/** A value a query string can carry; arrays repeat the key (`?tag=a&tag=b`). */
export type QueryValue = string | number | boolean | bigint;
export type Query = Record<string, QueryValue | readonly QueryValue[] | null | undefined>;

/** Where an upstream lives: its origin and the path every call's path is appended to. */
export interface UpstreamBase {
  origin: string;
  /** Host name of the origin (IPv6 addresses in brackets), as spans name the server. */
  hostname: string;
  /** Port of the origin, the scheme's default when the URL gives none. */
  port: number;
  /** Path prefix of the base URL without a trailing slash; empty for a bare origin. */
  basePath: string;
}

export function parseBaseUrl(baseUrl: string): UpstreamBase {
  const url = new URL(baseUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Upstream base URL must be http or https: ${baseUrl}`);
  }
  if (url.search || url.hash) {
    throw new TypeError(`Upstream base URL cannot have a query or fragment: ${baseUrl}`);
  }
  return {
    origin: url.origin,
    hostname: url.hostname,
    port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
    basePath: url.pathname.replace(/\/+$/, ''),
  };
}

/** The request path: base path, call path, then the query (null and undefined left out). */
export function requestPath(base: UpstreamBase, path: string, query?: Query): string {
  const full = `${base.basePath}${path.startsWith('/') ? path : `/${path}`}`;
  if (query === undefined) return full;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const qs = search.toString();
  if (qs === '') return full;
  return `${full}${full.includes('?') ? '&' : '?'}${qs}`;
}

/**
 * Fill a Fastify path template (`/cities/:id`, `/files/:name(^\\w+)`) with encoded values.
 * A parameter without a value is a programming error and throws.
 */
export function fillPath(template: string, params: Record<string, unknown> = {}): string {
  return template.replace(/:(\w+)(\([^)]*\))?/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined || value === null) {
      throw new TypeError(`Missing path parameter "${key}" for ${template}`);
    }
    return encodeURIComponent(String(value));
  });
}
