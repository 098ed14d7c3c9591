import type { CheckerResult } from './dags.js';

/** Two lines under a check's findings: what was checked, and where the time went. */
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
