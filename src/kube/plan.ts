import type * as k8s from '@kubernetes/client-node';
import type { Workload } from './cluster.js';
import { workerSettings } from './images.js';
import { repositoryOf } from '../image-reference.js';

export const ANNOTATIONS = {
  previousImage: 'dagship.io/previous-image',
  revision: 'dagship.io/revision',
  deployedAt: 'dagship.io/deployed-at',
  verification: 'dagship.io/verification',
} as const;

export const WORKER_ENV = {
  repository: 'AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_REPOSITORY',
  tag: 'AIRFLOW__KUBERNETES_EXECUTOR__WORKER_CONTAINER_TAG',
} as const;

export interface DeployMeta {
  revision: string;
  now: string;
  /** How the image passed the release gate, or that the gate was skipped (--skip-verify). */
  verification?: string;
}

/** One object's change: what a person reads (`lines`) and the JSON merge patch that makes it. */
export interface ObjectPatch {
  lines: string[];
  previousImage: string;
  patch: object;
}

/** The Airflow image's repositories: those of each workload's main container (named like its component). */
export function airflowRepositories(workloads: Workload[]): Set<string> {
  const repos = new Set<string>();
  for (const w of workloads) {
    const component = w.object.metadata?.labels?.component;
    const main = w.object.spec?.template.spec?.containers.find((c) => c.name === component);
    const repo = main?.image ? repositoryOf(main.image) : undefined;
    if (repo) repos.add(repo);
  }
  return repos;
}

/** Moves every container of `w` that runs an Airflow image (and the worker env) to `target`. */
export function planWorkload(w: Workload, repos: Set<string>, target: string, meta: DeployMeta): ObjectPatch | undefined {
  const spec = w.object.spec?.template.spec;
  if (!spec) return undefined;
  const lines: string[] = [];
  // Init containers first: that is the order they run in, and the order the plan reads best in.
  const initContainers = spec.initContainers?.map((c) => retarget(c, repos, target, lines, 'init container'));
  const containers = spec.containers.map((c) => retarget(c, repos, target, lines, 'container'));
  if (lines.length === 0) return undefined;
  const previousImage = mainImage(w) ?? '';
  return {
    lines,
    previousImage,
    patch: {
      metadata: { resourceVersion: w.object.metadata?.resourceVersion, annotations: annotationsFor(previousImage, meta) },
      spec: { template: { spec: { containers, ...(initContainers ? { initContainers } : {}) } } },
    },
  };
}

export function annotationsFor(previousImage: string, meta: DeployMeta): Record<string, string> {
  return {
    [ANNOTATIONS.previousImage]: previousImage,
    [ANNOTATIONS.revision]: meta.revision,
    [ANNOTATIONS.deployedAt]: meta.now,
    ...(meta.verification ? { [ANNOTATIONS.verification]: meta.verification } : {}),
  };
}

export function mainImage(w: Workload): string | undefined {
  const component = w.object.metadata?.labels?.component;
  const containers = w.object.spec?.template.spec?.containers ?? [];
  return (containers.find((c) => c.name === component) ?? containers[0])?.image;
}

function retarget(c: k8s.V1Container, repos: Set<string>, target: string, lines: string[], what: string): k8s.V1Container {
  const out: k8s.V1Container = { ...c };
  const repo = c.image ? repositoryOf(c.image) : undefined;
  if (repo && repos.has(repo) && c.image !== target) {
    lines.push(`${what} ${c.name}: ${c.image} → ${target}`);
    out.image = target;
  }
  // The tag is only ours to change when the same container's worker repository is the Airflow one.
  const ours = (c.env ?? []).some((e) => e.name === WORKER_ENV.repository && repos.has(repositoryOf(e.value ?? '') ?? ''));
  if (c.env && ours) out.env = c.env.map((e) => retargetEnv(e, c.name, target, lines));
  return out;
}

/** The KubernetesExecutor worker settings as env, when they name an Airflow repository. */
function retargetEnv(e: k8s.V1EnvVar, container: string, target: string, lines: string[]): k8s.V1EnvVar {
  if (e.value === undefined || (e.name !== WORKER_ENV.repository && e.name !== WORKER_ENV.tag)) return e;
  const settings = workerSettings(target);
  const value = e.name === WORKER_ENV.repository ? settings.repository : settings.tag;
  if (e.value === value) return e;
  lines.push(`container ${container} env ${e.name}: ${e.value} → ${value}`);
  return { ...e, value };
}

/**
 * Puts back what `original` had (images, env, our annotations) onto the freshly read `fresh`, so a
 * rollback after a failed rollout keeps what other writers changed meanwhile elsewhere in the object.
 */
export function restoreWorkload(fresh: Workload, original: Workload): object {
  const before = original.object.spec?.template.spec;
  const byName = new Map([...(before?.containers ?? []), ...(before?.initContainers ?? [])].map((c) => [c.name, c]));
  const restore = (c: k8s.V1Container): k8s.V1Container => {
    const old = byName.get(c.name);
    return old ? { ...c, image: old.image, env: old.env } : c;
  };
  const spec = fresh.object.spec?.template.spec;
  return {
    metadata: { resourceVersion: fresh.object.metadata?.resourceVersion, annotations: originalAnnotations(original.object.metadata) },
    spec: { template: { spec: { containers: spec?.containers.map(restore), ...(spec?.initContainers ? { initContainers: spec.initContainers.map(restore) } : {}) } } },
  };
}

/** Our annotations as they were: absent ones become null, which a merge patch deletes. */
export function originalAnnotations(metadata: k8s.V1ObjectMeta | undefined): Record<string, string | null> {
  return Object.fromEntries(Object.values(ANNOTATIONS).map((key) => [key, metadata?.annotations?.[key] ?? null]));
}
