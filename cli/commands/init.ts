import { initFiles, workflowInputs, writeInitFiles } from '../../src/init.js';
import type { ConfigFlags } from '../flags.js';
import { loadSettings } from '../settings.js';

export type InitFlags = ConfigFlags & { force?: boolean };

/** Writes dagship.yaml, the three workflows and the deploy Role; never overwrites without --force. */
export async function init(repoPath: string | undefined, flags: InitFlags): Promise<number> {
  const options = loadSettings(repoPath, flags);
  const files = initFiles(options);
  writeInitFiles(options.root, files, Boolean(flags.force));
  const { secrets, variables } = workflowInputs(files);
  const inferred = options.inferred ?? [];
  process.stdout.write(
    [
      ...files.map((f) => `wrote ${f.path}`),
      '',
      inferred.length ? `inferred (recorded, commented out, in dagship.yaml): ${inferred.map((i) => `${i.what} (${i.from})`).join('; ')}` : 'inferred nothing: set base_image in dagship.yaml',
      'next:',
      "  1. set 'repository' in dagship.yaml (where images are pushed), then run: dagship ship . --no-push",
      `  2. create the repository secrets ${secrets.join(', ')} and variables ${variables.join(', ')} (dagship keygen -o team writes the signing key pair)`,
      '  3. apply the deploy Role in each Airflow namespace: kubectl -n <namespace> apply -f deploy/dagship-rbac.yaml',
      '',
    ].join('\n'),
  );
  return 0;
}
