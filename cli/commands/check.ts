import { cacheRoot } from '../../src/checks/check-cache.js';
import { commentOnPullRequest, wantsComment } from '../pr-comment.js';
import { checkDags, type CheckerResult } from '../../src/checks/dags.js';
import { loadOptions } from '../../src/config.js';
import { connectDocker } from '../../src/engine/index.js';
import { airflowImage, baselinePath } from '../../src/images.js';
import { judge } from '../../src/outcome.js';
import { VERSION } from '../version.js';
import type { ConfigFlags, ReportFlags } from '../flags.js';
import { present } from '../present.js';
import { terminalLogger } from '../terminal.js';
import { changedSelection } from '../changed.js';

export type CheckFlags = ConfigFlags & ReportFlags & { image?: string; changedSince?: string; cache?: boolean; attest?: boolean; prComment?: boolean };

/** Imports every DAG file as the scheduler will, in the Airflow image. */
export async function check(repoPath: string | undefined, flags: CheckFlags): Promise<number> {
  const options = loadOptions({ root: repoPath, configFile: flags.config, flags: flags.overrides });
  // The attest path (registry, signing, credentials) is loaded only when asked for: start-up is per command.
  if (flags.attest) return (await import('./check-attest.js')).checkAndAttest(options, flags);
  const image = airflowImage(options, flags.image);
  const log = terminalLogger(Boolean(flags.verbose));
  const started = Date.now();
  const selection = await changedSelection(options, flags.changedSince, log);
  const cacheDir = flags.cache === false ? undefined : cacheRoot();
  const { run, result } = await checkDags({ options, image, files: selection?.dags, dagshipVersion: VERSION, cacheDir }, connectDocker(), log);
  const outcome = judge([run], { root: options.root, failOn: options.fail_on, baseline: baselinePath(options) });
  const code = present(outcome, {
    title: 'dagship check',
    reports: flags.reports,
    summary: summaryLines(result, image, Date.now() - started),
    json: { airflow_version: result.airflow_version, image, files: result.files, timings: result.timings },
  });
  if (wantsComment(flags.prComment)) await commentOnPullRequest('dagship check', outcome, result.files, options, log);
  return code;
}

export function summaryLines(result: CheckerResult, image: string, elapsedMs: number): string[] {
  const dags = result.files.reduce((n, f) => n + f.dags.length, 0);
  const tasks = result.files.reduce((n, f) => n + f.dags.reduce((m, d) => m + d.tasks, 0), 0);
  const slowest = [...result.files]
    .sort((a, b) => b.import_seconds - a.import_seconds)
    .slice(0, 3)
    .map((f) => `${f.path} ${f.import_seconds.toFixed(2)}s`);
  return [
    `Airflow ${result.airflow_version} (${image}): ${result.files.length} DAG file(s) checked of ${result.discovered} discovered${result.timings.cached ? ` (${result.timings.cached} unchanged, from cache)` : ''}, ${dags} DAG(s), ${tasks} task(s)`,
    `slowest: ${slowest.join(', ') || '-'} · airflow import ${result.timings.airflow_import_seconds.toFixed(1)}s · ${result.timings.workers} worker(s) · elapsed ${(elapsedMs / 1000).toFixed(1)}s`,
  ];
}
