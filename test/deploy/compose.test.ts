import { describe, expect, it } from 'vitest';
import { resolveCoreConfig } from 'wharf';
import type { CliContext } from '../../src/cli/command.js';
import { entryPath, loadApp } from '../../src/cli/entry.js';
import {
  CONFIG_ENV_NAMES,
  checkWharfCommand,
  cliReadsEntryVariable,
  configFromEnv,
  flagsOf,
  healthUrls,
  ROOT,
  readYamlOne,
  repoFileExists,
} from './helpers.js';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const compose = readYamlOne<{ services: Record<string, ComposeService> }>(
  'deploy/docker-compose.yml',
);
const services = compose.services;
const APPS = ['cities', 'roles', 'users'] as const;
const INFRA = ['postgres', 'rabbitmq', 'redis', 'zipkin'] as const;

const ctx: CliContext = { cwd: ROOT, env: {}, out: () => {}, err: () => {} };

describe('deploy/docker-compose.yml', () => {
  it('runs every example service and its infrastructure, each with a healthcheck', () => {
    for (const name of [...APPS, ...INFRA]) {
      expect(services[name], name).toBeDefined();
      expect(services[name]?.healthcheck?.test.length, name).toBeGreaterThan(0);
    }
  });

  it("builds the example services from the repository's Dockerfile", () => {
    for (const name of [...APPS, 'migrate']) {
      expect(services[name]?.build).toEqual({ context: '..', dockerfile: 'Dockerfile' });
    }
    expect(repoFileExists('Dockerfile')).toBe(true);
  });

  it('starts each app once its dependencies are healthy and the migrations ran', () => {
    for (const name of APPS) {
      const deps = services[name]?.depends_on ?? {};
      for (const infra of INFRA) expect(deps[infra]?.condition).toBe('service_healthy');
      expect(deps.migrate?.condition).toBe('service_completed_successfully');
    }
    expect(services.migrate?.depends_on?.postgres?.condition).toBe('service_healthy');
  });

  it('sets only variables Wharf reads, and the configuration they make is valid', async () => {
    for (const name of [...APPS, 'migrate']) {
      const env = services[name]?.environment ?? {};
      for (const variable of Object.keys(env)) {
        if (variable === 'WHARF_ENTRY') continue;
        expect(CONFIG_ENV_NAMES, `${name}: ${variable}`).toContain(variable);
      }
      const config = await configFromEnv(env);
      expect(config.db.url).toMatch(/@postgres:5432\//);
      expect(config.messaging.amqpUrl).toMatch(/@rabbitmq:5672/);
      expect(config.tracing.exporter).toBe('zipkin');
      expect(config.tracing.zipkinUrl).toBe('http://zipkin:9411/api/v2/spans');
    }
  });

  it('runs each app from an entry module the CLI loads, listening on the default port', async () => {
    const port = resolveCoreConfig({}).http.port;
    for (const name of APPS) {
      const service = services[name];
      const entry = service?.environment?.WHARF_ENTRY ?? '';
      expect(cliReadsEntryVariable(entry)).toBe(true);
      const app = await loadApp(entryPath(ctx, entry), ctx);
      expect(app.service.name).toBe(name);
      expect(app.service.config.http.port).toBe(port);
      expect(service?.ports?.every((mapping) => mapping.endsWith(`:${port}`))).toBe(true);
      const probe = JSON.stringify(service?.healthcheck?.test);
      expect(probe).toContain(`127.0.0.1:${port}${healthUrls().live}`);
    }
  });

  it('migrates the users database with a real `wharf migrate up` command line', async () => {
    const command = services.migrate?.command ?? [];
    expect(command.slice(2, 4)).toEqual(['migrate', 'up']);
    const { exitCode, help } = await checkWharfCommand(command);
    expect(exitCode).toBe(0);
    expect(help).toMatch(/^Usage: wharf migrate up/);
    for (const flag of flagsOf(command)) expect(help).toContain(flag);
    const dir = command[command.indexOf('--dir') + 1];
    expect(repoFileExists(`${dir}/0001_init.sql`)).toBe(true);
  });
});
