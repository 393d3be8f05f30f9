/**
 * The OpenAPI documents against the routes the services really register. The routes are collected with an
 * `onRoute` hook around each service's `register*` function (the same function `buildApp` mounts), so a route
 * that the document leaves out is found. Every route must appear in its service's `/docs/json` with a summary,
 * schemas for what it reads (path, query, body), a success response, the error responses it can give (400 when
 * it takes input, 401 when it needs a token), and every error response in the `{ code, message, details }` shape.
 * Every request body carries at least one example, and each example is accepted by the zod schema the route
 * validates bodies with (the one fastify runs), so the examples in /docs can be sent as they are.
 */
import { type App, buildServer } from '@onestop/service-kit';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ApiDocument, JsonSchema, type Operation, readApiDocument } from './support/openapi.js';
import { SECRET, type ServiceName, type Stack, serviceNames, startStack } from './support/stack.js';

const schema = useTestSchema('acc_openapi');
let stack: Stack | undefined;

interface RegisteredRoute {
  readonly method: string;
  /** The OpenAPI form of the URL: `/v1/x/{id}`. */
  readonly path: string;
  readonly params: readonly string[];
  readonly hasBody: boolean;
  /** The zod schema the route validates its body with (the type provider's validator parses with it). */
  readonly body: z.ZodType | undefined;
  readonly hasQuery: boolean;
  readonly public: boolean;
}

/**
 * Responses that are deliberately not the error shape. A readiness probe answers 503 with the same report as its
 * 200 (which dependency is down), for orchestrators rather than API clients.
 */
const notErrors: ReadonlySet<string> = new Set(['GET /health/ready 503']);

const registered = new Map<ServiceName, RegisteredRoute[]>();
const documents = new Map<ServiceName, ApiDocument>();

/** The routes `register` adds, seen through an onRoute hook on a server without docs. */
async function collectRoutes(register: (app: App) => Promise<void>): Promise<RegisteredRoute[]> {
  const routes: RegisteredRoute[] = [];
  const server = await buildServer({
    name: 'route-collector',
    auth: { mode: 'hs256', secret: SECRET },
    logger: false,
    docs: false,
    routes: async (app) => {
      app.addHook('onRoute', (route) => {
        const schemaOf = route.schema ?? {};
        const methods: readonly string[] = Array.isArray(route.method) ? route.method : [route.method];
        for (const method of methods) {
          // fastify adds a HEAD route for every GET; it is not documented separately.
          if (method === 'HEAD') continue;
          routes.push({
            method,
            path: route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
            params: [...route.url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] ?? ''),
            hasBody: schemaOf.body !== undefined,
            body: schemaOf.body instanceof z.ZodType ? schemaOf.body : undefined,
            hasQuery: schemaOf.querystring !== undefined,
            public: route.config?.public === true,
          });
        }
      });
      await register(app);
    },
  });
  await server.ready();
  await server.close();
  return routes;
}

beforeAll(async () => {
  stack = await startStack(schema.current);
  for (const service of serviceNames) {
    registered.set(service, await collectRoutes(stack.registrars[service]));
    documents.set(service, await readApiDocument(stack.apps[service]));
  }
});

afterAll(async () => {
  const counts = serviceNames.map((s) => `${s} ${registered.get(s)?.length ?? 0}`).join(', ');
  console.log(`openapi check: routes registered per service: ${counts}`);
  await stack?.close();
});

/** Whether a response schema is the error shape: `code` and `message` required strings, `details` allowed. */
function isErrorShape(api: ApiDocument, schema: JsonSchema | undefined): boolean {
  if (schema === undefined) return false;
  const resolved = api.resolve(schema);
  const props = resolved.properties;
  if (props === undefined) return false;
  const code = props.code === undefined ? undefined : api.resolve(props.code);
  const message = props.message === undefined ? undefined : api.resolve(props.message);
  const required = resolved.required ?? [];
  return (
    code?.type === 'string' &&
    message?.type === 'string' &&
    'details' in props &&
    required.includes('code') &&
    required.includes('message')
  );
}

/**
 * The examples of an operation's JSON request body: on the media type (`example`, or `examples` by name, where
 * @fastify/swagger moves top-level examples) and on the body schema itself, through `$ref`s and the branches of
 * unions (a nullable body keeps its examples on the object branch). Examples of single properties are not bodies.
 */
function bodyExamples(api: ApiDocument, operation: Operation): unknown[] {
  const media = MediaExamples.safeParse(operation.requestBody?.content['application/json']);
  if (!media.success) return [];
  const { example, examples: named, schema } = media.data;
  const examples: unknown[] = [];
  if (example !== undefined) examples.push(example);
  examples.push(...Object.values(named ?? {}).map((e) => e.value));
  const seen = new Set<JsonSchema>();
  const visit = (node: JsonSchema): void => {
    if (seen.has(node)) return;
    seen.add(node);
    examples.push(...(SchemaExamples.parse(node).examples ?? []));
    if (node.$ref !== undefined) visit(api.resolve({ $ref: node.$ref }));
    for (const branch of [...(node.anyOf ?? []), ...(node.oneOf ?? []), ...(node.allOf ?? [])]) visit(branch);
  };
  if (schema !== undefined) visit(schema);
  return examples;
}

const MediaExamples = z.looseObject({
  schema: JsonSchema.optional(),
  example: z.unknown().optional(),
  examples: z.record(z.string(), z.looseObject({ value: z.unknown() })).optional(),
});
const SchemaExamples = z.looseObject({ examples: z.array(z.unknown()).optional() });

