/**
 * Reading a service's OpenAPI document (`/docs/json`): its operations, their parameters and request bodies, and
 * the JSON Schemas behind them with `$ref`s resolved. The acceptance suites enumerate routes from here, so a route
 * added to a service is swept without anyone listing it.
 */
import type { App } from '@onestop/service-kit';
import { z } from 'zod';

export interface JsonSchema {
  readonly $ref?: string | undefined;
  readonly type?: string | readonly string[] | undefined;
  readonly properties?: Readonly<Record<string, JsonSchema>> | undefined;
  readonly required?: readonly string[] | undefined;
  readonly items?: JsonSchema | undefined;
  readonly anyOf?: readonly JsonSchema[] | undefined;
  readonly oneOf?: readonly JsonSchema[] | undefined;
  readonly allOf?: readonly JsonSchema[] | undefined;
  readonly enum?: readonly unknown[] | undefined;
  readonly const?: unknown;
  readonly format?: string | undefined;
  readonly pattern?: string | undefined;
  readonly minLength?: number | undefined;
  readonly maxLength?: number | undefined;
  readonly minimum?: number | undefined;
  readonly exclusiveMinimum?: number | undefined;
  readonly maximum?: number | undefined;
  readonly default?: unknown;
}

export const JsonSchema: z.ZodType<JsonSchema> = z.lazy(() =>
  z.looseObject({
    $ref: z.string().optional(),
    type: z.union([z.string(), z.array(z.string())]).optional(),
    properties: z.record(z.string(), JsonSchema).optional(),
    required: z.array(z.string()).optional(),
    items: JsonSchema.optional(),
    anyOf: z.array(JsonSchema).optional(),
    oneOf: z.array(JsonSchema).optional(),
    allOf: z.array(JsonSchema).optional(),
    enum: z.array(z.unknown()).optional(),
    const: z.unknown().optional(),
    format: z.string().optional(),
    pattern: z.string().optional(),
    minLength: z.number().optional(),
    maxLength: z.number().optional(),
    minimum: z.number().optional(),
    exclusiveMinimum: z.number().optional(),
    maximum: z.number().optional(),
    default: z.unknown().optional(),
  }),
);

const Parameter = z.looseObject({
  in: z.enum(['path', 'query', 'header', 'cookie']),
  name: z.string(),
  required: z.boolean().optional(),
  schema: JsonSchema.optional(),
});
export type Parameter = z.infer<typeof Parameter>;

const MediaType = z.looseObject({ schema: JsonSchema.optional() });

const Response = z.looseObject({
  description: z.string().optional(),
  content: z.record(z.string(), MediaType).optional(),
});
export type Response = z.infer<typeof Response>;

const Operation = z.looseObject({
  summary: z.string().optional(),
  description: z.string().optional(),
  parameters: z.array(Parameter).optional(),
  requestBody: z
    .looseObject({ required: z.boolean().optional(), content: z.record(z.string(), MediaType) })
    .optional(),
  responses: z.record(z.string(), Response).optional(),
  security: z.array(z.record(z.string(), z.array(z.string()))).optional(),
});
export type Operation = z.infer<typeof Operation>;

const Document = z.looseObject({
  openapi: z.string(),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.looseObject({ schemas: z.record(z.string(), JsonSchema).optional() }).optional(),
});

export const httpMethods = ['get', 'post', 'put', 'patch', 'delete'] as const;
export const HttpMethod = z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
export type HttpMethod = z.infer<typeof HttpMethod>;

export interface DocumentedRoute {
  /** `POST /v1/intake/dossiers/{id}/transfer`: the key the suites' tables use. */
  readonly key: string;
  readonly method: HttpMethod;
  /** The OpenAPI path, with `{name}` placeholders. */
  readonly path: string;
  readonly operation: Operation;
  /** True when the operation needs no bearer token (`security: []`). */
  readonly public: boolean;
}

export interface ApiDocument {
  readonly routes: readonly DocumentedRoute[];
  readonly schemas: Readonly<Record<string, JsonSchema>>;
  /** Follows `$ref`s (to `#/components/schemas/...`) until a schema that is not a reference. */
  resolve(schema: JsonSchema): JsonSchema;
}

export async function readApiDocument(app: App): Promise<ApiDocument> {
  const response = await app.inject({ method: 'GET', url: '/docs/json' });
  if (response.statusCode !== 200) throw new Error(`/docs/json answered ${response.statusCode}`);
  const document = Document.parse(response.json());
  const schemas = document.components?.schemas ?? {};
  const routes: DocumentedRoute[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of httpMethods) {
      if (item[method] === undefined) continue;
      const operation = Operation.parse(item[method]);
      const upper = HttpMethod.parse(method.toUpperCase());
      routes.push({
        key: `${upper} ${path}`,
        method: upper,
        path,
        operation,
        public: operation.security !== undefined && operation.security.length === 0,
      });
    }
  }
  const resolve = (schema: JsonSchema): JsonSchema => {
    let current = schema;
    for (let hops = 0; current.$ref !== undefined; hops += 1) {
      const name = /^#\/components\/schemas\/(.+)$/.exec(current.$ref)?.[1];
      const target = name === undefined ? undefined : schemas[name];
      if (target === undefined || hops > 16) throw new Error(`unresolvable $ref ${current.$ref}`);
      current = target;
    }
    return current;
  };
  return { routes, schemas, resolve };
}

/** The JSON request body schema of an operation, unwrapped from `anyOf [object, null]` (nullish bodies). */
export function bodySchema(api: ApiDocument, operation: Operation): JsonSchema | undefined {
  const schema = operation.requestBody?.content['application/json']?.schema;
  if (schema === undefined) return undefined;
  return objectBranch(api, schema);
}

/** The object alternative of a union, or the schema itself. */
export function objectBranch(api: ApiDocument, schema: JsonSchema): JsonSchema {
  const resolved = api.resolve(schema);
  const alternatives = resolved.anyOf ?? resolved.oneOf;
  if (alternatives === undefined) return resolved;
  const object = alternatives.map(api.resolve).find((s) => s.type === 'object' || s.properties !== undefined);
  return object ?? resolved;
}

export function parametersIn(operation: Operation, place: Parameter['in']): Parameter[] {
  return (operation.parameters ?? []).filter((p) => p.in === place);
}

/** `/v1/x/{id}/y` with `{ id: 'abc' }` → `/v1/x/abc/y`; every placeholder must be given. */
export function fillPath(path: string, params: Readonly<Record<string, string>>): string {
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for path parameter ${name} of ${path}`);
    return encodeURIComponent(value);
  });
}
