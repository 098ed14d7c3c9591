import { existsSync } from 'node:fs';
import path from 'node:path';
import { selectChanged, type Selection } from '../src/checks/changed.js';
import { listPythonFiles } from '../src/checks/files.js';
import type { Options } from '../src/config.js';
import type { Logger } from '../src/logger.js';

/** For --changed-since: what to lint and check, from git; undefined when the flag is not given. */
export async function changedSelection(options: Options, ref: string | undefined, log: Logger): Promise<Selection | undefined> {
  if (!ref) return undefined;
  // Loaded here: a run without --changed-since does not need git (nor execa).
  const { gitRepo } = await import('../src/git.js');
  const changed = (await gitRepo(options.root).changedSince(ref)).filter((f) => existsSync(path.join(options.root, f)));
  const dagFiles = (await listPythonFiles(options.root)).filter((f) => f.startsWith(`${options.dags_folder}/`));
  const selection = selectChanged(options, changed, dagFiles);
  log.info(`changed since ${ref}: ${selection.reason}`);
  return selection;
}
