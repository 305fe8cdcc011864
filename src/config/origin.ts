/** Where a configuration value came from, so an error can send the reader to the right place. */
export type Origin =
  | { readonly kind: 'default' }
  | { readonly kind: 'defaults' }
  | { readonly kind: 'module'; readonly file: string }
  | { readonly kind: 'envFile'; readonly file: string; readonly name: string; readonly raw: string }
  | { readonly kind: 'env'; readonly name: string; readonly raw: string };

export const SCHEMA_DEFAULT: Origin = { kind: 'default' };

/** `from env WHARF_HTTP_PORT`, `from config module /srv/app/config.ts`, … */
export function describeOrigin(origin: Origin): string {
  switch (origin.kind) {
    case 'default':
      return 'schema default';
    case 'defaults':
      return 'from loadConfig defaults';
    case 'module':
      return `from config module ${origin.file}`;
    case 'envFile':
      return `from ${origin.name} in ${origin.file}`;
    case 'env':
      return `from env ${origin.name}`;
  }
}

/** Whether the value arrived as text that the loader converted. */
export function isEnvOrigin(
  origin: Origin,
): origin is Extract<Origin, { kind: 'env' | 'envFile' }> {
  return origin.kind === 'env' || origin.kind === 'envFile';
}

const MAX_SHOWN = 80;

/** The offending value as the reader wrote it: the raw text for the environment, JSON otherwise. */
export function showValue(value: unknown, origin: Origin): string {
  const text = isEnvOrigin(origin) ? JSON.stringify(origin.raw) : jsonOrString(value);
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN - 1)}…` : text;
}

function jsonOrString(value: unknown): string {
  if (typeof value === 'function') return '[function]';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
