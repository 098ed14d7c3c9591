import type * as k8s from '@kubernetes/client-node';
import type { Workload } from '../kube/cluster.js';
import { claimOf, configMapFile, lineOf, mainContainer, objectName, templateContainer, type LiveRelease } from './live-objects.js';
import { pathKey } from './parse.js';
import { isMapping, RecordedValues, splitPath, type Origin, type Path, type Values } from './values.js';
import { splitReference } from '../image-reference.js';

/**
 * Chart values as a running release shows them: each key derived from a live object, with that object
 * as its origin. Keys the cluster cannot show are absent, so only rules whose facts are derived may run.
 */
class LiveValues extends RecordedValues {
  constructor(
    private readonly fallback: Origin,
    private readonly cfgFile: Origin,
  ) {
    super({}, new Map(), [fallback.file]);
  }

  set(keyPath: Path, value: unknown, origin?: Origin): void {
    const keys = splitPath(keyPath);
    let node = this.data;
    for (const key of keys.slice(0, -1)) {
      if (!isMapping(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys.at(-1)!] = value;
    this.mark(keys, origin);
  }

  /** Records where a key already set (a list item, say) shows in the cluster. */
  mark(keyPath: Path, origin: Origin | undefined): void {
    const keys = splitPath(keyPath);
    if (origin) this.origins.set(pathKey(keys), { keyPath: keys, origin });
  }

  /** An Airflow option nobody set points at airflow.cfg, where it would go; anything else at the release. */
  protected unsetOrigin(keyPaths: Path[]): Origin {
    return keyPaths.some((k) => splitPath(k)[0] === 'config') ? this.cfgFile : this.fallback;
  }
}

const at = (w: Workload | undefined): Origin | undefined => (w ? { file: objectName(w) } : undefined);

/** The facts of a live release as chart values, for the rules that read the same facts in values files. */
export function liveValues(live: LiveRelease): Values {
  const values = new LiveValues({ file: `release/${live.release}` }, { file: configMapFile(live, 'airflow.cfg') });
  for (const o of live.cfg) values.set(['config', o.section, o.option], o.value, { file: configMapFile(live, 'airflow.cfg'), line: o.line });
  const scheduler = live.components.get('scheduler');
  // Environment variables of the scheduler win over airflow.cfg, as they do in Airflow.
  const env = (mainContainer(scheduler)?.env ?? []).filter((e) => e.value !== undefined && !e.valueFrom);
  values.set(
    'env',
    env.map((e) => ({ name: e.name, value: e.value })),
  );
  env.forEach((_, i) => values.mark(['env', String(i), 'value'], at(scheduler)));
  const executor = env.find((e) => e.name === 'AIRFLOW__CORE__EXECUTOR')?.value ?? live.cfg.find((o) => o.section === 'core' && o.option === 'executor')?.value;
  values.set('executor', executor ?? '', at(scheduler));
  values.set('airflowVersion', live.components.has('webserver') && !live.components.has('api-server') ? '2' : '3');
  image(values, scheduler);
  platform(values, live, scheduler);
  components(values, live);
  workers(values, live);
  return values;
}

function image(values: LiveValues, scheduler: Workload | undefined): void {
  const ref = splitReference(mainContainer(scheduler)?.image ?? '');
  if (!ref) return;
  values.set('images.airflow.repository', ref.name, at(scheduler));
  if (ref.tag) values.set('images.airflow.tag', ref.tag, at(scheduler));
  if (ref.digest) values.set('images.airflow.digest', ref.digest, at(scheduler));
}

/** The database, DAG delivery, logs, metrics, Redis and network policies, from which objects exist. */
function platform(values: LiveValues, live: LiveRelease, scheduler: Workload | undefined): void {
  const byComponent = (c: string) => live.objects.workloads.find((w) => w.object.metadata?.labels?.component === c);
  const postgres = live.objects.workloads.find((w) => w.object.metadata?.labels?.['app.kubernetes.io/name'] === 'postgresql' || w.name === `${live.release}-postgresql`);
  values.set('postgresql.enabled', Boolean(postgres), at(postgres));
  const gitSync = [...live.components.values()].find((w) =>
    [...(w.object.spec?.template.spec?.containers ?? []), ...(w.object.spec?.template.spec?.initContainers ?? [])].some((c) => c.name.startsWith('git-sync')),
  );
  values.set('dags.gitSync.enabled', Boolean(gitSync), at(gitSync));
  const dagsClaim = claimOf(scheduler, 'dags') ?? claimOf(live.components.get('dag-processor'), 'dags');
  values.set('dags.persistence.enabled', Boolean(dagsClaim), dagsClaim ? { file: `persistentvolumeclaim/${dagsClaim}` } : undefined);
  if (dagsClaim) values.set('dags.persistence.accessMode', accessMode(live, dagsClaim), { file: `persistentvolumeclaim/${dagsClaim}` });
  const logsClaim = claimOf(scheduler, 'logs');
  values.set('logs.persistence.enabled', Boolean(logsClaim), logsClaim ? at(scheduler) : undefined);
  values.set('elasticsearch.enabled', false);
  values.set('opensearch.enabled', false);
  const statsd = byComponent('statsd');
  values.set('statsd.enabled', Boolean(statsd), at(statsd));
  const redis = byComponent('redis');
  if (redis) values.set('redis.enabled', true, at(redis));
  const policy = live.objects.networkPolicies[0];
  values.set('networkPolicies.enabled', Boolean(policy), policy ? { file: `networkpolicy/${policy.metadata?.name}` } : undefined);
}

/** ReadWriteMany when the claim allows it; claims the audit cannot see count as fine rather than guessed. */
function accessMode(live: LiveRelease, claim: string): string {
  const modes = live.objects.claims.find((c) => c.metadata?.name === claim)?.spec?.accessModes;
  return !modes?.length || modes.includes('ReadWriteMany') ? 'ReadWriteMany' : modes[0]!;
}

const VALUES_KEYS: Record<string, string> = { scheduler: 'scheduler', 'api-server': 'apiServer', webserver: 'webserver', 'dag-processor': 'dagProcessor', triggerer: 'triggerer' };

/** Which components run, and the resources of their main containers. */
function components(values: LiveValues, live: LiveRelease): void {
  for (const [component, key] of Object.entries(VALUES_KEYS)) {
    const w = live.components.get(component);
    values.set(`${key}.enabled`, Boolean(w));
    if (w) values.set(`${key}.resources`, resourcesOf(mainContainer(w)), at(w));
  }
}

/** Celery workers are a workload; KubernetesExecutor task pods come from the pod template. */
function workers(values: LiveValues, live: LiveRelease): void {
  const worker = live.components.get('worker');
  const template = templateContainer(live.podTemplate);
  const origin = worker ? at(worker)! : { file: configMapFile(live, 'pod_template_file.yaml'), line: lineOf(live.configMap?.data?.['pod_template_file.yaml'], 'serviceAccountName') };
  const spec = worker ? worker.object.spec?.template.spec : live.podTemplate?.spec;
  values.set('workers.resources', resourcesOf(worker ? mainContainer(worker) : template), worker ? at(worker) : { file: configMapFile(live, 'pod_template_file.yaml') });
  // An empty serviceAccountName is the namespace's default account.
  values.set('workers.serviceAccount', { create: true, name: spec ? spec.serviceAccountName || 'default' : null });
  values.mark('workers.serviceAccount.name', spec ? origin : undefined);
  // One account runs the workers whatever the executor: the other sections must not report it again.
  values.set('workers.celery.serviceAccount', { create: true, name: null });
  values.set('workers.kubernetes.serviceAccount', { create: false });
}

const resourcesOf = (c: k8s.V1Container | undefined): Record<string, unknown> => ({
  ...(c?.resources?.requests ? { requests: c.resources.requests } : {}),
  ...(c?.resources?.limits ? { limits: c.resources.limits } : {}),
});
