import { closeSync, openSync } from 'node:fs';
import * as core from '@actions/core';

/** True inside a GitHub Actions job: the CLI then also speaks the runner's protocol. */
export const inGitHubActions = (env: NodeJS.ProcessEnv = process.env) => env.GITHUB_ACTIONS === 'true';

const set = new Map<string, string>();

/**
 * The outputs this process set, by name: `dagship action` hands ship's pinned reference to its deploy
 * stage through them instead of reading $GITHUB_OUTPUT back.
 */
export const outputsSet: ReadonlyMap<string, string> = set;

/** A step output (`steps.<id>.outputs.<name>`); written only inside a job that gave us $GITHUB_OUTPUT. */
export function setOutput(name: string, value: string | number | boolean): void {
  set.set(name, String(value));
  // Without the file, @actions/core would fall back to the retired ::set-output command on stdout.
  if (inGitHubActions() && process.env.GITHUB_OUTPUT) core.setOutput(name, value);
}

/** Markdown for the job summary page ($GITHUB_STEP_SUMMARY); nothing outside Actions. */
export async function appendSummary(markdown: string): Promise<void> {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!inGitHubActions() || !file) return;
  // core refuses a summary file that does not exist yet; the runner makes it, a local run may not have.
  closeSync(openSync(file, 'a'));
  await core.summary.addRaw(markdown, true).write();
}

/** Tells the runner to mask a value in everything the job logs from now on. */
export function maskSecret(value: string): void {
  if (inGitHubActions() && value) core.setSecret(value);
}
