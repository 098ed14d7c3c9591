import { parseAllDocuments } from 'yaml';
import { label } from './watch.js';

interface Rendered {
  kind?: string;
  metadata?: { name?: string };
  data?: Record<string, string>;
  spec?: { template?: { spec?: { containers?: Container[]; initContainers?: Container[] } } };
}

interface Container {
  name?: string;
  image?: string;
  env?: { name?: string; value?: string }[];
}

/**
 * What a helm upgrade would change in the objects dagship cares about, from the release's manifest and the
 * dry run's: container images and worker settings of each workload, changed lines of the ConfigMaps.
 */
export function manifestChanges(before: string, after: string): string[] {
  const old = new Map(objects(before).map((o) => [key(o), o]));
  return objects(after).flatMap((o) => {
    const prior = old.get(key(o));
    if (o.kind === 'ConfigMap') return configLines(prior?.data ?? {}, o.data ?? {}).map((l) => `${label(named(o))} ${l}`);
    if (o.kind !== 'Deployment' && o.kind !== 'StatefulSet') return [];
    const was = settings(prior);
    return [...settings(o)].flatMap(([what, value]) => (was.get(what) === value ? [] : [`${label(named(o))} ${what}: ${was.get(what) ?? '(new)'} → ${value}`]));
  });
}

function objects(manifest: string): Rendered[] {
  return parseAllDocuments(manifest)
    .map((d) => d.toJS() as Rendered | null)
    .filter((o): o is Rendered => Boolean(o?.kind));
}

const key = (o: Rendered) => `${o.kind}/${o.metadata?.name}`;
const named = (o: Rendered) => ({ kind: o.kind ?? '', name: o.metadata?.name ?? '' });

/** `init container x` / `container x` → image, and `container x env NAME` → value for the worker settings. */
function settings(o: Rendered | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const spec = o?.spec?.template?.spec;
  for (const [what, list] of [
    ['init container', spec?.initContainers],
    ['container', spec?.containers],
  ] as const) {
    for (const c of list ?? []) {
      if (c.image) out.set(`${what} ${c.name}`, c.image);
      for (const e of c.env ?? []) if (e.name?.includes('WORKER_CONTAINER') && e.value !== undefined) out.set(`${what} ${c.name} env ${e.name}`, e.value);
    }
  }
  return out;
}

/** Lines of each data key that the new ConfigMap has and the old one lacks: `airflow.cfg: worker_container_tag = …`. */
function configLines(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.entries(after).flatMap(([k, text]) => {
    const old = new Set((before[k] ?? '').split('\n').map((l) => l.trim()));
    return text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !old.has(l))
      .map((l) => `${k}: ${l}`);
  });
}
