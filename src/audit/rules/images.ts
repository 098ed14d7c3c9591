import { airflowImage, airflowOption, describeImage, finding, text, type AuditContext, type ImageRef } from '../context.js';
import type { Path } from '../values.js';
import type { Finding } from '../../findings.js';

/** The Airflow image: pinned by digest, and the same image in task pods as in the Airflow components. */
export function imagesRules(ctx: AuditContext): Finding[] {
  return [pinning(ctx), ...(ctx.executors.kubernetes ? taskImage(ctx) : [])].filter((f): f is Finding => f !== undefined);
}

const IMAGE_KEYS: Path[] = ['images.airflow.tag', 'images.airflow.repository', 'defaultAirflowTag', 'defaultAirflowRepository'];

export function pinning(ctx: AuditContext): Finding | undefined {
  const image = airflowImage(ctx.values);
  if (image.digest) return undefined;
  const severity = ctx.options.strict ? 'error' : 'warning';
  const latest = !image.tag || image.tag === 'latest';
  return finding(ctx, {
    rule: latest ? 'helm-image-latest' : 'helm-image-no-digest',
    severity,
    at: IMAGE_KEYS,
    message: latest
      ? `the Airflow image is ${describeImage(image)}${image.tag ? '' : ' (no tag: latest)'}: a moving tag, so every node that pulls it may get different code, and a rollback has nothing to go back to`
      : `the Airflow image ${describeImage(image)} is pinned by tag only: a tag can be pushed again, and nodes that already pulled it keep the old content — what runs is not provably what was tested`,
    help: 'set images.airflow.digest: sha256:… (from dagship push) next to the tag, so every component runs exactly the image that was checked',
  });
}

/**
 * What KubernetesExecutor task pods run. Airflow takes [kubernetes_executor] worker_container_repository:tag
 * when both are set (the chart sets them from images.airflow repository and tag — not its digest) and the
 * pod template's image (images.pod_template.*, falling back to defaultAirflow*) only when they are not.
 */
function taskImage(ctx: AuditContext): Finding[] {
  const main = airflowImage(ctx.values);
  const repo = airflowOption(ctx, 'kubernetes_executor', 'worker_container_repository');
  const tag = airflowOption(ctx, 'kubernetes_executor', 'worker_container_tag');
  const repoValue = repo ? text(repo.value) : main.repository;
  const tagValue = tag ? text(tag.value) : main.tag;
  const template = podTemplateImage(ctx);
  if (repoValue && tagValue) {
    if (repoValue.includes('{{') || tagValue.includes('{{')) return [];
    const task = withDigest(repoValue, tagValue);
    // Point at the part that differs: the repository key when it is another repository, else the tag key.
    const order = task.repository !== main.repository ? [repo?.at, tag?.at] : [tag?.at, repo?.at];
    const cause = order.filter((p): p is Path => p !== undefined);
    const out = compare(ctx, main, task, cause, 'worker_container_repository:worker_container_tag');
    if (template.set && !sameImage(main, template.image)) out.push(staleTemplate(ctx, main, template.image));
    return out;
  }
  const cause = [tag?.at, repo?.at, 'images.pod_template.repository', 'images.pod_template.tag'].filter((p): p is Path => p !== undefined);
  return compare(ctx, main, template.image, cause, 'the pod template image (worker_container_* are empty)');
}

function podTemplateImage(ctx: AuditContext): { image: ImageRef; set: boolean } {
  const values = ctx.values;
  const repository = text(values.get('images.pod_template.repository')) ?? text(values.get('defaultAirflowRepository')) ?? 'apache/airflow';
  const tag = text(values.get('images.pod_template.tag')) ?? text(values.get('defaultAirflowTag'));
  const set = Boolean(values.setBy('images.pod_template.repository') || values.setBy('images.pod_template.tag'));
  return { image: { repository, tag }, set };
}

/** Airflow builds repository:tag, so a tag of "abc@sha256:…" yields a reference pinned by digest. */
function withDigest(repository: string, tag: string): ImageRef {
  const [t, digest] = tag.split('@') as [string, string | undefined];
  return { repository, tag: t, digest };
}

function sameImage(a: ImageRef, b: ImageRef): boolean {
  if (a.repository !== b.repository) return false;
  return a.digest && b.digest ? a.digest === b.digest : a.tag === b.tag;
}

function compare(ctx: AuditContext, main: ImageRef, task: ImageRef, cause: Path[], source: string): Finding[] {
  if (!sameImage(main, task)) return [mismatch(ctx, main, task, cause, source)];
  if (main.digest && !task.digest) return [digestIgnored(ctx, main, task)];
  return [];
}

function mismatch(ctx: AuditContext, main: ImageRef, task: ImageRef, cause: Path[], source: string): Finding {
  return finding(ctx, {
    rule: 'helm-pod-template-image-mismatch',
    severity: 'error',
    at: [...cause, ...IMAGE_KEYS],
    message: `KubernetesExecutor task pods run ${describeImage(task)} (${source}) while the Airflow components run ${describeImage(main)}: tasks execute other DAG code than the scheduler parsed and dagship checked`,
    help: 'leave config.kubernetes_executor.worker_container_repository/tag and images.pod_template unset so task pods follow images.airflow — or set them to exactly the images.airflow image',
  });
}

function digestIgnored(ctx: AuditContext, main: ImageRef, task: ImageRef): Finding {
  return finding(ctx, {
    rule: 'helm-task-image-digest-ignored',
    severity: 'warning',
    at: ['images.airflow.digest', 'defaultAirflowDigest'],
    message: `images.airflow.digest pins the Airflow components to ${describeImage(main)}, but KubernetesExecutor task pods run ${describeImage(task)}: the chart passes only the tag to [kubernetes_executor] worker_container_tag (apache/airflow#58625), so a re-pushed tag gives tasks other code`,
    help: `set config.kubernetes_executor.worker_container_tag: "${main.tag ?? '<tag>'}@${main.digest}" (Airflow builds repository:tag, which then pins the digest) — or use only immutable tags, as dagship push does`,
  });
}

function staleTemplate(ctx: AuditContext, main: ImageRef, template: ImageRef): Finding {
  return finding(ctx, {
    rule: 'helm-pod-template-image-stale',
    severity: 'warning',
    at: ['images.pod_template.repository', 'images.pod_template.tag'],
    message: `images.pod_template renders ${describeImage(template)} into the pod template, not the Airflow image ${describeImage(main)}: today [kubernetes_executor] worker_container_* override it, but the day they are emptied task pods silently run that other image`,
    help: 'remove images.pod_template.repository/tag (the pod template then follows the chart defaults and is overridden) or set them to the images.airflow image',
  });
}
