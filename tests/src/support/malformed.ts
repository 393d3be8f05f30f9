/**
 * Malformed requests generated from a route's OpenAPI schemas: every request field (body properties at any depth,
 * path and query parameters, headers) gets the wrong type, goes missing when required, and is given huge,
 * out-of-range and garbage values; the body as a whole is sent as invalid JSON, empty, an array, a scalar.
 * Each case starts from a valid input, so whatever the service refuses is the one thing that was broken.
 */
import {
  type ApiDocument,
  type DocumentedRoute,
  type JsonSchema,
  objectBranch,
  type Parameter,
  parametersIn,
  bodySchema as requestBodySchema,
} from './openapi.js';
import { type RouteInput, requestFor } from './routes.js';
import type { HttpRequest } from './stack.js';

/**
 * `named`: the field's own schema refuses the value, so the answer is a 400 whose `details.issues[].path` names
 * the field. `refused`: a rule beyond the schema may refuse it (an unknown unit is a 404, an unknown component a
 * 422), so any 4xx will do, but a 400 must still name the field.
 */
export type Strictness = 'named' | 'refused';

export interface MalformedCase {
  /** What was broken, e.g. `body.applicant.fullName: wrong type (number)`. */
  readonly name: string;
  readonly request: HttpRequest;
  /** The field at fault (request path as the services report it: `body.applicant.fullName`); none for the body as a whole being unreadable. */
  readonly field?: string;
  readonly strictness: Strictness;
}

const HUGE = 100_000;
/** NUL, a lone surrogate, a right-to-left override, a noncharacter: nothing a person types. */
const GARBAGE = '\u0000\ud800\u202e\ufffe\u0007';
/** Garbage that survives URL encoding (a lone surrogate cannot be percent-encoded). */
const URL_GARBAGE = '\u0000\u202e\ufffe\u0007';
/** Replaced after JSON.stringify by a raw token JSON cannot otherwise carry (`1e309`, `NaN`). */
const RAW = '__acceptance_raw_token__';

type Json = null | boolean | number | string | readonly Json[] | JsonObject;

function typesOf(schema: JsonSchema): readonly string[] {
  if (schema.type === undefined) {
    if (schema.enum !== undefined) return [...new Set(schema.enum.map((v) => typeof v))];
    if (schema.const !== undefined) return [typeof schema.const];
    return [];
  }
  return typeof schema.type === 'string' ? [schema.type] : schema.type;
}

/** A value of a type the schema does not accept. */
function wrongTypeValue(schema: JsonSchema): { value: Json; label: string } {
  const types = typesOf(schema);
  if (types.includes('string')) return { value: 12345, label: 'number' };
  if (types.includes('number') || types.includes('integer')) return { value: 'twelve', label: 'string' };
  if (types.includes('boolean')) return { value: 'true', label: 'string "true"' };
  if (types.includes('array')) return { value: { not: 'an array' }, label: 'object' };
  return { value: 'not an object', label: 'string' };
}

/** A string of HUGE `x`s breaks the field's own schema (a pattern alone may admit it: base64 does). */
function boundedString(schema: JsonSchema): boolean {
  const shaped = schema.format !== undefined && schema.format !== 'base64';
  return (
    (schema.maxLength !== undefined && schema.maxLength < HUGE) ||
    shaped ||
    schema.enum !== undefined ||
    schema.const !== undefined
  );
}

/** The value is rejected by the field's own schema (so the service must name the field), not only by rules. */
function constrainedString(schema: JsonSchema): boolean {
  return (
    schema.pattern !== undefined ||
    schema.format !== undefined ||
    schema.enum !== undefined ||
    schema.const !== undefined
  );
}

type JsonObject = { readonly [key: string]: Json };

// Array.isArray does not narrow readonly arrays out of a union, so these guards do it.
function isJsonArray(value: Json): value is readonly Json[] {
  return Array.isArray(value);
}

function isJsonObject(value: Json): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function withValue(root: Json, path: readonly (string | number)[], value: Json | undefined): Json {
  const [head, ...rest] = path;
  if (head === undefined) return value ?? null;
  if (isJsonArray(root)) {
    const copy = [...root];
    const index = Number(head);
    if (rest.length === 0 && value === undefined) copy.splice(index, 1);
    else copy[index] = withValue(copy[index] ?? null, rest, value);
    return copy;
  }
  if (isJsonObject(root)) {
    const name = String(head);
    if (rest.length === 0 && value === undefined) {
      return Object.fromEntries(Object.entries(root).filter(([k]) => k !== name));
    }
    return { ...root, [name]: withValue(root[name] ?? null, rest, value) };
  }
  return root;
}

