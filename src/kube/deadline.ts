/** How long one API request may take; deploy shortens it as its own deadline nears. */
export interface RequestDeadline {
  requestTimeoutMs(): number;
}

/** The longest any one Kubernetes API request may take. Here, not in cluster.ts, so that the command table
 * (which imports PhaseDeadline) does not load the Kubernetes client at start-up. */
export const REQUEST_TIMEOUT_MS = 15_000;

/** No request is given less than this, so a call made at the very end of a phase can still be answered. */
const MIN_REQUEST_MS = 1_000;

/**
 * The end of the phase a deploy is in (rolling out, reporting, putting back): every API request made
 * meanwhile gets at most what is left of it, so a server that stops answering cannot stretch a phase.
 */
export class PhaseDeadline implements RequestDeadline {
  private end = Number.POSITIVE_INFINITY;

  /** The current phase ends `ms` from now. */
  phase(ms: number): this {
    this.end = Date.now() + ms;
    return this;
  }

  remainingMs(): number {
    return Math.max(0, this.end - Date.now());
  }

  requestTimeoutMs(): number {
    return Math.max(MIN_REQUEST_MS, Math.min(REQUEST_TIMEOUT_MS, this.end - Date.now()));
  }
}
