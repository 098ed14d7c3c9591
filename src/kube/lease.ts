import * as k8s from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { DagshipError, reasonOf } from '../errors.js';
import type { Logger } from '../logger.js';
import { stopSignal, throwIfStopped } from '../stop.js';
import type { KubeCluster } from './cluster.js';
import { statusCode } from './errors.js';

export const leaseName = (release: string) => `${release}-dagship`;

/** Renewed every third of this; another holder takes over only after it passed with no renewal seen. */
export const LEASE_SECONDS = 30;

export interface LockRequest {
  namespace: string;
  release: string;
  /** What the holder does, shown to whoever waits: `deploy repo@sha256:…`. */
  purpose: string;
  waitMs: number;
  /** For tests: a shorter renewal period. */
  leaseSeconds?: number;
}

export interface ReleaseLock {
  holder: string;
  /** Set when a renewal found another holder: the lock was lost. */
  lost(): string | undefined;
  release(): Promise<void>;
}

/**
 * One deploy or rollback per release at a time: a coordination.k8s.io Lease, like client-go's leader
 * election. Expiry is judged by the waiter's own clock (how long the Lease went unrenewed while watched),
 * never by comparing the holder's timestamps with ours, so clock skew cannot hand the lock over early.
 */
export async function acquireReleaseLock(cluster: KubeCluster, request: LockRequest, log: Logger): Promise<ReleaseLock> {
  const { namespace } = request;
  const name = leaseName(request.release);
  const seconds = request.leaseSeconds ?? LEASE_SECONDS;
  const holder = `${request.purpose} by ${process.env.GITHUB_ACTOR ? `${process.env.GITHUB_ACTOR} (${process.env.GITHUB_REPOSITORY ?? ''} run ${process.env.GITHUB_RUN_ID ?? '?'})` : `${process.env.USER ?? 'unknown'}@${hostname()} pid ${process.pid}`}`;
  const started = Date.now();
  let seen: { version: string; since: number } | undefined;
  let said = false;
  for (;;) {
    throwIfStopped();
    const current = await cluster.readLease(namespace, name);
    const free = !current?.spec?.holderIdentity;
    const version = current?.metadata?.resourceVersion ?? '';
    if (seen?.version !== version) seen = { version, since: Date.now() };
    const expired = Date.now() - seen.since > (current?.spec?.leaseDurationSeconds ?? seconds) * 1000;
    if (free || expired) {
      if (!free) log.warn(`taking over the release lock from '${current!.spec!.holderIdentity}': not renewed for ${current?.spec?.leaseDurationSeconds ?? seconds}s (its process is gone)`);
      const mine = await tryWrite(cluster, namespace, leaseBody(name, holder, seconds, current));
      if (mine) return held(cluster, namespace, mine, seconds, log);
      continue;
    }
    if (Date.now() - started >= request.waitMs) {
      throw new DagshipError(
        `release '${request.release}' is locked by another deploy or rollback: ${current!.spec!.holderIdentity} (lease ${namespace}/${name}, renewed ${current?.spec?.renewTime ? new Date(current.spec.renewTime).toISOString() : 'never'})`,
        `wait for it to finish and try again, or raise --lock-timeout (now ${Math.round(request.waitMs / 1000)}s); a killed holder's lock is taken over ${seconds}s after its last renewal`,
        'infra',
      );
    }
    if (!said) log.info(`waiting up to ${Math.round(request.waitMs / 1000)}s for the release lock, held by ${current!.spec!.holderIdentity}`);
    said = true;
    await pause(Math.min(1000, seconds * 250));
  }
}

function leaseBody(name: string, holder: string, seconds: number, current: k8s.V1Lease | undefined): k8s.V1Lease {
  const now = new k8s.V1MicroTime();
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, resourceVersion: current?.metadata?.resourceVersion, labels: { 'app.kubernetes.io/managed-by': 'dagship' } },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: seconds,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: (current?.spec?.leaseTransitions ?? 0) + (current ? 1 : 0),
    },
  };
}

/** The written Lease, or undefined when another writer got there first (409 on update, 409 on create). */
async function tryWrite(cluster: KubeCluster, namespace: string, body: k8s.V1Lease): Promise<k8s.V1Lease | undefined> {
  try {
    return await cluster.writeLease(namespace, body);
  } catch (err) {
    if (statusCode(err) === 409) return undefined;
    throw err;
  }
}

function held(cluster: KubeCluster, namespace: string, lease: k8s.V1Lease, seconds: number, log: Logger): ReleaseLock {
  let current = lease;
  let lost: string | undefined;
  let released = false;
  const renew = async () => {
    try {
      current = await cluster.writeLease(namespace, { ...current, spec: { ...current.spec, renewTime: new k8s.V1MicroTime() } });
    } catch (err) {
      if (released) return;
      if (statusCode(err) === 409) {
        const other = await cluster.readLease(namespace, current.metadata!.name!).catch(() => undefined);
        lost = other?.spec?.holderIdentity ?? 'unknown';
        log.warn(`the release lock was taken over by ${lost}`);
        clearInterval(timer);
      } else {
        log.debug(`renewing the release lock failed: ${reasonOf(err)}; trying again`);
      }
    }
  };
  const timer = setInterval(() => void renew(), (seconds * 1000) / 3);
  timer.unref();
  return {
    holder: lease.spec!.holderIdentity!,
    lost: () => lost,
    async release() {
      released = true;
      clearInterval(timer);
      if (lost) return;
      // Freed, not deleted: a waiter sees the holder gone at once, and the verbs stay get/create/update.
      // A renewal still in flight may have moved the version: read again and retry.
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const now = attempt === 0 ? current : await cluster.readLease(namespace, current.metadata!.name!);
          if (!now || now.spec?.holderIdentity !== lease.spec!.holderIdentity) return;
          await cluster.writeLease(namespace, { ...now, spec: { ...now.spec, holderIdentity: undefined, renewTime: undefined, acquireTime: undefined } });
          return;
        } catch (err) {
          if (statusCode(err) === 409) continue;
          log.warn(`could not free the release lock (${reasonOf(err)}): the next deploy takes it over ${seconds}s from now`);
          return;
        }
      }
    },
  };
}

/** A wait that a signal cuts short. */
function pause(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      stopSignal.removeEventListener('abort', done);
      resolve();
    }
    stopSignal.addEventListener('abort', done, { once: true });
  });
}
