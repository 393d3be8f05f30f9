import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerImages, missingServices } from './containers.js';

describe('the container fallback', () => {
  it('given both variables set, then no container is needed', () => {
    expect(missingServices({ DATABASE_URL: 'postgres://x/y', KAFKA_BROKERS: 'k:9092' })).toEqual([]);
  });

  it('given a variable unset or blank, then a container is needed for it', () => {
    expect(missingServices({ DATABASE_URL: 'postgres://x/y' })).toEqual(['KAFKA_BROKERS']);
    expect(missingServices({ DATABASE_URL: '', KAFKA_BROKERS: 'k:9092' })).toEqual(['DATABASE_URL']);
    expect(missingServices({})).toEqual(['DATABASE_URL', 'KAFKA_BROKERS']);
  });

  it('runs the images docker-compose.yml pins (the Kafka one being the version the local broker runs)', () => {
    const compose = readFileSync(resolve(import.meta.dirname, '../../../docker-compose.yml'), 'utf8');
    const images = [...compose.matchAll(/^\s+image: (\S+)$/gm)].map((match) => match[1]);
    expect(images).toContain(containerImages.postgres);
    expect(images).toContain(containerImages.kafka);
  });
});
