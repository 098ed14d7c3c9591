import { DagshipError, reasonOf } from '../errors.js';

/** The API's own message from an ApiException body (a Status object as JSON text), else the error's. */
function apiMessage(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  try {
    const status = typeof body === 'string' ? (JSON.parse(body) as { message?: string }) : (body as { message?: string } | undefined);
    if (status?.message) return status.message;
  } catch {
    // not JSON: fall through to the error's own message
  }
  return reasonOf(err);
}

export function statusCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Turns a client-node failure into a DagshipError that names the verb and resource, with the fix. */
export function kubeError(err: unknown, verb: string, resource: string, namespace: string): unknown {
  if (err instanceof DagshipError) return err;
  const code = statusCode(err);
  const what = `${verb} ${resource} in namespace '${namespace}'`;
  if (code === 409) return err; // callers re-read and retry conflicts
  if (isTimeout(err)) {
    return new DagshipError(
      `Kubernetes API did not answer to ${what} in time (request deadline)`,
      'the API server accepts connections but does not answer: check its health (kubectl get --raw /readyz) and the network to it',
      'infra',
      { cause: err },
    );
  }
  if (code === 403) {
    return new DagshipError(
      `forbidden: may not ${what} (${apiMessage(err)})`,
      `grant the verb '${verb}' on '${resource}' to this identity: apply deploy/rbac.yaml in '${namespace}' (namespace missing? it must exist first)`,
      'config',
      { cause: err },
    );
  }
  if (code === 401) {
    return new DagshipError(`unauthorized to ${what}: ${apiMessage(err)}`, 'the kubeconfig credentials are missing or expired: refresh them', 'config', { cause: err });
  }
  if (code === 404) {
    return new DagshipError(`not found: ${what}: ${apiMessage(err)}`, 'check --namespace and --release; the object may have been deleted', 'config', { cause: err });
  }
  return new DagshipError(`Kubernetes API failed to ${what}: ${apiMessage(err)}`, 'is the cluster reachable? check the kubeconfig server and context', 'infra', { cause: err });
}

/** A request ended by its deadline (AbortSignal.timeout: node-fetch says AbortError, undici TimeoutError). */
function isTimeout(err: unknown): boolean {
  const name = (err as { name?: unknown; type?: unknown } | undefined)?.name;
  return name === 'AbortError' || name === 'TimeoutError' || (err as { type?: unknown })?.type === 'aborted';
}
