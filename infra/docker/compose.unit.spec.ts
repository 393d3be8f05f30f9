import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

// docker-compose.yml cannot run here (no Docker engine), so its shape is what we can check.
const composeSchema = z.object({
  services: z.record(
    z.string(),
    z.object({
      image: z.string().optional(),
      build: z
        .object({
          context: z.string(),
          dockerfile: z.string(),
          args: z.record(z.string(), z.string()).optional(),
        })
        .optional(),
      healthcheck: z.object({ test: z.array(z.string()).min(2) }).optional(),
      profiles: z.array(z.string()).optional(),
      environment: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      volumes: z.array(z.string()).optional(),
      depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
    }),
  ),
});

const compose = composeSchema.parse(
  parse(readFileSync(resolve(import.meta.dirname, '../../docker-compose.yml'), 'utf8'), { merge: true }),
);
const services = Object.entries(compose.services);

describe('docker-compose.yml', () => {
  it('runs Kafka, PostgreSQL and every service, with KurrentDB only as an optional profile', () => {
    const names = services.map(([name]) => name);
    for (const needed of [
      'kafka',
      'postgres',
      'intake',
      'digitization',
      'processing',
      'result-return',
      'projection',
      'feedback',
      'web',
    ]) {
      expect(names).toContain(needed);
    }
    expect(compose.services.kurrentdb?.profiles).toEqual(['kurrentdb']);
  });

  it.each(services)('service %s has a healthcheck', (_name, service) => {
    expect(service.healthcheck?.test.length).toBeGreaterThanOrEqual(2);
  });

  it.each(services)('service %s uses a pinned image or the shared Dockerfile', (_name, service) => {
    if (service.image !== undefined) {
      expect(service.image).toMatch(/:[0-9][\w.-]*$/);
      expect(service.image).not.toMatch(/:latest$/);
    } else {
      expect(service.build?.dockerfile).toBe('infra/docker/Dockerfile');
      expect(service.build?.args?.SERVICE).toBeTruthy();
    }
  });

  it.each(services.filter(([, service]) => service.build !== undefined))(
    'service %s starts once PostgreSQL and Kafka are healthy and the topics exist',
    (_name, service) => {
      expect(service.depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        kafka: { condition: 'service_healthy' },
        'kafka-init': { condition: 'service_completed_successfully' },
      });
    },
  );

  it("keeps Kafka's log in its volume (the image writes to /tmp by default)", () => {
    const kafka = compose.services.kafka;
    const logDirs = kafka?.environment?.KAFKA_LOG_DIRS;
    expect(logDirs).toBeDefined();
    expect(kafka?.volumes?.map((volume) => volume.split(':')[1])).toContain(logDirs);
  });

  it("gives the services' volumes directories that the user the services run as owns", () => {
    const dockerfile = readFileSync(resolve(import.meta.dirname, 'Dockerfile'), 'utf8');
    const user = /^USER (\S+)$/m.exec(dockerfile)?.[1];
    expect(user).toBe('node');
    const targets = services
      .filter(([, service]) => service.build !== undefined)
      .flatMap(([, service]) => (service.volumes ?? []).map((volume) => volume.split(':')[1] ?? ''));
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      expect(target.startsWith('/var/lib/onestop/')).toBe(true);
      expect(dockerfile).toContain(target);
    }
    expect(dockerfile).toContain(`chown -R ${user}:${user} /var/lib/onestop`);
  });

  it("keeps the host's node_modules out of the image build context", () => {
    const ignored = readFileSync(resolve(import.meta.dirname, '../../.dockerignore'), 'utf8').split('\n');
    expect(ignored).toContain('**/node_modules');
    expect(ignored).toContain('.data');
  });

  it('pins the Kafka image to the version the local broker runs', () => {
    const pom = readFileSync(resolve(import.meta.dirname, '../kafka/pom.xml'), 'utf8');
    const version = /<kafka.version>(.+)<\/kafka.version>/.exec(pom)?.[1];
    expect(compose.services.kafka?.image).toBe(`apache/kafka:${version}`);
  });
});
