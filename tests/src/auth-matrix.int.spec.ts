/**
 * The auth matrix (DESIGN.md section 5): every command route of the five services, enumerated from their OpenAPI
 * documents, called by every role × unit relation to the dossier × token state. Missing, forged and expired tokens
 * are 401; a valid token is refused (403) or allowed as `routeSpecs` says. "Allowed" is any 2xx, or 409/422 when
 * the dossier's state forbids the command: the caller got past auth. Nothing may answer 5xx.
 */
import { roles } from '@onestop/service-kit';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Access,
  documentedRoutes,
  ErrorBody,
  fixtureDossier,
  mayCall,
  requestFor,
  routeSpecs,
  type ServiceRoute,
  unitFor,
  unitRelations,
} from './support/routes.js';
import { type Stack, startStack, tokenFor, tokenStates } from './support/stack.js';

const schema = useTestSchema('acc_auth');
let stack: Stack | undefined;
let commands: ServiceRoute[] = [];

const allowedStatuses = new Set([200, 201, 204, 409, 422]);

interface Tally {
  allowed: number;
  refused: number;
}
/** route key → role → counts, for the summary. */
const tallies = new Map<string, Map<string, Tally>>();

function current(): Stack {
  if (stack === undefined) throw new Error('the stack is not started');
  return stack;
}

beforeAll(async () => {
  stack = await startStack(schema.current);
  commands = (await documentedRoutes(stack)).filter((r) => r.route.method !== 'GET');
});

afterAll(async () => {
  printSummary();
  await stack?.close();
});

function printSummary(): void {
  const width = Math.max(...[...tallies.keys()].map((k) => k.length), 5);
  const header = `${'route'.padEnd(width)}  ${roles.map((r) => r.padStart(11)).join('')}   (allowed/refused of 12 calls: 3 units × 4 token states)`;
  const lines = [...tallies].map(
    ([key, byRole]) =>
      `${key.padEnd(width)}  ${roles
        .map((role) => {
          const t = byRole.get(role) ?? { allowed: 0, refused: 0 };
          return `${t.allowed}/${t.refused}`.padStart(11);
        })
        .join('')}`,
  );
  const total = [...tallies.values()].flatMap((m) => [...m.values()]);
  const allowed = total.reduce((n, t) => n + t.allowed, 0);
  const refused = total.reduce((n, t) => n + t.refused, 0);
  console.log(
    [
      `auth matrix: ${tallies.size} command routes, ${allowed + refused} calls, ${allowed} allowed, ${refused} refused`,
      header,
      ...lines,
    ].join('\n'),
  );
}

describe('auth matrix over every command route', () => {
  it('given the five services, when their OpenAPI documents are read, then every command route has an access rule and no rule is stale', () => {
    expect(commands.length).toBeGreaterThan(0);
    const withoutRule = commands
      .filter(({ route }) => routeSpecs[route.key]?.access === undefined)
      .map(({ service, route }) => `${service}: ${route.key}`);
    expect(withoutRule, 'command routes missing from routeSpecs (add an access rule)').toEqual([]);
    const documented = new Set(commands.map(({ route }) => route.key));
    const stale = Object.entries(routeSpecs)
      .filter(([key, spec]) => spec.access !== undefined && !documented.has(key))
      .map(([key]) => key);
    expect(stale, 'access rules for routes no service documents').toEqual([]);
    const misplaced = commands
      .filter(({ service, route }) => routeSpecs[route.key]?.service !== service)
      .map(({ service, route }) => `${route.key} is served by ${service}`);
    expect(misplaced).toEqual([]);
  });

  it('given the deviations from the section 5 rules, then each is named with its reason', () => {
    const deviations = Object.entries(routeSpecs).flatMap(([key, spec]) =>
      spec.access?.rule === 'any-clerk' ? [`${key}: ${spec.access.deviation}`] : [],
    );
    if (deviations.length > 0) console.log(`recorded deviations:\n${deviations.join('\n')}`);
    for (const deviation of deviations) expect(deviation).toMatch(/: .{20,}/);
  });

  it.each(Object.keys(routeSpecs).filter((key) => routeSpecs[key]?.access !== undefined))(
    'given a real dossier, when every role × unit × token state calls %s, then it is allowed or refused as specified',
    async (key) => {
      const s = current();
      const served = commands.find(({ route }) => route.key === key);
      const spec = routeSpecs[key];
      if (served === undefined || spec?.access === undefined) {
        throw new Error(`${key} is not a documented command route (see the first test)`);
      }
      const access: Access = spec.access;
      const dossier = await fixtureDossier(s, spec.fixture);
      const byRole = new Map<string, Tally>();
      tallies.set(key, byRole);
      const mismatches: string[] = [];

      for (const role of roles) {
        const tally: Tally = { allowed: 0, refused: 0 };
        byRole.set(role, tally);
        for (const relation of unitRelations) {
          const unitId = unitFor(access, relation);
          for (const state of tokenStates) {
            const bearer = await tokenFor({ role, ...(unitId === undefined ? {} : { unitId }) }, state);
            const response = await s.send(
              spec.service,
              requestFor(served.route, spec.input(dossier)),
              bearer,
            );
            const status = response.statusCode;
            const cell = `${role} of ${relation} unit (${unitId ?? '-'}), ${state} token`;
            const expected = state !== 'valid' ? 401 : mayCall(access, role, relation) ? 'allowed' : 403;
            const wasAllowed = allowedStatuses.has(status);
            if (wasAllowed) tally.allowed += 1;
            else tally.refused += 1;

            if (status >= 500) {
              mismatches.push(`${cell}: ${status} (server error) ${response.body}`);
            } else if (expected === 'allowed') {
              if (!wasAllowed) mismatches.push(`${cell}: expected allowed, got ${status} ${response.body}`);
            } else if (status !== expected) {
              mismatches.push(`${cell}: expected ${expected}, got ${status} ${response.body}`);
            } else {
              const body = ErrorBody.safeParse(response.json());
              const code = body.success ? body.data.code : undefined;
              const codes =
                expected === 401 ? ['AUTH_UNAUTHENTICATED'] : ['AUTH_FORBIDDEN', 'AUTH_UNIT_FORBIDDEN'];
              if (code === undefined || !codes.includes(code)) {
                mismatches.push(
                  `${cell}: ${status} with body ${response.body}, expected code ${codes.join(' or ')}`,
                );
              }
            }
          }
        }
      }
      expect(mismatches, `${key}: cells that disagree with the rule "${access.rule}"`).toEqual([]);
      // Each cell was counted once: 5 roles × 3 unit relations × 4 token states.
      const counted = [...byRole.values()].reduce((n, t) => n + t.allowed + t.refused, 0);
      expect(counted).toBe(roles.length * unitRelations.length * tokenStates.length);
    },
  );
});
