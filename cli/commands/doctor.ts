import { REPOSITORY_SETTING } from '../../src/config.js';
import { connectDocker } from '../../src/engine/index.js';
import { runDoctor, type CheckStatus } from '../../src/doctor.js';
import { gitRepo } from '../../src/git.js';
import { connectRegistry, registryApiHost } from '../../src/registry/index.js';
import { parseImageReference } from '../../src/image-reference.js';
import { imageCredentials } from '../credentials.js';
import { painter, useColor } from '../terminal.js';
import type { ConfigFlags } from '../flags.js';
import { loadSettings } from '../settings.js';

export type DoctorFlags = ConfigFlags & { clean?: boolean };

/** Reports whether this machine can run the pipeline; exit 2 when something it needs is missing. */
export async function doctor(repoPath: string | undefined, flags: DoctorFlags): Promise<number> {
  const options = loadSettings(repoPath, flags, false);
  const credentials = imageCredentials(options);
  const checks = await runDoctor(
    options,
    {
      docker: connectDocker(),
      git: gitRepo(options.root),
      registry: (host) => connectRegistry(host, fetch, { source: REPOSITORY_SETTING }),
      inRegistry: async (ref) => {
        const { registry, repository, tag, digest } = parseImageReference(ref);
        const client = connectRegistry(registryApiHost(registry), fetch, { credentials: await credentials(registry), retryDelaysMs: [], requestTimeoutMs: 10_000 });
        return Boolean(await client.manifest(repository, digest ?? tag ?? 'latest'));
      },
    },
    flags.clean,
  );
  const paint = painter(useColor());
  const mark: Record<CheckStatus, string> = { ok: paint('green', 'ok     '), warning: paint('yellow', 'warning'), problem: paint('red', 'problem') };
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.flatMap((c) => [
    `${mark[c.status]}  ${c.name.padEnd(width)}  ${c.detail}`,
    ...(c.hint && c.status !== 'ok' ? [`${' '.repeat(9 + width + 2)}${paint('dim', `hint: ${c.hint}`)}`] : []),
  ]);
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  lines.push('', `${count('ok')} ok, ${count('warning')} warning(s), ${count('problem')} problem(s)`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return count('problem') > 0 ? 2 : 0;
}
