import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dagship, REPO_ROOT } from './cli.js';
import { infra } from './infra.js';
import { parseOutputs } from './actions-runner.js';
import { lockedVersion, toolsLock, toolsRef } from '../../src/checks/tools-image.js';

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
    expect(result.stdout).toMatch(/ruff 0\.17\.5: 15 file\(s\), 0 error\(s\), 0 warning\(s\) · bandit 1\.9\.4: 15 file\(s\)/);
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

  describe("dagship's own tools image when tools_image is unset", () => {
    const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    const lock = toolsLock();
    const [ruff, bandit] = [lockedVersion(lock, 'ruff'), lockedVersion(lock, 'bandit')];
    const toolsImages = () => docker('image', 'ls', '-q', '--no-trunc', 'dagship.local/tools').split('\n').filter(Boolean).sort();

    // The first run on a machine installs from PyPI (about 45 s cold); every later run, and every later test run, reuses it.
    it('installs the locked ruff and bandit on the base image once per engine, then reuses them with no new image', { timeout: 600_000 }, async () => {
      const ref = toolsRef(docker('image', 'inspect', '--format', '{{.Id}}', env.airflow3Image), lock);
      const first = await dagship(['lint', fixture, '--base-image', env.airflow3Image]);
      expect(first.exitCode).toBe(1);
      const summary = new RegExp(`^ruff ${ruff.replaceAll('.', '\\.')}: \\d+ file\\(s\\), \\d+ error.* · bandit ${bandit.replaceAll('.', '\\.')}: `, 'm');
      expect(first.stdout).toMatch(summary);
      expect(first.stderr).toMatch(new RegExp(`lint tools: (built|reused) ${ref}`));
      const images = toolsImages();
      const second = await dagship(['lint', fixture, '--base-image', env.airflow3Image]);
      expect(second.stderr).toContain(`lint tools: reused ${ref} (ruff ${ruff} and bandit ${bandit} on ${env.airflow3Image})`);
      expect(second.stderr).not.toContain('installing ruff');
      expect(second.stdout).toMatch(summary);
      expect(toolsImages()).toEqual(images);
      // Exactly the lock's packages, nothing more or less, in the image's venv.
      const frozen = docker('run', '--rm', '--network', 'none', '--entrypoint', '/opt/dagship-tools/bin/pip', ref, 'freeze').split('\n');
      const pins = lock
        .split('\n')
        .filter((l) => /^[a-z]/i.test(l))
        .map((l) => l.split(' ')[0]!.toLowerCase());
      expect(frozen.map((l) => l.toLowerCase()).sort()).toEqual(pins.sort());
    });

    it('without the package index exits 2 naming the index tried, PIP_INDEX_URL and tools_image with the locked versions', { timeout: 300_000 }, async () => {
      // A base no run has installed on yet (a label makes a new image ID, so a new key), and an index nobody listens on.
      const base = `dagship-test/tools-offline:${process.pid}-${Date.now()}`;
      execFileSync('docker', ['build', '-q', '-t', base, '-'], { input: `FROM ${env.airflow3Image}\nLABEL io.dagship.test=${base}\n`, stdio: ['pipe', 'ignore', 'pipe'] });
      try {
        const before = toolsImages();
        const index = 'http://127.0.0.1:9/simple';
        const result = await dagship(['lint', fixture, '--base-image', base], { env: { PIP_INDEX_URL: index } });
        expect(result.exitCode).toBe(2);
        expect(result.stderr).toContain(`error: could not install ruff ${ruff} and bandit ${bandit} from ${index} (exit 1)`);
        expect(result.stderr).toContain(
          `hint: let this machine reach ${index}, or set PIP_INDEX_URL to a mirror that has them, or set tools_image (or --tools-image) to an image with ruff ${ruff} and bandit ${bandit} on its PATH`,
        );
        expect(toolsImages()).toEqual(before);
      } finally {
        docker('image', 'rm', '-f', base);
      }
    });
  });

  describe('ruff format --check, when the repository configures the formatter', () => {
    const repoWith = (files: Record<string, string>) => {
      const repo = mkdtempSync(path.join(tmpdir(), 'dagship-format-'));
      mkdirSync(path.join(repo, 'dags'));
      writeFileSync(path.join(repo, 'dags/etl.py'), 'from airflow.sdk import dag\n\n\n@dag(schedule=None)\ndef etl():\n    pass\n\n\netl()\n');
      writeFileSync(path.join(repo, 'dags/messy.py'), "from airflow.sdk import dag\n@dag(schedule = None )\ndef messy():\n    x = {  'a':1 }\n    return x\nmessy()\n");
      for (const [name, content] of Object.entries(files)) writeFileSync(path.join(repo, name), content);
      return repo;
    };

    it('reports each file ruff format would change as ruff-format and fails; without the section it does not run', async () => {
      const configured = repoWith({ 'pyproject.toml': '[tool.ruff.lint]\nselect = ["F"]\n\n[tool.ruff.format]\nquote-style = "double"\n' });
      const result = await dagship(['lint', configured, '--tools-image', env.toolsImage, '--sarif', `${configured}/l.sarif`, '--json', `${configured}/l.json`]);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(/^dags\/messy\.py$/m);
      expect(result.stdout).toMatch(/error +ruff ruff-format +File would be reformatted by ruff format/);
      const findings = JSON.parse(readFileSync(`${configured}/l.json`, 'utf8')).findings as { rule: string; file: string }[];
      expect(findings.map((f) => `${f.rule} ${f.file}`)).toEqual(['ruff-format dags/messy.py']);
      const sarif = JSON.parse(readFileSync(`${configured}/l.sarif`, 'utf8'));
      const ruffRun = sarif.runs.find((r: { tool: { driver: { name: string } } }) => r.tool.driver.name === 'ruff');
      expect(ruffRun.results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['ruff-format']);

      const lintOnly = repoWith({ 'pyproject.toml': '[tool.ruff.lint]\nselect = ["F"]\n' });
      const plain = await dagship(['lint', lintOnly, '--tools-image', env.toolsImage]);
      expect(plain.stdout).not.toContain('ruff-format');
      expect(plain.exitCode).toBe(0);
      // dagship.yaml turns it on without a ruff formatter config; DAGSHIP_LINT_FORMAT turns it off again.
      writeFileSync(path.join(lintOnly, 'dagship.yaml'), 'lint:\n  format: true\n');
      expect((await dagship(['lint', lintOnly, '--tools-image', env.toolsImage])).exitCode).toBe(1);
      expect((await dagship(['lint', lintOnly, '--tools-image', env.toolsImage], { env: { DAGSHIP_LINT_FORMAT: 'false' } })).exitCode).toBe(0);
    });
  });
});
