import type * as k8s from '@kubernetes/client-node';
import { parseDocument } from 'yaml';
import { workerImage, workerSettings } from './images.js';
import { annotationsFor, originalAnnotations, type DeployMeta, type ObjectPatch } from './plan.js';
import { repositoryOf } from '../image-reference.js';

export const CONFIG_KEYS = { cfg: 'airflow.cfg', podTemplate: 'pod_template_file.yaml' } as const;

/** Airflow 2.5+ reads [kubernetes_executor]; older configs still say [kubernetes]. */
const SECTIONS = new Set(['kubernetes_executor', 'kubernetes']);

/** The KubernetesExecutor worker image in `<release>-config`: airflow.cfg settings and the pod template. */
export function planConfigMap(cm: k8s.V1ConfigMap, repos: Set<string>, target: string, meta: DeployMeta): ObjectPatch | undefined {
  const lines: string[] = [];
  const data: Record<string, string> = {};
  const cfg = cm.data?.[CONFIG_KEYS.cfg];
  const template = cm.data?.[CONFIG_KEYS.podTemplate];
  let previousImage: string | undefined;
  if (cfg !== undefined) {
    const moved = retargetCfg(cfg, repos, target);
    if (moved) {
      data[CONFIG_KEYS.cfg] = moved.text;
      previousImage = moved.previous;
      lines.push(`${CONFIG_KEYS.cfg} [kubernetes_executor] worker_container_repository:tag ${moved.previous} → ${moved.next}`);
    }
  }
  if (template !== undefined) {
    const moved = retargetPodTemplate(template, repos, target);
    if (moved) {
      data[CONFIG_KEYS.podTemplate] = moved.text;
      previousImage ??= moved.previous;
      lines.push(...moved.lines.map((l) => `${CONFIG_KEYS.podTemplate} ${l}`));
    }
  }
  if (lines.length === 0) return undefined;
  const annotations = annotationsFor(previousImage ?? '', meta);
  return { lines, previousImage: previousImage ?? '', patch: { metadata: { resourceVersion: cm.metadata?.resourceVersion, annotations }, data } };
}

interface Setting {
  line: number;
  key: string;
  value: string;
}

/** Finds `key = value` lines of the worker settings inside the executor sections of an INI text. */
function workerLines(lines: string[]): Map<string, Setting> {
  const found = new Map<string, Setting>();
  let section = '';
  lines.forEach((raw, line) => {
    const header = /^\s*\[([^\]]+)\]/.exec(raw);
    if (header) section = header[1]!.trim();
    const kv = /^\s*(worker_container_repository|worker_container_tag)\s*[=:]\s*(.*?)\s*$/.exec(raw);
    if (kv && SECTIONS.has(section)) found.set(kv[1]!, { line, key: kv[1]!, value: kv[2]! });
  });
  return found;
}

export function retargetCfg(text: string, repos: Set<string>, target: string): { text: string; previous: string; next: string } | undefined {
  const lines = text.split('\n');
  const found = workerLines(lines);
  const repo = found.get('worker_container_repository');
  const tag = found.get('worker_container_tag');
  // Empty settings mean Airflow uses the pod template's image; leave them empty.
  if (!repo?.value || !tag?.value || !repos.has(repositoryOf(repo.value) ?? '')) return undefined;
  const next = workerSettings(target);
  if (repo.value === next.repository && tag.value === next.tag) return undefined;
  lines[repo.line] = `worker_container_repository = ${next.repository}`;
  lines[tag.line] = `worker_container_tag = ${next.tag}`;
  return { text: lines.join('\n'), previous: workerImage(repo.value, tag.value), next: workerImage(next.repository, next.tag) };
}

export function retargetPodTemplate(text: string, repos: Set<string>, target: string): { text: string; previous: string; lines: string[] } | undefined {
  const doc = parseDocument(text);
  const lines: string[] = [];
  let previous: string | undefined;
  for (const list of ['containers', 'initContainers']) {
    const items = (doc.getIn(['spec', list]) as { items?: unknown[] } | undefined)?.items ?? [];
    items.forEach((_item, i) => {
      const name = String(doc.getIn(['spec', list, i, 'name']) ?? '');
      const image = doc.getIn(['spec', list, i, 'image']);
      if (typeof image !== 'string' || image === target || !repos.has(repositoryOf(image) ?? '')) return;
      if (name === 'base' || previous === undefined) previous = image;
      doc.setIn(['spec', list, i, 'image'], target);
      lines.push(`${list === 'containers' ? 'container' : 'init container'} ${name}: ${image} → ${target}`);
    });
  }
  if (lines.length === 0) return undefined;
  return { text: doc.toString(), previous: previous!, lines };
}

/** The ConfigMap's worker settings and template as they were before a failed deploy. */
export function restoreConfigMap(fresh: k8s.V1ConfigMap, original: k8s.V1ConfigMap): object {
  const data = Object.fromEntries(Object.values(CONFIG_KEYS).flatMap((k) => (original.data?.[k] !== undefined ? [[k, original.data[k]]] : [])));
  return { metadata: { resourceVersion: fresh.metadata?.resourceVersion, annotations: originalAnnotations(original.metadata) }, data };
}
