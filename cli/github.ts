import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

/** True inside a GitHub Actions job: the CLI then also speaks the runner's protocol. */
export const inGitHubActions = (env: NodeJS.ProcessEnv = process.env) => env.GITHUB_ACTIONS === 'true';

/** A step output (`steps.<id>.outputs.<name>`), written the way the runner reads $GITHUB_OUTPUT. */
export function setOutput(name: string, value: string | number | boolean, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_OUTPUT;
  if (!inGitHubActions(env) || !file) return;
  const text = String(value);
  if (!text.includes('\n')) {
    appendFileSync(file, `${name}=${text}\n`);
    return;
  }
  // A multi-line value needs the heredoc form, with a delimiter the value cannot contain.
  const delimiter = `dagship_${randomUUID()}`;
  appendFileSync(file, `${name}<<${delimiter}\n${text}\n${delimiter}\n`);
}

/** Markdown for the job summary page ($GITHUB_STEP_SUMMARY); nothing outside Actions. */
export function appendSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  const file = env.GITHUB_STEP_SUMMARY;
  if (inGitHubActions(env) && file) appendFileSync(file, `${markdown}\n`);
}
