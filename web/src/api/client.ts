// The one way the UI reaches the server: same-origin fetches under /api/v1, answers typed
// from the OpenAPI document (schema.d.ts, generated at build), errors in the API's one shape.
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Target = Schemas['Target'];
export type TargetType = Schemas['TargetType'];
export type TargetProbe = Schemas['TargetProbe'];
export type CatalogItem = Schemas['CatalogItem'];
export type Dataset = Schemas['Dataset'];
export type SeedPrompt = Schemas['SeedPrompt'];
export type Orchestrator = Schemas['Orchestrator'];
export type Execution = Schemas['Execution'];
export type ExecutionResult = Schemas['ExecutionResult'];
export type Message = Schemas['Message'];
export type Score = Schemas['Score'];
export type ApiKey = Schemas['ApiKey'];
export type Identity = Schemas['Identity'];
export type SystemInfo = Schemas['System'];
export type ScorerTest = Schemas['ScorerTest'];
export type ConverterPreview = Schemas['ConverterPreview'];
export type ExecutionStart = Schemas['ExecutionStart'];
export type AuditEvent = Schemas['AuditEvent'];
export type User = Schemas['User'];
export type DatasetImport = Schemas['DatasetImport'];

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

// An error the API answered: its code, message and, when it names one, the field at fault
// (a JSON pointer such as "/converters/0/params/caesar_offset").
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly expected?: string,
  ) {
    super(message);
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

// The browser session (JWT mode): its CSRF token goes with every unsafe request; a 401
// tells the app the session has ended.
let csrfToken: string | undefined;
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}
export const SIGNED_OUT_EVENT = 'redcell:signed-out';

// GET /auth/session (not part of the API document: the browser's own sign-in).
export interface SessionInfo {
  mode: 'local' | 'jwt';
  signed_in: boolean;
  sign_in?: string | null;
  csrf_token?: string;
  expires_at?: string;
  username?: string;
}
// Only paths the API documents: a route the server lacks fails the type check.
export type ApiPath = keyof paths;

// "/api/v1/targets/{id}" with {id: "t1"} -> "/api/v1/targets/t1" (each value escaped).
// Query values are percent-encoded (a space is %20): the server reads "+" as a plus sign.
export function pathOf(pattern: ApiPath, params: Record<string, string> = {}, query: Record<string, string | number | boolean | undefined | null> = {}): string {
  let out: string = pattern;
  for (const [k, v] of Object.entries(params)) out = out.replace(`{${k}}`, encodeURIComponent(v));
  const q: string[] = [];
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') q.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return q.length ? `${out}?${q.join('&')}` : out;
}

export async function api<T>(method: Method, url: string, body?: unknown): Promise<T> {
  return send<T>(method, url, body === undefined ? undefined : JSON.stringify(body), 'application/json');
}

// A file as the request body (the dataset import).
export async function upload<T>(url: string, file: Blob): Promise<T> {
  return send<T>('POST', url, file, 'application/octet-stream');
}

async function send<T>(method: Method, url: string, body: BodyInit | undefined, contentType: string): Promise<T> {
  const init: RequestInit = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  const headers = init.headers as Record<string, string>;
  if (body !== undefined) {
    init.body = body;
    headers['Content-Type'] = contentType;
  }
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch (e) {
    throw new ApiError(0, 'unreachable', `the server did not answer (${String(e)})`);
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, 'bad_response', `the server answered ${res.status} with a body that is not JSON`);
  }
  if (res.status === 401 && !url.startsWith('/auth/')) window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: { field?: string; expected?: string } } } | null)?.error;
    throw new ApiError(res.status, err?.code ?? 'http_' + res.status, err?.message ?? `the server answered ${res.status}`, err?.details?.field, err?.details?.expected);
  }
  return json as T;
}

export const get = <T>(url: string) => api<T>('GET', url);

// Every page of a list, for the small lists a form offers to choose from (capped).
export async function all<T>(pattern: ApiPath, params: Record<string, string> = {}, cap = 1000): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await get<Page<T>>(pathOf(pattern, params, { limit: 200, cursor }));
    out.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor && out.length < cap);
  return out;
}
