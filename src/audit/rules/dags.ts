import { airflowImage, chartTrue, describeImage, finding, sameRepository, text, type AuditContext } from '../context.js';
import type { Finding } from '../../findings.js';

const CHART_REPOSITORY = 'apache/airflow';

/** How DAG code reaches the scheduler, DAG processor and task pods. */
export function dagsRules(ctx: AuditContext): Finding[] {
  const values = ctx.values;
  const gitSync = chartTrue(values.get('dags.gitSync.enabled'));
  const persisted = chartTrue(values.get('dags.persistence.enabled'));
  const out: Finding[] = [];
  if (gitSync) out.push(gitSyncFinding(ctx));
  const baked = bakedState(ctx);
  if (!gitSync && !persisted && !baked.baked) {
    out.push(
      finding(ctx, {
        rule: 'helm-dags-not-shipped',
        severity: 'error',
        at: ['images.airflow.repository', 'defaultAirflowRepository', 'dags.gitSync.enabled', 'dags.persistence.enabled'],
        message: `no DAGs reach Airflow: ${baked.why}, and neither dags.persistence nor dags.gitSync is enabled — the scheduler finds an empty DAG folder`,
        help: `deploy the image dagship built and pushed: images.airflow.repository: ${ctx.options.repository ?? '<your dagship repository>'} with images.airflow.tag/digest from dagship push`,
      }),
    );
  }
  if (persisted && !text(values.get('dags.persistence.existingClaim')) && text(values.get('dags.persistence.accessMode')) !== 'ReadWriteMany') out.push(dagsVolumeFinding(ctx));
  return out;
}

function gitSyncFinding(ctx: AuditContext): Finding {
  return finding(ctx, {
    rule: 'helm-dags-git-sync',
    severity: 'warning',
    at: ['dags.gitSync.enabled'],
    message:
      'DAGs come from git-sync (dags.gitSync.enabled): every pod pulls the branch on its own schedule, so the scheduler, DAG processor and task pods can run different DAG versions; code reaches production without being checked in the image it runs in; and a git outage or a force-push changes production without a release',
    help: 'bake the DAGs into the image (dagship build/push), set images.airflow.repository/tag/digest to it and dags.gitSync.enabled: false',
  });
}

/** Baked = the Airflow image is the dagship-built repository (or, with none configured, any non-stock image). */
function bakedState(ctx: AuditContext): { baked: boolean; why: string } {
  const image = airflowImage(ctx.values);
  const configured = ctx.options.repository;
  if (configured) {
    return sameRepository(image.repository, configured)
      ? { baked: true, why: '' }
      : { baked: false, why: `the Airflow image ${describeImage(image)} is not the dagship-built repository ${configured}` };
  }
  return sameRepository(image.repository, CHART_REPOSITORY) ? { baked: false, why: `the Airflow image is the stock ${describeImage(image)}, which holds no DAGs` } : { baked: true, why: '' };
}

function dagsVolumeFinding(ctx: AuditContext): Finding {
  const mode = text(ctx.values.get('dags.persistence.accessMode')) ?? 'ReadWriteOnce';
  return finding(ctx, {
    rule: 'helm-dags-pvc-access-mode',
    severity: 'warning',
    at: ['dags.persistence.accessMode', 'dags.persistence.enabled'],
    message: `the DAG volume claim is ${mode}${ctx.values.setBy('dags.persistence.accessMode') ? '' : " (the chart's default)"}: the scheduler, DAG processor, triggerer and task pods all mount it, and a single-node access mode leaves pods on other nodes Pending`,
    help: 'set dags.persistence.accessMode: ReadWriteMany on a storage class that supports it — or bake the DAGs into the image and drop the volume',
  });
}
