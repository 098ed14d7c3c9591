import { COMPONENTS } from '../kube/cluster.js';
import type { Finding } from '../findings.js';
import { configMapFile, lineOf, literalEnv, mainContainer, objectName, templateContainer, type LiveRelease } from './live-objects.js';
import type { Origin } from './values.js';
import { repositoryOf, splitReference } from '../image-reference.js';

/** One place an Airflow image runs: a component's main container, or what task pods will be created with. */
interface Running {
  who: string;
  where: Origin;
  /** How a person finds it: `deployment/airflow-scheduler container scheduler`. */
  shown: string;
  image: string;
  task?: boolean;
}

/** The identity of a reference: by digest when it has one, else by tag; repositories normalised. */
function identity(image: string): { key: string; pinned: boolean; repository: string } {
  const ref = splitReference(image);
  const repository = (ref && repositoryOf(image)) ?? image;
  if (ref?.digest) return { key: `${repository}@${ref.digest}`, pinned: true, repository };
  return { key: `${repository}:${ref?.tag ?? 'latest'}`, pinned: false, repository };
}

/** Every component's image, and the KubernetesExecutor task image (AIRFLOW-FACTS: worker settings win over the template). */
export function runningImages(live: LiveRelease, kubernetesExecutor: boolean): Running[] {
  const out: Running[] = [];
  for (const component of COMPONENTS) {
    const w = live.components.get(component);
    const c = mainContainer(w);
    if (w && c?.image) out.push({ who: component, where: { file: objectName(w) }, shown: `${objectName(w)} container ${c.name}`, image: c.image });
    if (c?.image) out.push(...stalePods(live, component, c.image));
  }
  if (kubernetesExecutor) {
    const task = taskImage(live);
    if (task) out.push(task);
  }
  return out;
}

/**
 * Pods of a component still running another image than its template: an unfinished or stuck rollout, a
 * StatefulSet with updateStrategy OnDelete. Pods on their way out (terminating, finished) do not count.
 */
function stalePods(live: LiveRelease, component: string, template: string): Running[] {
  return live.objects.pods
    .filter((p) => p.metadata?.labels?.component === component && !p.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''))
    .flatMap((p) => {
      const c = p.spec?.containers.find((x) => x.name === component) ?? p.spec?.containers[0];
      if (!c?.image || identity(c.image).key === identity(template).key) return [];
      const name = p.metadata?.name ?? '';
      return [{ who: `${component} pod ${name}`, where: { file: `pod/${name}` }, shown: `pod/${name} container ${c.name}`, image: c.image }];
    });
}

function workerSetting(live: LiveRelease, option: string): { value: string; where: Origin; shown: string } | undefined {
  const scheduler = live.components.get('scheduler');
  const env = literalEnv(mainContainer(scheduler), `AIRFLOW__KUBERNETES_EXECUTOR__${option.toUpperCase()}`);
  if (env && scheduler) return { value: env, where: { file: objectName(scheduler) }, shown: `${objectName(scheduler)} env AIRFLOW__KUBERNETES_EXECUTOR__${option.toUpperCase()}` };
  const cfg = live.cfg.find((o) => o.section === 'kubernetes_executor' && o.option === option && o.value.trim());
  const file = configMapFile(live, 'airflow.cfg');
  return cfg ? { value: cfg.value.trim(), where: { file, line: cfg.line }, shown: `${file} [kubernetes_executor] ${option}` } : undefined;
}

function taskImage(live: LiveRelease): Running | undefined {
  const repo = workerSetting(live, 'worker_container_repository');
  const tag = workerSetting(live, 'worker_container_tag');
  if (repo && tag) {
    // Both from one place (the usual case) read as one: `… worker_container_repository/_tag`.
    const shown = repo.where.file === tag.where.file ? `${repo.shown}/_${tag.shown.split('_').pop()}` : `${repo.shown}, ${tag.shown}`;
    return { who: 'task pods', where: tag.where, shown, image: `${repo.value}:${tag.value}`, task: true };
  }
  const base = templateContainer(live.podTemplate);
  if (!base?.image) return undefined;
  const file = configMapFile(live, 'pod_template_file.yaml');
  return { who: 'task pods', where: { file, line: lineOf(live.configMap?.data?.['pod_template_file.yaml'], base.image) }, shown: `${file} container ${base.name}`, image: base.image, task: true };
}

