/**
 * The secrets of one run (Variables, Connections), registered once where they are read and masked at
 * every output: terminal, report files, annotations, job summary. A secret travels in more than one
 * form (a URI holds its password URL-encoded, a traceback its repr, basic auth its base64), so each
 * form is masked.
 */
import { mask } from './text.js';

/** Shorter values are not masked: masking "1" or "db" would garble every line (the checker agrees). */
export const MIN_SECRET_LENGTH = 3;
/**
 * Connection fields that are not secret: masking them at every output would garble file paths and
 * reports ("etl" in dags/etl.py). The checker still masks login, host and schema in what DAGs print.
 */
const NOT_SECRET = new Set(['conn_type', 'port', 'description', 'login', 'host', 'schema']);

const known = new Set<string>();
const listeners = new Set<(form: string) => void>();

/** Called for every new form, e.g. to tell the GitHub runner `::add-mask::` it. */
export function onSecret(listener: (form: string) => void): void {
  listeners.add(listener);
}

/** Masks `value` and every form it takes from now on. */
export function registerSecret(value: string): void {
  for (const form of secretForms(value)) {
    if (form.length < MIN_SECRET_LENGTH || known.has(form)) continue;
    known.add(form);
    for (const listener of listeners) listener(form);
  }
}

/** Every string of a Variables or Connections export (`airflow … export` JSON), URIs taken apart. */
export function registerLookups(exported: unknown): void {
  for (const value of stringsOf(exported)) registerSecret(value);
}

/** `text` with every registered secret, and the password of any URI, replaced by ***. */
export function redact(text: string): string {
  return maskUriPasswords(
    mask(
      text,
      [...known].sort((a, b) => b.length - a.length),
    ),
  );
}

/** Every string inside a JSON value redacted (a checker result, a report). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  return value;
}

/** `scheme://user:pass@host` → `scheme://user:***@host`, for credentials no one registered. */
export function maskUriPasswords(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s/@]+@/gi, '$1***@');
}

/**
 * The forms a value takes on its way out: raw, URL-encoded (JavaScript's and Python's quote /
 * quote_plus, as Airflow's Connection.get_uri writes them), URL-decoded, JSON- and XML-escaped, base64;
 * for a URI, its password in each of those forms and user:password in base64 (basic auth).
 */
export function secretForms(value: string): string[] {
  const forms = new Set(encodings(value));
  const decoded = decode(value);
  if (decoded !== value) for (const form of encodings(decoded)) forms.add(form);
  const uri = uriCredentials(value);
  if (uri) {
    for (const form of [...encodings(uri.password), ...encodings(uri.rawPassword)]) forms.add(form);
    forms.add(base64(`${uri.user}:${uri.password}`));
  }
  return [...forms];
}

function encodings(value: string): string[] {
  const quoted = pythonQuote(value);
  // quote(value) keeps '/' (its default safe); quote_plus writes a space as '+'.
  return [value, encodeURIComponent(value), quoted, quoted.replaceAll('%2F', '/'), quoted.replaceAll('%20', '+'), JSON.stringify(value).slice(1, -1), xml(value), base64(value)];
}

const xml = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Python's urllib.parse.quote(value, safe=''): encodeURIComponent also leaves !'()* alone. */
function pythonQuote(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const base64 = (value: string) => Buffer.from(value).toString('base64');

function uriCredentials(value: string): { user: string; password: string; rawPassword: string } | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/([^\s:/@]*):([^\s/]*)@[^\s@]*$/i.exec(value.trim());
  if (!match?.[2]) return undefined;
  return { user: decode(match[1]!), password: decode(match[2]), rawPassword: match[2] };
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value, ...jsonStrings(value)];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => (NOT_SECRET.has(k) ? [] : stringsOf(v)));
  return [];
}

/** A string value that is itself JSON (a Variable, a Connection's extra) is also masked field by field. */
function jsonStrings(value: string): string[] {
  if (!/^\s*[[{]/.test(value)) return [];
  try {
    return stringsOf(JSON.parse(value));
  } catch {
    return [];
  }
}
