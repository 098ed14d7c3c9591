/**
 * What went wrong, in words for a person: `message` says what, `hint` says what to do next.
 * `kind` lets adapters choose an exit code: `gate` is a failed release gate (exit 1); the rest
 * are usage, configuration or infrastructure problems (exit 2).
 */
export type ErrorKind = 'usage' | 'config' | 'infra' | 'gate';

export class DagshipError extends Error {
  override readonly name = 'DagshipError';

  constructor(
    message: string,
    readonly hint: string,
    readonly kind: ErrorKind = 'infra',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isDagshipError(err: unknown): err is DagshipError {
  return err instanceof DagshipError;
}

/** The short reason of a low-level error (errno code or first line), for messages. */
export function reasonOf(err: unknown): string {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    const message = (err as { message?: unknown }).message;
    const first = typeof message === 'string' ? message.split('\n')[0] : '';
    if (typeof code === 'string' && first && !first.includes(code)) return `${code}: ${first}`;
    if (first) return first;
    if (typeof code === 'string') return code;
  }
  return String(err);
}