interface Field {
  readonly path: readonly (string | number)[];
  readonly schema: JsonSchema;
  readonly required: boolean;
}

/**
 * The object alternative of a union that the valid value takes: the first whose constant properties (a
 * discriminator like `kind: 'unit'`) all match the value; the first object alternative when none has constants.
 * Breaking the fields of another alternative would only test the union's choice, not the field.
 */
function branchFor(api: ApiDocument, schema: JsonSchema, value: Json | undefined): JsonSchema {
  const resolved = api.resolve(schema);
  const alternatives = resolved.anyOf ?? resolved.oneOf;
  if (alternatives === undefined || value === undefined || !isJsonObject(value))
    return objectBranch(api, schema);
  const objects = alternatives
    .map(api.resolve)
    .filter((s) => s.type === 'object' || s.properties !== undefined);
  const taken = objects.find((s) =>
    Object.entries(s.properties ?? {}).every(([name, property]) => {
      const constant = api.resolve(property).const;
      return constant === undefined || value[name] === constant;
    }),
  );
  return taken ?? objectBranch(api, schema);
}

/** Every property of the body at any depth (arrays through their first element, when the valid body has one). */
function fieldsOf(api: ApiDocument, schema: JsonSchema, value: Json, path: (string | number)[]): Field[] {
  const object = branchFor(api, schema, value);
  const fields: Field[] = [];
  if (object.properties !== undefined && isJsonObject(value)) {
    for (const [name, property] of Object.entries(object.properties)) {
      const child = value[name];
      const resolved = branchFor(api, property, child);
      const fieldPath = [...path, name];
      fields.push({ path: fieldPath, schema: resolved, required: object.required?.includes(name) ?? false });
      if (child !== undefined) fields.push(...fieldsOf(api, property, child, fieldPath));
    }
  }
  if (object.items !== undefined && isJsonArray(value) && value.length > 0) {
    const first: Json = value[0] ?? null;
    fields.push(...fieldsOf(api, object.items, first, [...path, 0]));
  }
  return fields;
}

const jsonHeaders = { 'content-type': 'application/json' };

function bodyCases(
  api: ApiDocument,
  route: DocumentedRoute,
  fresh: () => RouteInput,
  schema: JsonSchema,
): MalformedCase[] {
  const cases: MalformedCase[] = [];
  const base = (): { input: RouteInput; body: Json; request: HttpRequest } => {
    const input = fresh();
    const request = requestFor(route, input);
    return { input, body: JSON.parse(JSON.stringify(input.body ?? {})), request };
  };
  const send = (
    name: string,
    payload: unknown,
    field: string | undefined,
    strictness: Strictness = 'named',
    raw = false,
  ): void => {
    const { request } = base();
    const headers = { ...request.headers, ...(raw ? jsonHeaders : {}) };
    cases.push({
      name,
      request: { ...request, headers, payload },
      ...(field === undefined ? {} : { field }),
      strictness,
    });
  };

  send('invalid JSON', '{"truncated": ', undefined, 'refused', true);
  const { request: emptyRequest } = base();
  cases.push({
    name: 'empty body (content-type JSON)',
    request: {
      method: emptyRequest.method,
      url: emptyRequest.url,
      headers: { ...emptyRequest.headers, ...jsonHeaders },
    },
    strictness: 'refused',
  });
  send('array instead of an object', [base().body], 'body');
  send('string instead of an object', JSON.stringify('just text'), 'body', 'named', true);
  send('number instead of an object', '42', 'body', 'named', true);
  const required = objectBranch(api, schema).required ?? [];
  if (required.length > 0) send('empty object', {}, `body.${required[0]}`);

  for (const field of fieldsOf(api, schema, base().body, [])) {
    const at = `body.${field.path.join('.')}`;
    const mutate = (name: string, value: Json | undefined, strictness: Strictness) =>
      send(`${at}: ${name}`, withValue(base().body, field.path, value), at, strictness);
    if (field.required) mutate('missing', undefined, 'named');
    const wrong = wrongTypeValue(field.schema);
    mutate(`wrong type (${wrong.label})`, wrong.value, 'named');
    const types = typesOf(field.schema);
    if (types.includes('string')) {
      mutate(
        `huge string (${HUGE} chars)`,
        'x'.repeat(HUGE),
        boundedString(field.schema) ? 'named' : 'refused',
      );
      mutate('unicode garbage', GARBAGE, constrainedString(field.schema) ? 'named' : 'refused');
      if (field.schema.enum !== undefined) mutate('not one of the enum', 'definitely-not-allowed', 'named');
    }
    if (types.includes('number') || types.includes('integer')) {
      const nonNegative =
        (field.schema.minimum !== undefined && field.schema.minimum >= 0) ||
        (field.schema.exclusiveMinimum !== undefined && field.schema.exclusiveMinimum >= 0) ||
        field.schema.enum !== undefined;
      if (nonNegative) mutate('negative', -1, 'named');
      if (types.includes('integer') || field.schema.enum !== undefined) mutate('fraction', 1.5, 'named');
      const infinite = JSON.stringify(withValue(base().body, field.path, RAW)).replace(`"${RAW}"`, '1e309');
      send(`${at}: 1e309 (Infinity)`, infinite, at, 'named', true);
      const nan = JSON.stringify(withValue(base().body, field.path, RAW)).replace(`"${RAW}"`, 'NaN');
      send(`${at}: NaN literal (invalid JSON)`, nan, undefined, 'refused', true);
    }
  }
  return cases;
}