/** Everything wrong with one operation's documentation. */
function problemsOf(api: ApiDocument, route: RegisteredRoute, operation: Operation): string[] {
  const problems: string[] = [];
  if ((operation.summary ?? '').trim() === '') problems.push('no summary');
  const parameters = operation.parameters ?? [];
  for (const name of route.params) {
    if (!parameters.some((p) => p.in === 'path' && p.name === name && p.schema !== undefined)) {
      problems.push(`path parameter ${name} has no schema`);
    }
  }
  if (route.hasQuery && !parameters.some((p) => p.in === 'query'))
    problems.push('querystring not documented');
  const writes = route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH';
  if (writes && !route.hasBody) problems.push('no body schema (the route accepts any body)');
  if (route.hasBody && operation.requestBody === undefined) problems.push('body schema not documented');

  const responses = operation.responses ?? {};
  const statuses = Object.keys(responses);
  if (!statuses.some((s) => s.startsWith('2'))) problems.push('no success response');
  const takesInput = route.params.length > 0 || route.hasBody || route.hasQuery;
  if (takesInput && responses['400'] === undefined) problems.push('no 400 response');
  if (!route.public && responses['401'] === undefined) problems.push('no 401 response');
  for (const status of statuses.filter((s) => s.startsWith('4') || s.startsWith('5'))) {
    const content = responses[status]?.content ?? {};
    const schemas = Object.values(content).map((m) => m.schema);
    if (schemas.length === 0 || !schemas.every((s) => isErrorShape(api, s))) {
      problems.push(`${status} response is not { code, message, details }`);
    }
  }
  return problems;
}

describe('OpenAPI documents', () => {
  it('given the five services, when their routes are collected, then each service registers routes and serves /docs/json', () => {
    for (const service of serviceNames) {
      expect(registered.get(service)?.length ?? 0, `${service} registers no route`).toBeGreaterThan(0);
      expect(documents.get(service)?.routes.length ?? 0, `${service} documents no route`).toBeGreaterThan(0);
    }
  });

  it.each(serviceNames)(
    'given %s, when its registered routes are looked up in /docs/json, then each is documented with summary, request schemas, success and error responses',
    (service) => {
      const api = documents.get(service);
      const routes = registered.get(service) ?? [];
      if (api === undefined) throw new Error(`no document for ${service}`);
      const problems: string[] = [];
      for (const route of routes) {
        const documented = api.routes.find((r) => r.method === route.method && r.path === route.path);
        if (documented === undefined) {
          problems.push(`${route.method} ${route.path}: not in /docs/json`);
          continue;
        }
        for (const problem of problemsOf(api, route, documented.operation)) {
          problems.push(`${route.method} ${route.path}: ${problem}`);
        }
      }
      console.log(`${service}: ${routes.length} routes checked, ${problems.length} problems`);
      expect(problems, `${service}: OpenAPI problems`).toEqual([]);
    },
  );

  it.each(serviceNames)(
    'given %s, when the request bodies in /docs/json are read, then each has an example that its route accepts',
    (service) => {
      const api = documents.get(service);
      if (api === undefined) throw new Error(`no document for ${service}`);
      const withBody = (registered.get(service) ?? []).filter((route) => route.hasBody);
      const problems: string[] = [];
      let checked = 0;
      for (const route of withBody) {
        const key = `${route.method} ${route.path}`;
        const operation = api.routes.find((r) => r.key === key)?.operation;
        if (operation === undefined || route.body === undefined) {
          problems.push(
            `${key}: ${operation === undefined ? 'not in /docs/json' : 'body is not a zod schema'}`,
          );
          continue;
        }
        const examples = bodyExamples(api, operation);
        if (examples.length === 0) problems.push(`${key}: no request body example`);
        for (const [index, example] of examples.entries()) {
          checked += 1;
          const parsed = route.body.safeParse(example);
          if (!parsed.success) {
            const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
            problems.push(`${key}: example ${index + 1} is refused (${issues})`);
          }
        }
      }
      console.log(`${service}: ${withBody.length} routes with a body, ${checked} examples validated`);
      expect(withBody.length).toBeGreaterThan(0);
      expect(problems, `${service}: request body examples`).toEqual([]);
    },
  );

  it.each(serviceNames)(
    'given %s, when its /docs/json is read, then the error responses of the kit routes (health, metrics) are { code, message, details } too',
    (service) => {
      const api = documents.get(service);
      if (api === undefined) throw new Error(`no document for ${service}`);
      const own = new Set((registered.get(service) ?? []).map((r) => `${r.method} ${r.path}`));
      const kitRoutes = api.routes.filter((route) => !own.has(route.key));
      expect(kitRoutes.length).toBeGreaterThan(0);
      const problems = kitRoutes.flatMap((route) =>
        Object.entries(route.operation.responses ?? {})
          .filter(([status]) => status.startsWith('4') || status.startsWith('5'))
          .filter(([, response]) => {
            const schemas = Object.values(response.content ?? {}).map((m) => m.schema);
            return schemas.length === 0 || !schemas.every((s) => isErrorShape(api, s));
          })
          .map(([status]) => `${route.key} ${status}`)
          .filter((response) => !notErrors.has(response)),
      );
      expect(problems).toEqual([]);
    },
  );
});
