import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckedFile } from '../src/checks/checker.js';
import type { Options } from '../src/config.js';
import { reasonOf } from '../src/errors.js';
import type { Logger } from '../src/logger.js';
import type { Outcome } from '../src/outcome.js';
import { renderComment, stringsOf } from '../src/report/comment.js';

/** True when the user asked for a pull-request comment (flag or DAGSHIP_PR_COMMENT=true). */
export const wantsComment = (flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env) => Boolean(flag) || env.DAGSHIP_PR_COMMENT === 'true';

/**
 * Creates or updates this job's comment on the pull request. One comment per workflow, job and matrix
 * entry (DAGSHIP_COMMENT_KEY), found again by a hidden marker, so every push edits it in place. A comment
 * is a convenience: any failure here is a warning, never a failed check.
 */
export async function commentOnPullRequest(
  title: string,
  outcome: Outcome,
  files: CheckedFile[],
  options: Options,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
  fetchImpl: typeof fetch = fetch,
): Promise<void> {
  const pr = pullRequestOf(env);
  if (!pr) {
    log.info('no pull request comment: this run is not for a pull request');
    return;
  }
  const token = env.DAGSHIP_GITHUB_TOKEN || env.GITHUB_TOKEN;
  if (!token) {
    log.warn('no pull request comment: pass github-token (or set GITHUB_TOKEN) with pull-requests: write');
    return;
  }
  const key = [env.GITHUB_WORKFLOW, env.GITHUB_JOB, env.DAGSHIP_COMMENT_KEY].filter(Boolean).join(' / ');
  const marker = `<!-- dagship-comment: ${key.replace(/--/g, '- -')} -->`;
  const body = renderComment({ title, marker, passed: outcome.passed, files, findings: outcome.runs.flatMap((r) => r.findings), secrets: secretsOf(options, env, token) });
  try {
    const api = github(env.GITHUB_API_URL ?? 'https://api.github.com', token, fetchImpl);
    const existing = await api.findComment(pr.repository, pr.number, marker);
    if (existing) await api.send('PATCH', `/repos/${pr.repository}/issues/comments/${existing}`, { body });
    else await api.send('POST', `/repos/${pr.repository}/issues/${pr.number}/comments`, { body });
    log.info(`${existing ? 'updated' : 'wrote'} the dagship comment on pull request #${pr.number} (${key})`);
  } catch (err) {
    log.warn(`could not write the pull request comment: ${reasonOf(err)}`);
  }
}

function pullRequestOf(env: NodeJS.ProcessEnv): { repository: string; number: number } | undefined {
  if (!env.GITHUB_EVENT_PATH || !env.GITHUB_REPOSITORY || !existsSync(env.GITHUB_EVENT_PATH)) return undefined;
  let event: { pull_request?: { number?: number } };
  try {
    event = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
  } catch {
    return undefined; // not the runner's event file: no pull request to comment on
  }
  const number = event?.pull_request?.number;
  return number ? { repository: env.GITHUB_REPOSITORY, number } : undefined;
}

function secretsOf(options: Options, env: NodeJS.ProcessEnv, token: string): string[] {
  const files = [options.check.variables, options.check.connections].flatMap((f) => (f ? [path.resolve(options.root, f)] : []));
  const values = files.flatMap((f) => {
    try {
      return stringsOf(JSON.parse(readFileSync(f, 'utf8')));
    } catch {
      return [];
    }
  });
  return [...values, token, env.DAGSHIP_REGISTRY_PASSWORD ?? '', ...(env.DAGSHIP_SIGNING_KEY ?? '').split('\n')];
}

function github(base: string, token: string, fetchImpl: typeof fetch) {
  const headers = { authorization: `Bearer ${token}`, accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'dagship' };
  const call = async (method: string, url: string, body?: object) => {
    const response = await fetchImpl(url.startsWith('http') ? url : `${base}${url}`, {
      method,
      headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body && JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`GitHub answered ${response.status} to ${method} ${new URL(response.url || base).pathname}`);
    return response;
  };
  return {
    send: (method: string, url: string, body: object) => call(method, url, body),
    /** Walks every page: a busy pull request has more than one page of comments. */
    async findComment(repository: string, number: number, marker: string): Promise<number | undefined> {
      let next: string | undefined = `/repos/${repository}/issues/${number}/comments?per_page=100`;
      while (next) {
        const response = await call('GET', next);
        const comments = (await response.json()) as { id: number; body?: string }[];
        const mine = comments.find((c) => c.body?.startsWith(marker));
        if (mine) return mine.id;
        next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
      }
      return undefined;
    },
  };
}
