/**
 * The malformed-input sweep: every route of the five services that takes a body, path, query or header input
 * (enumerated from `/docs/json`, public routes included) gets malformed variants generated from its schemas (support/malformed.ts), sent
 * by an admin on a real dossier so auth never hides the answer. Each must be a 4xx — never a 5xx — with the body
 * `{ code, message, details? }`, and where a field is at fault a 400 whose `details.issues[].path` names it.
 */
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MalformedCase, malformedCases, takesInput } from './support/malformed.js';
import {
  documentedRoutes,
  ErrorBody,
  fixtureDossier,
  routeSpecs,
  type ServiceRoute,
  ValidationDetails,
} from './support/routes.js';
import { type InjectResponse, type Stack, startStack, tokenFor } from './support/stack.js';

const schema = useTestSchema('acc_malformed');
let stack: Stack | undefined;
let withInput: ServiceRoute[] = [];
const counts = new Map<string, number>();

function current(): Stack {
  if (stack === undefined) throw new Error('the stack is not started');
  return stack;
}

beforeAll(async () => {
  stack = await startStack(schema.current);
  // Public routes too: a citizen's malformed input must never be a 5xx either.
  withInput = (await documentedRoutes(stack, { withPublic: true })).filter(({ api, route }) =>
    takesInput(api, route),
  );
});

afterAll(async () => {
  const width = Math.max(...[...counts.keys()].map((k) => k.length), 5);
  const total = [...counts.values()].reduce((n, c) => n + c, 0);
  console.log(
    [
      `malformed sweep: ${counts.size} routes, ${total} cases`,
      ...[...counts].map(([key, n]) => `${key.padEnd(width)}  ${String(n).padStart(4)}`),
    ].join('\n'),
  );
  await stack?.close();
});

function shorten(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

/** What is wrong with the answer to one malformed case, or undefined when it is right. */
function judge(response: InjectResponse, c: MalformedCase): string | undefined {
  const status = response.statusCode;
  if (status >= 500) return `server error ${status}`;
  if (status < 400) return `accepted with ${status}`;
  let json: unknown;
  try {
    json = response.json();
  } catch {
    return `${status} with a body that is not JSON`;
  }
  const body = ErrorBody.safeParse(json);
  if (!body.success) return `${status} with a body that is not { code, message, details? }`;
  const { field } = c;
  if (field === undefined) return undefined;
  // A path parameter too long for the router makes the whole URL too long: 414 is the precise answer.
  if (status === 414 && body.data.code === 'HTTP_URI_TOO_LONG' && field.startsWith('params.'))
    return undefined;
  if (status !== 400) {
    return c.strictness === 'named'
      ? `expected 400 naming ${field}, got ${status} ${body.data.code}`
      : undefined;
  }
  const details = ValidationDetails.safeParse(body.data.details);
  if (!details.success) return `400 ${body.data.code} without details.issues naming ${field}`;
  const paths = details.data.issues.map((i) => i.path);
  const named = paths.some((p) => p === field || p.startsWith(`${field}.`));
  return named ? undefined : `400 naming ${paths.join(', ')} instead of ${field}`;
}

describe('malformed input on every route', () => {
  it('given the five services, when their OpenAPI documents are read, then every route that takes input has a valid input to start from', () => {
    expect(withInput.length).toBeGreaterThan(0);
    const missing = withInput
      .filter(({ route }) => routeSpecs[route.key] === undefined)
      .map(({ service, route }) => `${service}: ${route.key}`);
    expect(missing, 'routes missing from routeSpecs (add a valid input)').toEqual([]);
  });

  it.each(Object.keys(routeSpecs))(
    'given a valid input for %s, when each field is broken in turn, then the answer is a 4xx in the error shape naming the field',
    async (key) => {
      const s = current();
      const spec = routeSpecs[key];
      const served = withInput.find(({ route }) => route.key === key);
      if (spec === undefined || served === undefined)
        throw new Error(`${key} is not a documented route with input`);
      const dossier = await fixtureDossier(s, spec.fixture);
      const cases = malformedCases(served.api, served.route, () => spec.input(dossier));
      counts.set(key, cases.length);
      expect(cases.length).toBeGreaterThan(0);
      const admin = await tokenFor({ role: 'admin' }, 'valid');
      const failures: string[] = [];
      for (const c of cases) {
        const response = await s.send(spec.service, c.request, admin);
        const problem = judge(response, c);
        if (problem !== undefined) {
          const sent =
            typeof c.request.payload === 'string' ? c.request.payload : JSON.stringify(c.request.payload);
          failures.push(
            `${c.name}: ${problem}\n    request: ${c.request.method} ${shorten(c.request.url, 160)} ${shorten(sent ?? '(no body)', 200)}\n    response: ${shorten(response.body)}`,
          );
        }
      }
      expect(failures, `${key}: ${failures.length} of ${cases.length} malformed inputs mishandled`).toEqual(
        [],
      );
    },
  );
});