/** Images grouped by identity, the most common first (ties: the order components were listed, scheduler first). */
function groups(running: Running[]): Running[][] {
  const byKey = new Map<string, Running[]>();
  for (const r of running) byKey.set(identity(r.image).key, [...(byKey.get(identity(r.image).key) ?? []), r]);
  return [...byKey.values()].sort((a, b) => b.length - a.length);
}

const list = (rs: Running[]) => rs.map((r) => `${r.who} (${r.shown})`).join(', ');

/** `helm-image-drift`: the release's Airflow components (and task pods) do not all run one image. */
export function imageDrift(live: LiveRelease, kubernetesExecutor: boolean): Finding[] {
  const running = runningImages(live, kubernetesExecutor);
  const [main, ...others] = groups(running);
  if (!main || !others.length) return [];
  // A tag-only task image beside pinned components is the chart's own behaviour, not drift: say that instead.
  const mainPinned = identity(main[0]!.image);
  const unproven = others.filter((g) => g.every((r) => r.task) && mainPinned.pinned && !identity(g[0]!.image).pinned && identity(g[0]!.image).repository === mainPinned.repository);
  const drifted = others.filter((g) => !unproven.includes(g));
  const out = unproven.map((g) => digestIgnored(main[0]!.image, g[0]!));
  if (drifted.length) out.push(drift(main, drifted));
  return out;
}

function drift(main: Running[], others: Running[][]): Finding {
  const odd = [...others].sort((a, b) => a.length - b.length)[0]![0]!;
  const parts = [main, ...others].map((g) => `${list(g)} ${g.length > 1 ? 'run' : 'runs'} ${g[0]!.image}`);
  return {
    tool: 'dagship',
    rule: 'helm-image-drift',
    severity: 'error',
    file: odd.where.file,
    line: odd.where.line,
    message: `the release runs ${others.length + 1} different Airflow images: ${parts.join('; ')} — the scheduler, DAG processor and task pods parse and execute different DAG code, and not all of it is what dagship checked`,
    help: 'move every component to one pinned image at once: dagship deploy --image <repository>@sha256:… (it patches every workload and the KubernetesExecutor worker image), or helm upgrade with images.airflow only and no per-component image overrides',
  };
}

function digestIgnored(main: string, task: Running): Finding {
  return {
    tool: 'dagship',
    rule: 'helm-task-image-digest-ignored',
    severity: 'warning',
    file: task.where.file,
    line: task.where.line,
    message: `the Airflow components run ${main}, pinned by digest, but KubernetesExecutor task pods are created with ${task.image} (${task.shown}), a tag: if the tag is pushed again, tasks run other code`,
    help: 'pin the task image too: worker_container_tag "<tag>@sha256:…" (dagship deploy writes it so)',
  };
}

/** `helm-pod-template-image-stale`: worker settings win today, but the template behind them holds another image. */
export function staleTemplate(live: LiveRelease, kubernetesExecutor: boolean): Finding[] {
  const running = runningImages(live, kubernetesExecutor);
  const task = running.find((r) => r.task);
  const base = templateContainer(live.podTemplate);
  if (!task || task.shown.includes('pod_template_file') || !base?.image || identity(base.image).key === identity(task.image).key) return [];
  const text = live.configMap?.data?.['pod_template_file.yaml'];
  return [
    {
      tool: 'dagship',
      rule: 'helm-pod-template-image-stale',
      severity: 'warning',
      file: configMapFile(live, 'pod_template_file.yaml'),
      line: lineOf(text, base.image),
      message: `the pod template's container ${base.name} holds ${base.image}, not the task image ${task.image}: today [kubernetes_executor] worker_container_* override it, but the day they are emptied task pods silently run that other image`,
      help: 'keep the pod template on the Airflow image: leave images.pod_template unset (dagship deploy moves both)',
    },
  ];
}
