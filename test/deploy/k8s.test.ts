import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveCoreConfig } from 'wharf';
import {
  CONFIG_ENV_NAMES,
  checkWharfCommand,
  cliReadsEntryVariable,
  configFromEnv,
  flagsOf,
  healthUrls,
  ROOT,
  readYaml,
  readYamlOne,
  repoFileExists,
} from './helpers.js';

// biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field
type Manifest = Record<string, any>;

const DIR = 'deploy/k8s';
const files = readdirSync(`${ROOT}${DIR}`).filter((file) => file.endsWith('.yaml'));
const manifests: Manifest[] = files
  .filter((file) => file !== 'kustomization.yaml')
  .flatMap((file) => readYaml(`${DIR}/${file}`));

function one(kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as Manifest;
}

const deployment = one('Deployment');
const job = one('Job');
const configMap = one('ConfigMap');
const secret = one('Secret');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];

/** The environment the Deployment's container gets: its ConfigMap, Secret and own env. */
function containerEnv(spec: Manifest): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of spec.envFrom ?? []) {
    if (source.configMapRef) {
      expect(source.configMapRef.name).toBe(configMap.metadata.name);
      Object.assign(env, configMap.data);
    }
    if (source.secretRef) {
      expect(source.secretRef.name).toBe(secret.metadata.name);
      Object.assign(env, secret.stringData);
    }
  }
  for (const { name, value } of spec.env ?? []) env[name] = value;
  return env;
}

describe('deploy/k8s', () => {
  it('has a Deployment, Service, ConfigMap, Secret, migration Job and CPU autoscaler', () => {
    const kinds = manifests.map((m) => `${m.apiVersion} ${m.kind}`).sort();
    expect(kinds).toEqual(
      [
        'apps/v1 Deployment',
        'autoscaling/v2 HorizontalPodAutoscaler',
        'batch/v1 Job',
        'v1 ConfigMap',
        'v1 Secret',
        'v1 Service',
      ].sort(),
    );
  });

  it('probes the health routes on the port the service listens on', async () => {
    const urls = healthUrls();
    expect(container.livenessProbe.httpGet.path).toBe(urls.live);
    expect(container.readinessProbe.httpGet.path).toBe(urls.ready);
    expect(container.startupProbe.httpGet.path).toBe(urls.live);
    const config = await configFromEnv(containerEnv(container));
    const http = container.ports.find((p: Manifest) => p.name === 'http');
    expect(http.containerPort).toBe(config.http.port);
    expect(http.containerPort).toBe(resolveCoreConfig({}).http.port);
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      expect(container[probe].httpGet.port).toBe('http');
    }
    const service = one('Service');
    expect(service.spec.ports[0].targetPort).toBe('http');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
  });

  it('sets only variables Wharf reads, and they make a valid configuration', async () => {
    for (const spec of [container, job.spec.template.spec.containers[0]]) {
      const env = containerEnv(spec);
      for (const name of Object.keys(env)) {
        if (name === 'WHARF_ENTRY') expect(cliReadsEntryVariable(env[name] ?? '')).toBe(true);
        else expect(CONFIG_ENV_NAMES, name).toContain(name);
      }
      const config = await configFromEnv(env);
      expect(config.env).toBe('production');
      expect(config.db.url).toMatch(/^postgres:\/\//);
    }
  });

  it('marks every secret value as a placeholder', () => {
    const values = Object.values(secret.stringData as Record<string, string>);
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value).toContain('CHANGE_ME');
  });

  it('stops within the grace period: preStop sleep, then delayMs and graceMs', async () => {
    const config = await configFromEnv(containerEnv(container));
    const [sleep, seconds] = container.lifecycle.preStop.exec.command as string[];
    expect(sleep).toBe('sleep');
    const preStopMs = Number(seconds) * 1000;
    // Some pause must let the endpoints go before the server stops accepting.
    expect(preStopMs + config.shutdown.delayMs).toBeGreaterThan(0);
    const { delayMs, graceMs } = config.shutdown;
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(
      preStopMs + delayMs + graceMs,
    );
  });

  it('runs as a non-root user with requests and limits', () => {
    for (const spec of [pod, job.spec.template.spec]) {
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      const c = spec.containers[0];
      expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
      expect(c.resources.requests.cpu).toBeDefined();
      expect(c.resources.requests.memory).toBeDefined();
      expect(c.resources.limits.memory).toBeDefined();
    }
  });

  it('starts the API through a real `wharf start` command line', async () => {
    const { exitCode, help } = await checkWharfCommand(container.command);
    expect(exitCode).toBe(0);
    expect(help).toMatch(/^Usage: wharf start/);
    for (const flag of flagsOf(container.command)) expect(help).toContain(flag);
  });

  it('migrates with a real `wharf migrate up` command line, in the same image', async () => {
    const spec = job.spec.template.spec;
    const command = spec.containers[0].command as string[];
    expect(command.slice(2, 4)).toEqual(['migrate', 'up']);
    const { exitCode, help } = await checkWharfCommand(command);
    expect(exitCode).toBe(0);
    expect(help).toMatch(/^Usage: wharf migrate up/);
    for (const flag of flagsOf(command)) expect(help).toContain(flag);
    expect(repoFileExists(`${command[command.indexOf('--dir') + 1]}/0001_init.sql`)).toBe(true);
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.containers[0].image).toBe(container.image);
  });

  it('autoscales the Deployment on CPU, which needs a CPU request', () => {
    const hpa = one('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toMatchObject({
      kind: 'Deployment',
      name: deployment.metadata.name,
    });
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(container.resources.requests.cpu).toBeDefined();
  });

  it('kustomizes every manifest except the Job, which runs before each rollout', () => {
    const kustomization = readYamlOne<{ resources: string[] }>(`${DIR}/kustomization.yaml`);
    const expected = files.filter(
      (file) => file !== 'kustomization.yaml' && readYaml(`${DIR}/${file}`)[0]?.kind !== 'Job',
    );
    expect([...kustomization.resources].sort()).toEqual(expected.sort());
  });
});
