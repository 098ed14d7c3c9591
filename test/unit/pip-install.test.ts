import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pipAccess } from '../../src/image/pip-credentials.js';
import { PipProgress } from '../../src/image/pip-output.js';
import { redact } from '../../src/secrets.js';

function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    log: {
      debug: (m: string) => lines.push(`debug ${m}`),
      info: (m: string) => lines.push(`info ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
      group: <T>(_: string, w: () => Promise<T>) => w(),
    },
  };
}

describe("pip's output as progress", () => {
  it('shows what pip collects, downloads and installs, and warns once when it backtracks', () => {
    const { lines, log } = recordingLogger();
    const progress = new PipProgress(log, '3.3.2');
    const output = readFileSync(path.join(__dirname, '../fixtures/recorded/pip-backtracking.txt'));
    // In pieces that split lines, as the engine's stream does.
    for (let i = 0; i < output.length; i += 37) progress.push(output.subarray(i, i + 37));
    expect(lines.filter((l) => l.startsWith('info'))).toEqual([
      'info pip: Looking in indexes: http://u:****@127.0.0.1:43505/simple',
      'info pip: Collecting backtrack-me',
      'info pip: Downloading http://127.0.0.1:43505/files/backtrack_me-2.0-py3-none-any.whl',
      'info pip: Collecting needs-newer-airflow',
      'info pip: Downloading http://127.0.0.1:43505/files/needs_newer_airflow-1.0-py3-none-any.whl',
      'info pip: INFO: pip is looking at multiple versions of backtrack-me to determine which version is compatible with other requirements. This could take a while.',
      'info pip: Collecting backtrack-me',
      'info pip: Downloading http://127.0.0.1:43505/files/backtrack_me-1.0-py3-none-any.whl',
      'info pip: Installing collected packages: backtrack-me',
      'info pip: Successfully installed backtrack-me-1.0',
    ]);
    expect(lines.filter((l) => l.startsWith('debug'))).toHaveLength(3);
    const warnings = lines.filter((l) => l.startsWith('warn'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('it tries one version of backtrack-me after another');
    expect(warnings[0]).toContain('constraints-3.3.2/constraints-<python version>.txt');
    progress.push(Buffer.from('INFO: This is taking longer than usual. You might need to provide the dependency resolver with stricter constraints\n'));
    expect(lines.filter((l) => l.startsWith('warn'))).toHaveLength(1);
    expect(progress.backtracked).toEqual(['backtrack-me']);
    expect(progress.tail(2)).toBe('Successfully installed backtrack-me-1.0\nINFO: This is taking longer than usual. You might need to provide the dependency resolver with stricter constraints');
  });
});

describe('package index settings for pip', () => {
  it('takes index URLs, a netrc and a pip.conf, names where they came from, and masks every password', () => {
    const home = mkdtempSync(path.join(tmpdir(), 'dagship-pip-home-'));
    writeFileSync(path.join(home, '.netrc'), 'machine a.example password nr-Secret-1 login reader\nmachine b.example login other password nr-Secret-2\n');
    mkdirSync(path.join(home, '.config', 'pip'), { recursive: true });
    writeFileSync(path.join(home, '.config', 'pip', 'pip.conf'), '[global]\nextra-index-url = https://bot:conf-Secret-3@c.example/simple\n');
    const access = pipAccess({ HOME: home, PIP_INDEX_URL: 'https://ci:url-Secret-4@d.example/simple', PATH: '/bin', DAGSHIP_BUILD_REQUIREMENTS_TIMEOUT: '5m' });
    expect(access.sources).toEqual(['PIP_INDEX_URL', path.join(home, '.netrc'), path.join(home, '.config', 'pip', 'pip.conf')]);
    expect(Object.keys(access.env).sort()).toEqual(['DAGSHIP_NETRC', 'DAGSHIP_PIP_CONF', 'PIP_INDEX_URL']);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const said = `nr-Secret-1 nr-Secret-2 conf-Secret-3 url-Secret-4 ${b64('reader:nr-Secret-1')} ${b64('other:nr-Secret-2')} ${b64('bot:conf-Secret-3')} ${b64('ci:url-Secret-4')}`;
    expect(redact(said)).toBe(Array(8).fill('***').join(' '));
  });

  it('prefers PIP_CONFIG_FILE and NETRC, and refuses ones that name no file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dagship-pip-files-'));
    writeFileSync(path.join(dir, 'conf'), '[global]\n');
    writeFileSync(path.join(dir, 'rc'), 'default login x password y-Secret\n');
    expect(pipAccess({ HOME: dir, PIP_CONFIG_FILE: path.join(dir, 'conf'), NETRC: path.join(dir, 'rc') }).sources).toEqual([
      `NETRC (${path.join(dir, 'rc')})`,
      `PIP_CONFIG_FILE (${path.join(dir, 'conf')})`,
    ]);
    expect(() => pipAccess({ HOME: dir, NETRC: path.join(dir, 'missing') })).toThrow(/NETRC names .*missing, which is not a file/);
    expect(pipAccess({ HOME: dir, PIP_CONFIG_FILE: '/dev/null' }).sources).toEqual([]);
  });
});
