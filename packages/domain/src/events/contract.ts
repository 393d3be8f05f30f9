/**
 * The published contract of the topic, generated from the zod schemas so it cannot drift from the code:
 * `generated/events.schema.json` (JSON Schema 2020-12 of every event) and `generated/asyncapi.json`
 * (AsyncAPI 3.0 of the topic and its dead-letter topic). Run `pnpm --filter @onestop/domain gen` after changing
 * a schema; a unit test fails while the checked-in files differ.
 */
import { z } from 'zod';
import { DOSSIER_EVENT_SCHEMAS, type DossierEventSchema } from './catalogue.js';
import { DLQ_HEADERS, DOSSIER_EVENTS_DLQ_TOPIC, DOSSIER_EVENTS_TOPIC, EVENT_HEADERS } from './kafka.js';
import { Source } from './primitives.js';

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const Json: z.ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(Json), z.record(z.string(), Json)]),
);

/** JSON with every object's keys sorted: byte-identical output for identical content. */
export function canonicalJson(value: unknown): string {
  const sort = (node: Json): Json => {
    if (Array.isArray(node)) return node.map(sort);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(
        Object.keys(node)
          .sort()
          .map((key) => [key, sort(node[key] ?? null)]),
      );
    }
    return node;
  };
  return `${JSON.stringify(sort(Json.parse(value)), null, 2)}\n`;
}

function toJson(schema: DossierEventSchema, target: 'draft-2020-12' | 'draft-7'): Json {
  // io 'input' leaves out `additionalProperties: false`: readers must tolerate fields added later.
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target, io: 'input' });
  return Json.parse(rest);
}

const info = (schema: DossierEventSchema) => ({
  type: schema.shape.type.value,
  schemaVersion: schema.shape.schemaVersion.value,
  source: schema.shape.source.value,
  description: z.globalRegistry.get(schema)?.description ?? '',
});

export function eventsJsonSchema(): Json {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `urn:onestop:schema:${DOSSIER_EVENTS_TOPIC}`,
    title: 'DossierEvent',
    description:
      `Every event on ${DOSSIER_EVENTS_TOPIC}, current schema versions. Older stored versions are upcast ` +
      'on read. Generated from packages/domain/src/events; do not edit.',
    oneOf: DOSSIER_EVENT_SCHEMAS.map((schema) => ({ $ref: `#/$defs/${info(schema).type}` })),
    $defs: Object.fromEntries(
      DOSSIER_EVENT_SCHEMAS.map((schema) => [info(schema).type, toJson(schema, 'draft-2020-12')]),
    ),
  };
}

const kafkaBindingVersion = '0.5.0';

const topicBinding = (topic: string) => ({
  kafka: {
    topic,
    // Full history is the source for rebuilding read models: infinite retention, no compaction.
    topicConfiguration: { 'cleanup.policy': ['delete'], 'retention.ms': -1 },
    bindingVersion: kafkaBindingVersion,
  },
});

const eventHeaderProperties = {
  [EVENT_HEADERS.eventId]: { type: 'string', format: 'uuid', description: 'the eventId (UUIDv7)' },
  [EVENT_HEADERS.eventType]: { type: 'string', description: 'the event type' },
  [EVENT_HEADERS.schemaVersion]: { type: 'string', pattern: '^[1-9][0-9]*$', description: 'schemaVersion' },
  [EVENT_HEADERS.source]: { type: 'string', enum: [...Source.options], description: 'the writing service' },
};

