#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));

// src/checks/summary.ts
function summaryLines(result, image, elapsedMs) {
  const dags = result.files.reduce((n, f) => n + f.dags.length, 0);
  const tasks = result.files.reduce((n, f) => n + f.dags.reduce((m, d) => m + d.tasks, 0), 0);
  const slowest = [...result.files].sort((a, b) => b.import_seconds - a.import_seconds).slice(0, 3).map((f) => `${f.path} ${f.import_seconds.toFixed(2)}s`);
  return [
    `Airflow ${result.airflow_version} (${image}): ${result.files.length} DAG file(s) checked of ${result.discovered} discovered${result.timings.cached ? ` (${result.timings.cached} unchanged, from cache)` : ""}, ${dags} DAG(s), ${tasks} task(s)`,
    `slowest: ${slowest.join(", ") || "-"} \xB7 airflow import ${result.timings.airflow_import_seconds.toFixed(1)}s \xB7 ${result.timings.workers} worker(s) \xB7 elapsed ${(elapsedMs / 1e3).toFixed(1)}s`
  ];
}

export {
  summaryLines
};
