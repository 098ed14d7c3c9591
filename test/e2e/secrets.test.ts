import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from './check-helpers.js';
import { REPO_ROOT } from './cli.js';
import { infra } from './infra.js';

const env = infra();

// '@', '%', '/', ':' and a quote: each changes the password's URL-encoded, escaped and base64 forms.
const PASSWORD = "p@ss/w:rd%2Fq'9";
const API_PASSWORD = 's3c:r@t/key%';
const python = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const forms = (s: string) => [s, encodeURIComponent(s), python(s), python(s).replaceAll('%2F', '/'), Buffer.from(s).toString('base64'), JSON.stringify(s).slice(1, -1)];
const LEAKS = [...new Set([...forms(PASSWORD), ...forms(API_PASSWORD), 'xtra-token-9'])];

/** Prints and raises with the passwords in every form Python code writes them. */
const LEAKY_DAG = `
import base64
from datetime import datetime
from urllib.parse import quote, quote_plus

try:
    from airflow.sdk import DAG, BaseHook
except ImportError:
    from airflow import DAG
    from airflow.hooks.base import BaseHook

wh = BaseHook.get_connection("warehouse")
api = BaseHook.get_connection("api")
for p in (wh.password, api.password):
    print(p, quote(p, safe=""), quote(p), quote_plus(p), base64.b64encode(p.encode()).decode(), repr(p))
print(f"postgres://{wh.login}:{quote(wh.password, safe='')}@{wh.host}/db", wh.extra)
with DAG(dag_id="leaky", schedule=None, start_date=datetime(2025, 1, 1)):
    pass
raise ValueError(f"cannot reach postgres://{wh.login}:{quote(wh.password, safe='')}@{wh.host}/db as {api.password!r}")
`;

function leakyRepo(dag = LEAKY_DAG): string {
  const repo = mkdtempSync(path.join(tmpdir(), 'dagship-secrets-'));
  mkdirSync(path.join(repo, 'dags'));
  writeFileSync(path.join(repo, 'dags', 'leaky.py'), dag);
  writeFileSync(path.join(repo, 'dagship.yaml'), '');
  writeFileSync(
    path.join(repo, 'connections.json'),
    JSON.stringify({
      warehouse: { conn_type: 'postgres', host: 'db.internal.example', login: 'etl', password: PASSWORD, extra: JSON.stringify({ token: 'xtra-token-9' }) },
      api: `http://svc:${python(API_PASSWORD)}@api.internal.example/v1`,
    }),
  );
  return repo;
}

describe('secrets never reach an output', () => {
  it('masks every form of a connection password in the terminal, JSON, SARIF, JUnit, annotations and job summary', async () => {
    const repo = leakyRepo();
    const summaryFile = path.join(repo, 'summary.md');
    writeFileSync(summaryFile, '');
    const result = await check(repo, ['--image', env.airflow3Image, '--connections', 'connections.json', '--sarif', `${repo}/out.sarif`, '--junit', `${repo}/out.xml`], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summaryFile,
    });
    expect(result.exitCode).toBe(1);
    expect(result.report!.findings.map((f) => f.rule)).toContain('dag-import-error');
    const lines = [result.stdout, result.stderr, readFileSync(`${repo}/out.sarif`, 'utf8'), readFileSync(`${repo}/out.xml`, 'utf8'), readFileSync(summaryFile, 'utf8'), JSON.stringify(result.report)]
      .join('\n')
      .split('\n');
    // The runner is told each form once, in the one command it never shows; no other line holds any.
    const masks = lines.filter((l) => l.startsWith('::add-mask::'));
    for (const leak of LEAKS) expect(masks).toContain(`::add-mask::${leak.replaceAll('%', '%25')}`);
    const shown = lines.filter((l) => !l.startsWith('::add-mask::'));
    for (const leak of LEAKS)
      expect(
        shown.filter((l) => l.includes(leak)),
        leak,
      ).toEqual([]);
    // The error still reads as a URI (the login and host are provided values too, so masked as well).
    expect(shown.some((l) => l.includes('postgres://***:***@***/db'))).toBe(true);
    expect(shown.some((l) => l.startsWith('::error file=dags/leaky.py'))).toBe(true);
  });

  it('keeps the lookup request in a private folder (0700, file 0600) and removes it when SIGINT stops the check', async () => {
    const repo = leakyRepo('import time\n\nfrom airflow.sdk import DAG  # noqa: F401\n\ntime.sleep(60)\n');
    const scratch = mkdtempSync(path.join(tmpdir(), 'dagship-scratch-'));
    const child = execa('node', [path.join(REPO_ROOT, 'dist/cli.js'), 'check', repo, '--no-cache', '--image', env.airflow3Image, '--connections', 'connections.json', '--timeout', '300'], {
      env: { NO_COLOR: '1', TMPDIR: scratch },
      reject: false,
    });
    const folder = await waitFor(() => readdirSync(scratch).find((f) => f.startsWith('dagship-check-') && readdirSync(path.join(scratch, f)).includes('request.json')));
    // Let the container start and read it, as a real run would be when cancelled.
    await new Promise((r) => setTimeout(r, 4000));
    expect(statSync(path.join(scratch, folder)).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(scratch, folder, 'request.json')).mode & 0o777).toBe(0o600);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(readdirSync(scratch).filter((f) => f.startsWith('dagship-check-'))).toEqual([]);
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = probe();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting');
}
