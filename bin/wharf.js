#!/usr/bin/env node
// The `wharf` command. It runs the CLI through tsx so that a service's TypeScript modules
// (its Drizzle models) load as they are, with no build step.
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const sources = new URL('../src/cli/main.ts', import.meta.url);
const inRepository = existsSync(sources);

if (inRepository) {
  // Inside Wharf's own repository `wharf` resolves to its TypeScript sources, as with
  // `node --conditions=source`.
  const hook = `export async function resolve(specifier, context, next) {
    const conditions = context.conditions.includes('source')
      ? context.conditions
      : [...context.conditions, 'source'];
    return next(specifier, { ...context, conditions });
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

const tsx = await import('tsx/esm/api');
tsx.register();

await import(inRepository ? sources.href : new URL('../dist/cli/main.js', import.meta.url).href);
