import { z } from 'zod';
import { ErrorBody, fieldErrorsOf } from './lib/errors.js';
import { session } from './session.js';

/** The server refused the request: its stable code, message, and the field errors it named. */
export class ApiError extends Error {
  readonly fields: Record<string, string>;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
    this.fields = fieldErrorsOf(details);
  }
}

/** The server could not be reached (offline, restarting): the screen offers a retry. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('network', { cause });
    this.name = 'NetworkError';
  }
}

function authHeaders(): Record<string, string> {
  const current = session.get();
  return current === undefined ? {} : { authorization: `Bearer ${current.token}` };
}

async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = ErrorBody.safeParse(json);
  if (parsed.success)
    return new ApiError(response.status, parsed.data.code, parsed.data.message, parsed.data.details);
  return new ApiError(
    response.status,
    `HTTP_${response.status}`,
    text.slice(0, 200) || response.statusText,
    undefined,
  );
}

export interface RequestOptions {
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers: {
        ...authHeaders(),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  } catch (error) {
    throw new NetworkError(error);
  }
  if (response.status === 401) session.expire();
  if (!response.ok) throw await errorOf(response);
  return response;
}

/** Calls the API and parses the answer with `schema` (the UI never trusts an unparsed body). */
export async function request<S extends z.ZodType>(
  schema: S,
  path: string,
  options: RequestOptions = {},
): Promise<z.infer<S>> {
  const response = await send(path, options);
  return schema.parse(await response.json());
}

/** An HTML page of the API (the official receipt), fetched with the user's token. */
export async function requestText(path: string): Promise<string> {
  return (await send(path, {})).text();
}

/** A file of the API (a report download), fetched with the user's token, with the name the server gave it. */
export async function requestFile(path: string): Promise<{ blob: Blob; fileName: string }> {
  const response = await send(path, {});
  const disposition = response.headers.get('content-disposition') ?? '';
  const fileName = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'download';
  return { blob: await response.blob(), fileName };
}

export function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter(
    (entry): entry is [string, string | number] => entry[1] !== undefined && entry[1] !== '',
  );
  return entries.length === 0
    ? ''
    : `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}`;
}

/**
 * Uploads one scanned component as multipart/form-data with upload progress (fetch has none, so this uses
 * XMLHttpRequest). Resolves with the parsed answer; rejects with ApiError or NetworkError like `request`.
 */
export function upload<S extends z.ZodType>(
  schema: S,
  path: string,
  fields: Record<string, string>,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<z.infer<S>> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onerror = () => reject(new NetworkError(new Error('upload failed')));
    xhr.onload = () => {
      const response = new Response(xhr.responseText, { status: xhr.status });
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        response
          .json()
          .then((json) => resolve(schema.parse(json)))
          .catch(reject);
      } else {
        void errorOf(response).then(reject);
      }
    };
    xhr.send(form);
  });
}

const ClockReply = z.object({ now: z.string() });

/**
 * Business "now": the server's test clock when it runs one (`GET /v1/dev/clock`, 404 otherwise), else this
 * device's clock. Only used to pick "today" for lists; every recorded time comes from the server.
 */
export async function businessNow(): Promise<string> {
  try {
    const response = await fetch('/v1/dev/clock');
    if (response.ok) {
      const parsed = ClockReply.safeParse(await response.json());
      if (parsed.success) return parsed.data.now;
    }
  } catch {
    // No server clock to ask: the device's clock will do for choosing a day.
  }
  return new Date().toISOString();
}
