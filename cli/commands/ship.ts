import { REPOSITORY_SETTING } from '../../src/config.js';
import { credentialsOnce } from '../../src/credentials.js';
import { connectDocker } from '../../src/engine/index.js';
import { gitRepo } from '../../src/git.js';
import { ship as runPipeline } from '../../src/pipeline.js';
import { connectRegistry } from '../../src/registry/index.js';
import { parseDuration } from '../../src/duration.js';
import { signingKey } from '../attest.js';
import { withBuildFlags, type BuildFlags } from '../build-options.js';
import type { ReportFlags } from '../flags.js';
import { loadSettings } from '../settings.js';
import { imageCredentials } from '../credentials.js';
import { setOutput } from '../github.js';
import { present } from '../present.js';
import { painter, terminalLogger, useColor } from '../terminal.js';
import { VERSION } from '../version.js';

export type ShipFlags = BuildFlags & ReportFlags & { push?: boolean; pushTimeout?: string };

/** The pipeline (src/pipeline.ts) with its findings shown, its outputs set and its result on stdout. */
export async function ship(repoPath: string | undefined, flags: ShipFlags): Promise<number> {
  const options = withBuildFlags(loadSettings(repoPath, flags), flags);
  const log = terminalLogger(Boolean(flags.verbose));
  const push = flags.push !== false;
  // A broken key must stop the run before anything is built, not after the push.
  const key = push ? signingKey() : undefined;
  const pushTimeout = flags.pushTimeout ?? '30m';
  const pushTimeoutMs = parseDuration(pushTimeout, '--push-timeout');
  const result = await runPipeline(
    {
      options,
      dagshipVersion: VERSION,
      allowDirty: flags.allowDirty,
      includeBaseLayers: flags.includeBaseLayers,
      push,
      pushTimeoutMs,
      pushDeadlineName: `--push-timeout ${pushTimeout}`,
      signingKey: key,
    },
    {
      engine: connectDocker(),
      git: gitRepo(options.root),
      credentialsFor: imageCredentials(options),
      pushCredentialsFor: credentialsOnce({ cwd: options.root }),
      registry: (host, credentials, deadline) => connectRegistry(host, fetch, { credentials, deadline, source: REPOSITORY_SETTING }),
      onChecked: (built) => {
        setOutput('image', built.image);
        setOutput('tag', built.image.slice(built.image.lastIndexOf(':') + 1));
        setOutput('image-id', built.id);
      },
    },
    log,
  );
  const code = await present(result.outcome, { title: 'dagship ship', reports: flags.reports, summary: result.summary });
  if (result.stoppedAt) {
    const reused = result.reused ? `; ${result.reused.image} in the registry is left as it is` : '';
    process.stderr.write(`ship stopped at ${result.stoppedAt}: nothing was ${result.stoppedAt === 'check' || result.stoppedAt === 'test' ? '' : 'built or '}pushed${reused}\n`);
    return code;
  }
  const paint = painter(useColor());
  if (result.reused) {
    setOutput('reference', result.reused.reference);
    setOutput('digest', result.reused.reference.slice(result.reused.reference.indexOf('@') + 1));
    process.stdout.write(`${paint('green', '✔ reused')} ${result.reused.reference} — the commit's image was in the registry: pulled and checked, nothing built or pushed\n`);
    return 0;
  }
  const built = result.built!;
  if (!result.pushed) {
    process.stdout.write(`${paint('green', '✔ shipped locally')} ${built.image} (${built.id.slice(0, 19)}) — not pushed (--no-push)\n`);
    return 0;
  }
  setOutput('reference', result.pushed.reference);
  setOutput('digest', result.pushed.digest);
  process.stdout.write(`${paint('green', '✔ shipped')} ${result.pushed.reference}\n`);
  return 0;
}
