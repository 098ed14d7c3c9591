import { REPOSITORY_SETTING } from '../config.js';
import { DagshipError, reasonOf } from '../errors.js';

/** What a failed push means for what to do next. */
export type PushFailure = 'disk-full' | 'auth' | 'unknown-host' | 'transient' | 'other';

/**
 * Classifies an engine push error by its text: the engine reports registry failures as messages inside
 * the progress stream, never as codes. Order matters: a full disk can come with a 500.
 */
export function classifyPushError(message: string): PushFailure {
  if (/no space left on device|disk quota exceeded|insufficient storage|\b507\b/i.test(message)) return 'disk-full';
  if (/unauthorized|authentication required|no basic auth credentials|denied|\b40[13]\b/i.test(message)) return 'auth';
  if (/no such host|server misbehaving|ENOTFOUND|EAI_AGAIN|name resolution|Name or service not known/i.test(message)) return 'unknown-host';
  if (
    /connection refused|connection reset|ECONNRESET|ECONNREFUSED|broken pipe|\bEOF\b|i\/o timeout|timeout|TLS handshake|temporarily unavailable|too many requests|\b429\b|\b50[0234]\b|bad gateway|service unavailable|internal server error|socket hang up/i.test(
      message,
    )
  ) {
    return 'transient';
  }
  return 'other';
}

/** The one clear message for each kind of push failure; never with secrets (callers mask). */
export function pushFailure(kind: PushFailure, ref: string, registry: string, err: unknown, attempts: number): DagshipError {
  const reason = reasonOf(err);
  switch (kind) {
    case 'disk-full':
      return new DagshipError(`pushing ${ref} failed: a disk is full (${reason})`, `free space on the registry's storage (or on this machine's Docker data root), then push again`, 'infra', {
        cause: err,
      });
    case 'auth':
      return new DagshipError(
        `the registry ${registry} refused the push of ${ref}: ${reason}`,
        `check the credentials (docker login ${registry}, DAGSHIP_REGISTRY_USERNAME/PASSWORD or --username with --password-stdin) and that the account may push there`,
        'infra',
        { cause: err },
      );
    case 'unknown-host':
      return new DagshipError(`unknown registry host in ${ref}: ${reason}`, `check the registry host in ${REPOSITORY_SETTING} and this machine's DNS`, 'infra', { cause: err });
    case 'transient':
      return new DagshipError(
        `pushing ${ref} failed ${attempts} time(s), the last with: ${reason}`,
        `check that the registry ${registry} is up and reachable, then push again (nothing was reported as pushed)`,
        'infra',
        { cause: err },
      );
    default:
      return new DagshipError(`pushing ${ref} failed: ${reason}`, 'run with --verbose to see the engine progress', 'infra', { cause: err });
  }
}