function parameterCases(
  route: DocumentedRoute,
  fresh: () => RouteInput,
  place: 'path' | 'query' | 'header',
  parameters: readonly Parameter[],
): MalformedCase[] {
  const context = { path: 'params', query: 'querystring', header: 'headers' }[place];
  const key = { path: 'params', query: 'query', header: 'headers' } as const;
  const cases: MalformedCase[] = [];
  for (const parameter of parameters) {
    const at = `${context}.${parameter.name}`;
    const schema = parameter.schema ?? {};
    const types = typesOf(schema);
    const variant = (name: string, value: string | undefined, strictness: Strictness) => {
      const input = fresh();
      const others = Object.entries(input[key[place]] ?? {}).filter(([k]) => k !== parameter.name);
      const current = Object.fromEntries(value === undefined ? others : [...others, [parameter.name, value]]);
      cases.push({
        name: `${at}: ${name}`,
        request: requestFor(route, { ...input, [key[place]]: current }),
        field: at,
        strictness,
      });
    };
    const constrained =
      constrainedString(schema) || types.some((t) => t === 'number' || t === 'integer' || t === 'boolean');
    const ifConstrained = (yes: boolean): Strictness => (yes ? 'named' : 'refused');
    if (place !== 'path' && parameter.required === true) variant('missing', undefined, 'named');
    if (place === 'path') {
      variant('not a valid id', 'not-a-uuid', ifConstrained(constrained));
      // A truncated percent-escape cannot be decoded at all: the router refuses it before any schema runs.
      const input = fresh();
      const marker = 'acceptance-undecodable-marker';
      const request = requestFor(route, { ...input, params: { ...input.params, [parameter.name]: marker } });
      cases.push({
        name: `${at}: undecodable percent-escape`,
        request: { ...request, url: request.url.replace(marker, '%E0%A4%A') },
        strictness: 'refused',
      });
    }
    if (place !== 'header') variant('unicode garbage', URL_GARBAGE, ifConstrained(constrained));
    const huge = place === 'header' ? 4000 : 2000;
    variant(
      `huge (${huge} chars)`,
      'k'.repeat(huge),
      ifConstrained(constrained || schema.maxLength !== undefined),
    );
    if (place === 'header' && schema.pattern !== undefined)
      variant('outside its pattern', 'has spaces / and ü', 'named');
    if (types.includes('number') || types.includes('integer')) {
      variant('NaN', 'NaN', 'named');
      variant('negative', '-5', ifConstrained(schema.minimum !== undefined && schema.minimum >= 0));
      variant('1e309', '1e309', 'named');
    }
    if (schema.enum !== undefined) variant('not one of the enum', 'maybe', 'named');
  }
  return cases;
}

/** Every malformed variant of a route's input, from its OpenAPI schemas and a valid input. */
export function malformedCases(
  api: ApiDocument,
  route: DocumentedRoute,
  fresh: () => RouteInput,
): MalformedCase[] {
  const body = requestBodySchema(api, route.operation);
  return [
    ...(body === undefined ? [] : bodyCases(api, route, fresh, body)),
    ...parameterCases(route, fresh, 'path', parametersIn(route.operation, 'path')),
    ...parameterCases(route, fresh, 'query', parametersIn(route.operation, 'query')),
    ...parameterCases(route, fresh, 'header', parametersIn(route.operation, 'header')),
  ];
}

/** Whether a route takes any input a client can get wrong. */
export function takesInput(api: ApiDocument, route: DocumentedRoute): boolean {
  return (
    requestBodySchema(api, route.operation) !== undefined || (route.operation.parameters ?? []).length > 0
  );
}
