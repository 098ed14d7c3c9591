import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dagship, REPO_ROOT } from './cli.js';
import { infra } from './infra.js';
import { parseOutputs } from './actions-runner.js';

const env = infra();
const fixture = path.join(REPO_ROOT, 'test/fixtures/lint');

function copyOf(dir: string): string {
  const copy = mkdtempSync(path.join(tmpdir(), 'dagship-lint-'));
  cpSync(dir, copy, { recursive: true });
  return copy;
}

describe('dagship lint (real ruff and bandit in the tools image)', () => {
  it('passes the example repository', async () => {
    const result = await dagship(['lint', 'examples', '--tools-image', env.toolsImage]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/ruff 0\.17\.5: 12 file\(s\), 0 error\(s\), 0 warning\(s\) · bandit 1\.9\.4: 12 file\(s\)/);
  });

  it('finds ruff, Airflow and bandit problems, fails the gate, and writes every report', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'dagship-lint-out-'));
    const summary = path.join(out, 'summary.md');
    const outputs = path.join(out, 'outputs');
    writeFileSync(outputs, '');
    const result = await dagship(
      ['lint', fixture, '--tools-image', env.toolsImage, '--base-image', env.airflow3Image, '--sarif', `${out}/l.sarif`, '--junit', `${out}/l.xml`, '--json', `${out}/l.json`],
      { env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: outputs } },
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^ {2}26:5 +error +ruff AIR301 +`schedule_interval` is removed in Airflow 3\.0$/m);
    expect(result.stdout).toMatch(/^ {2}21:12 +error +bandit B602 /m);
    expect(result.stdout).toContain('::error file=dags/legacy_etl.py,line=2,col=8,endLine=2,title=ruff F401::`os` imported but unused');

    const sarif = JSON.parse(readFileSync(`${out}/l.sarif`, 'utf8'));
    expect(sarif.runs.map((r: { tool: { driver: { name: string } } }) => r.tool.driver.name)).toEqual(['ruff', 'bandit']);
    const ids = sarif.runs.flatMap((r: { results: { ruleId: string }[] }) => r.results.map((x) => x.ruleId));
    expect(ids).toEqual(expect.arrayContaining(['F401', 'F821', 'AIR301', 'invalid-syntax', 'B602', 'B301']));
    const json = JSON.parse(readFileSync(`${out}/l.json`, 'utf8'));
    expect(json).toMatchObject({ passed: false, fail_on: 'error' });
    expect(json.findings.every((f: { fingerprint?: string }) => /^[0-9a-f]{32}/.test(f.fingerprint ?? ''))).toBe(true);
    expect(readFileSync(`${out}/l.xml`, 'utf8')).toContain('<testsuite name="ruff" tests="3" failures="2"');
    expect(readFileSync(summary, 'utf8')).toContain('### ❌ dagship lint');
    expect(parseOutputs(readFileSync(outputs, 'utf8'))).toMatchObject({ passed: 'false', errors: '6', sarif: `${out}/l.sarif` });
  });

  it('honours the repository’s own ruff and bandit configuration, .bandit’s exclude included, and keeps medium severity and up', async () => {
    const repo = copyOf(fixture);
    writeFileSync(path.join(repo, 'ruff.toml'), 'lint.select = ["E9"]\n');
    writeFileSync(path.join(repo, '.bandit'), '[bandit]\nskips = B602,B301,B403,B404,B105\nexclude = ./dags/vendored\n');
    // A high-severity call (B602 is skipped, B605 is not) in a folder .bandit excludes, and a low one (B101) it does not.
    mkdirSync(path.join(repo, 'dags/vendored'));
    writeFileSync(path.join(repo, 'dags/vendored/shell.py'), 'import os\n\nos.system(os.environ["CMD"])\n');
    writeFileSync(path.join(repo, 'dags/clean.py'), `${readFileSync(path.join(repo, 'dags/clean.py'), 'utf8')}\nassert True\n`);
    const result = await dagship(['lint', repo, '--tools-image', env.toolsImage, '--json', `${repo}/out.json`]);
    const findings = JSON.parse(readFileSync(`${repo}/out.json`, 'utf8')).findings as { rule: string; file: string; tool: string }[];
    const rules = findings.map((f) => f.rule);
    expect(rules).not.toContain('F401');
    expect(rules).not.toContain('B602');
    expect(rules).toEqual(expect.arrayContaining(['invalid-syntax', 'bandit-scan-error']));
    expect(findings.filter((f) => f.file.startsWith('dags/vendored/'))).toEqual([]);
    expect(rules).not.toContain('B101');
    expect(result.exitCode).toBe(1);
  });

  describe('fits the Airflow the DAGs run on (the base image’s, read once per image ID)', () => {
    const naming = 'from airflow.operators.bash import BashOperator\n\nreport = BashOperator(task_id="build_report", bash_command="true")\n';
    const findingsOf = (repo: string, name: string) =>
      (JSON.parse(readFileSync(`${repo}/${name}.json`, 'utf8')).findings as { rule: string; severity: string }[]).map((f) => `${f.rule} ${f.severity}`);

    it('AIR3xx fail on Airflow 3, are off on Airflow 2 unless the ruff config asks (then warnings), and are warnings when the version is unknown', async () => {
      const cache = mkdtempSync(path.join(tmpdir(), 'dagship-lint-cache-'));
      const plain = copyOf(fixture);
      const asking = copyOf(fixture);
      writeFileSync(path.join(plain, 'dags/naming.py'), naming);
      writeFileSync(path.join(asking, 'ruff.toml'), 'lint.select = ["F", "AIR"]\n');
      const lint = (repo: string, name: string, ...args: string[]) =>
        dagship(['lint', repo, '--tools-image', env.toolsImage, '--json', `${repo}/${name}.json`, ...args], { env: { DAGSHIP_CACHE_DIR: cache } });
      const [three, unknown, two] = await Promise.all([lint(plain, 'three', '--base-image', env.airflow3Image), lint(plain, 'unknown'), lint(plain, 'two', '--base-image', env.airflow2Image)]);
      const asked = await lint(asking, 'asked', '--base-image', env.airflow2Image);

      expect(three.stderr).toMatch(/lint: target Airflow 3\.3\.2 \(.*, read from the image\): Airflow 3 migration rules \(AIR3xx\) on/);
      expect(findingsOf(plain, 'three')).toEqual(expect.arrayContaining(['AIR301 error', 'AIR311 warning', 'AIR001 warning']));
      expect(two.stderr).toMatch(/lint: target Airflow 2\.11\.2 \(.*, read from the image\): Airflow 3 migration rules \(AIR3xx\) off/);
      expect(findingsOf(plain, 'two').filter((f) => f.startsWith('AIR3'))).toEqual([]);
      expect(findingsOf(plain, 'two')).toContain('AIR001 warning');
      // The second run on the Airflow 2 image starts no container to read its version.
      expect(asked.stderr).toMatch(/lint: target Airflow 2\.11\.2 \(.*, cached for its image ID\)/);
      expect(findingsOf(asking, 'asked')).toEqual(expect.arrayContaining(['AIR301 warning', 'F401 error']));
      expect(findingsOf(asking, 'asked')).not.toContain('AIR301 error');
      expect(unknown.stderr).toMatch(/warning: no base_image configured: the Airflow version the DAGs run on is unknown, so ruff's Airflow 3 migration rules \(AIR3xx\) report as warnings/);
      expect(findingsOf(plain, 'unknown')).toContain('AIR301 warning');
      expect(findingsOf(plain, 'unknown')).not.toContain('AIR301 error');
    });
  });

  it('with --fail-on never reports but passes; a baseline hides known findings only', async () => {
    const repo = copyOf(fixture);
    const never = await dagship(['lint', repo, '--tools-image', env.toolsImage, '--fail-on', 'never']);
    expect(never.exitCode).toBe(0);
    const first = await dagship(['lint', repo, '--tools-image', env.toolsImage, '--json', `${repo}/a.json`]);
    expect(first.exitCode).toBe(1);
    const prints = JSON.parse(readFileSync(`${repo}/a.json`, 'utf8')).findings.map((f: { fingerprint: string }) => f.fingerprint);
    writeFileSync(`${repo}/baseline.json`, JSON.stringify({ version: 1, fingerprints: prints }));
    // Shift every line down: the known findings must stay known.
    const file = path.join(repo, 'dags/legacy_etl.py');
    writeFileSync(file, `# moved\n\n${readFileSync(file, 'utf8')}`);
    const known = await dagship(['lint', repo, '--tools-image', env.toolsImage, '--baseline', `${repo}/baseline.json`]);
    expect(known.stdout).toMatch(/\d+ known finding\(s\) hidden by the baseline/);
    expect(known.exitCode).toBe(0);
    writeFileSync(path.join(repo, 'dags/new.py'), 'import sys\n');
    const fresh = await dagship(['lint', repo, '--tools-image', env.toolsImage, '--baseline', `${repo}/baseline.json`]);
    expect(fresh.exitCode).toBe(1);
    expect(fresh.stdout).toMatch(/^dags\/new\.py$/m);
  });

  it('exits 2 with a hint for a missing tools image or path', async () => {
    const missing = await dagship(['lint', fixture, '--tools-image', 'dagship-test/no-such-tools:1']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('error: image dagship-test/no-such-tools:1 is not on the Docker Engine');
    const nopath = await dagship(['lint', '/nonexistent/repo', '--tools-image', env.toolsImage]);
    expect(nopath.exitCode).toBe(2);
  });
});