export function asyncApiDocument(): Json {
  const types = DOSSIER_EVENT_SCHEMAS.map((schema) => info(schema).type);
  const channelMessageRefs = (channel: string, names: readonly string[]) =>
    names.map((name) => ({ $ref: `#/channels/${channel}/messages/${name}` }));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'onestop dossier events',
      version: '1.0.0',
      description:
        'Domain events of the one-stop services. Each service appends to its own streams and a relay publishes ' +
        'committed events; per-dossier order holds because the key is the dossierId. No personal data: ' +
        'applicants appear only as a pseudonymous applicantId. Generated from packages/domain; do not edit.',
    },
    defaultContentType: 'application/json',
    channels: {
      dossierEvents: {
        address: DOSSIER_EVENTS_TOPIC,
        title: 'Dossier events',
        messages: Object.fromEntries(types.map((type) => [type, { $ref: `#/components/messages/${type}` }])),
        bindings: topicBinding(DOSSIER_EVENTS_TOPIC),
      },
      dossierEventsDlq: {
        address: DOSSIER_EVENTS_DLQ_TOPIC,
        title: 'Dead letters of dossier events',
        description: 'Messages a consumer could not handle, unchanged, with the error in headers.',
        messages: { DeadLetter: { $ref: '#/components/messages/DeadLetter' } },
        bindings: topicBinding(DOSSIER_EVENTS_DLQ_TOPIC),
      },
    },
    operations: {
      publishDossierEvents: {
        action: 'send',
        summary: "Each service's relay publishes the events its store committed, in commit order.",
        channel: { $ref: '#/channels/dossierEvents' },
        messages: channelMessageRefs('dossierEvents', types),
      },
      consumeDossierEvents: {
        action: 'receive',
        summary: 'The projection and the reactors of other services consume every event.',
        channel: { $ref: '#/channels/dossierEvents' },
        messages: channelMessageRefs('dossierEvents', types),
      },
      publishDeadLetters: {
        action: 'send',
        summary: 'A consumer parks a message it cannot handle.',
        channel: { $ref: '#/channels/dossierEventsDlq' },
        messages: channelMessageRefs('dossierEventsDlq', ['DeadLetter']),
      },
    },
    components: {
      schemas: {
        DossierKey: { type: 'string', format: 'uuid', description: 'the dossierId' },
        ...Object.fromEntries(DOSSIER_EVENT_SCHEMAS.map((s) => [info(s).type, toJson(s, 'draft-7')])),
      },
      messages: {
        ...Object.fromEntries(
          DOSSIER_EVENT_SCHEMAS.map((schema) => {
            const { type, schemaVersion, source, description } = info(schema);
            return [
              type,
              {
                name: type,
                title: type,
                summary: description,
                headers: {
                  type: 'object',
                  required: Object.values(EVENT_HEADERS),
                  properties: {
                    ...eventHeaderProperties,
                    [EVENT_HEADERS.eventType]: { type: 'string', const: type },
                    [EVENT_HEADERS.schemaVersion]: { type: 'string', const: String(schemaVersion) },
                    [EVENT_HEADERS.source]: { type: 'string', const: source },
                  },
                },
                payload: { $ref: `#/components/schemas/${type}` },
                correlationId: { location: '$message.payload#/correlationId' },
                bindings: {
                  kafka: {
                    key: { $ref: '#/components/schemas/DossierKey' },
                    bindingVersion: kafkaBindingVersion,
                  },
                },
              },
            ];
          }),
        ),
        DeadLetter: {
          name: 'DeadLetter',
          title: 'Dead letter',
          summary: 'The original key, value and headers, plus why the consumer failed.',
          contentType: 'application/octet-stream',
          headers: {
            type: 'object',
            required: [DLQ_HEADERS.errorCode, DLQ_HEADERS.errorMessage, DLQ_HEADERS.originalTopic],
            properties: {
              ...eventHeaderProperties,
              [DLQ_HEADERS.errorCode]: {
                type: 'string',
                description: 'stable error code, e.g. DOM_INVALID_EVENT',
              },
              [DLQ_HEADERS.errorMessage]: { type: 'string' },
              [DLQ_HEADERS.originalTopic]: { type: 'string' },
              [DLQ_HEADERS.originalPartition]: { type: 'string', pattern: '^[0-9]+$' },
              [DLQ_HEADERS.originalOffset]: { type: 'string', pattern: '^[0-9]+$' },
            },
          },
          payload: { type: 'string', description: 'the original message value, unchanged (may be invalid)' },
          bindings: {
            kafka: { key: { $ref: '#/components/schemas/DossierKey' }, bindingVersion: kafkaBindingVersion },
          },
        },
      },
    },
  };
}

/** File name (relative to `packages/domain/generated/`) → exact content. */
export function generatedContractFiles(): Record<string, string> {
  return {
    'events.schema.json': canonicalJson(eventsJsonSchema()),
    'asyncapi.json': canonicalJson(asyncApiDocument()),
  };
}

export const GENERATE_COMMAND = 'pnpm --filter @onestop/domain gen';
