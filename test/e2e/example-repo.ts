import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { commitAll, REPO_ROOT } from './cli.js';
import type { Infra } from './infra.js';

/** The example repository as its own git repository, pointed at the test images and a fresh repository. */
export function exampleRepo(env: Infra, extra: Record<string, string> = {}, prefix = 'ship', moreConfig = ''): string {
  const repo = mkdtempSync(path.join(tmpdir(), `dagship-${prefix}-`));
  cpSync(path.join(REPO_ROOT, 'examples'), repo, { recursive: true });
  const name = `dagship-test/${prefix}-${randomBytes(4).toString('hex')}`;
  writeFileSync(path.join(repo, 'dagship.yaml'), `base_image: ${env.airflow3Image}\ntools_image: ${env.toolsImage}\nrepository: ${env.registry}/${name}\n${moreConfig}`);
  // Keep the run offline and fast: the requirements layer is covered by the build tests, the test gate
  // (a test environment per built image) by test-command.test.ts.
  writeFileSync(path.join(repo, 'requirements.txt'), '');
  for (const tests of ['tests', 'pytest.ini', 'requirements-dev.txt']) rmSync(path.join(repo, tests), { recursive: true, force: true });
  for (const [file, content] of Object.entries(extra)) {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), content);
  }
  commitAll(repo, 'ship fixture');
  return repo;
}

/** The pinned reference a ship or push printed. */
export function pinnedFrom(stdout: string): string {
  const match = /(\S+@sha256:[0-9a-f]{64})/.exec(stdout);
  if (!match) throw new Error(`no pinned reference in:\n${stdout}`);
  return match[1]!;
}
