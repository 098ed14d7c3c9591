import { REPOSITORY_SETTING } from '../../src/config.js';
import { pushImage } from '../../src/image/push.js';
import { resolveCredentials } from '../../src/credentials.js';
import { connectDocker } from '../../src/engine/index.js';
import { DagshipError } from '../../src/errors.js';
import { gitRepo } from '../../src/git.js';
import { connectRegistry } from '../../src/registry/index.js';
import { parseDuration } from '../../src/duration.js';
import type { ConfigFlags } from '../flags.js';
import { loadSettings } from '../settings.js';
import { setOutput } from '../github.js';
import { terminalLogger } from '../terminal.js';
import { withBuildFlags } from '../build-options.js';

export type PushFlags = ConfigFlags & {
  image?: string;
  shortSha?: boolean;
  tag?: string[];
  username?: string;
  passwordStdin?: boolean;
  allowDirty?: boolean;
  pushTimeout?: string;
};

/** Pushes the commit's image; prints the pinned reference (repository@sha256:…) on stdout. */
export async function push(repoPath: string | undefined, flags: PushFlags): Promise<number> {
  const options = withBuildFlags(loadSettings(repoPath, flags, false), flags);
  const timeoutMs = parseDuration(flags.pushTimeout ?? '30m', '--push-timeout');
  const explicit = await explicitCredentials(flags);
  const log = terminalLogger(Boolean(flags.verbose));
  // Time since the process started: Node's own start-up plus loading dagship's modules.
  log.debug(`push starts ${Math.round(performance.now())} ms after the process`);
  const outcome = await pushImage(
    { options, image: flags.image, allowDirty: flags.allowDirty, timeoutMs, deadlineName: `--push-timeout ${flags.pushTimeout ?? '30m'}` },
    {
      engine: connectDocker(),
      git: gitRepo(options.root),
      credentialsFor: (registry) => resolveCredentials(registry, { explicit, cwd: options.root }),
      registry: (host, credentials, deadline) => connectRegistry(host, fetch, { credentials, deadline, source: REPOSITORY_SETTING }),
    },
    log,
  );
  if (outcome.tags.length > 1) log.info(`tags: ${outcome.tags.join(', ')}`);
  setOutput('reference', outcome.reference);
  setOutput('digest', outcome.reference.split('@')[1] ?? '');
  process.stdout.write(`${outcome.reference}\n`);
  return 0;
}

/** --username with --password-stdin, the way docker login takes them. */
async function explicitCredentials(flags: PushFlags): Promise<{ username: string; password: string } | undefined> {
  if (!flags.passwordStdin) {
    if (flags.username) throw new DagshipError('--username needs --password-stdin', 'pipe the password in: echo "$TOKEN" | dagship push --username me --password-stdin', 'usage');
    return undefined;
  }
  if (!flags.username) throw new DagshipError('--password-stdin needs --username', 'name the registry user: --username me --password-stdin', 'usage');
  if (process.stdin.isTTY)
    throw new DagshipError('--password-stdin reads the password from stdin, but stdin is a terminal', 'pipe it in: echo "$TOKEN" | dagship push --username me --password-stdin', 'usage');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (!password) throw new DagshipError('--password-stdin read an empty password', 'pipe the password in on stdin', 'usage');
  return { username: flags.username, password };
}
