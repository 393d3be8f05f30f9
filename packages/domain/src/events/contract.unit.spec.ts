import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DOSSIER_EVENT_SCHEMAS } from './catalogue.js';
import {
  asyncApiDocument,
  canonicalJson,
  eventsJsonSchema,
  GENERATE_COMMAND,
  generatedContractFiles,
} from './contract.js';

const generatedDir = new URL('../../generated/', import.meta.url);
const types = DOSSIER_EVENT_SCHEMAS.map((s) => s.shape.type.value);

const JsonObject = z.record(z.string(), z.unknown());
const object = (value: unknown) => JsonObject.parse(value);

describe('generated contract files', () => {
  it.each(Object.keys(generatedContractFiles()))(
    'given the zod schemas, then checked-in %s is up to date',
    (name) => {
      const expected = generatedContractFiles()[name];
      let actual: string;
      try {
        actual = readFileSync(new URL(name, generatedDir), 'utf8');
      } catch {
        actual = '';
      }
      expect(
        actual === expected,
        `packages/domain/generated/${name} is stale: run \`${GENERATE_COMMAND}\``,
      ).toBe(true);
    },
  );

  it('is deterministic: generating twice gives identical bytes, keys sorted', () => {
    expect(generatedContractFiles()).toEqual(generatedContractFiles());
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe(
      `${JSON.stringify({ a: { c: null, d: [{ y: 2, z: 1 }] }, b: 1 }, null, 2)}\n`,
    );
  });

  it('describes every event type in the JSON Schema', () => {
    const schema = object(eventsJsonSchema());
    expect(Object.keys(object(schema.$defs)).sort()).toEqual([...types].sort());
    expect(schema.oneOf).toHaveLength(types.length);
    const received = object(object(object(schema.$defs).DossierReceived).properties);
    expect(object(received.data).required).toContain('applicantId');
  });

  it('publishes one AsyncAPI message per event type, keyed by dossierId, with the agreed headers', () => {
    const doc = object(asyncApiDocument());
    expect(doc.asyncapi).toBe('3.0.0');
    const channels = object(doc.channels);
    expect(object(channels.dossierEvents).address).toBe('onestop.dossier-events.v1');
    expect(object(channels.dossierEventsDlq).address).toBe('onestop.dossier-events.v1.dlq');
    expect(Object.keys(object(object(channels.dossierEvents).messages)).sort()).toEqual([...types].sort());
    const messages = object(object(doc.components).messages);
    for (const type of types) {
      const message = object(messages[type]);
      expect(message.payload).toEqual({ $ref: `#/components/schemas/${type}` });
      expect(object(message.headers).required).toEqual([
        'event-id',
        'event-type',
        'schema-version',
        'source',
      ]);
      expect(object(object(message.bindings).kafka).key).toEqual({ $ref: '#/components/schemas/DossierKey' });
    }
    const schemas = object(object(doc.components).schemas);
    expect(Object.keys(schemas)).toEqual(expect.arrayContaining([...types, 'DossierKey']));
  });
});
