import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { DagshipError } from '../errors.js';
import { registerSecret } from '../secrets.js';

/**
 * What pip needs to reach the team's package indexes, from where pip users keep it: PIP_INDEX_URL and
 * PIP_EXTRA_INDEX_URL (credentials as user-info), a netrc (NETRC or ~/.netrc), a pip.conf
 * (PIP_CONFIG_FILE, else the user's). Everything secret in them is registered for masking at once.
 */
export interface PipAccess {
  /** Environment of the pip command only (see requirements.ts for how files reach it). */
  env: Record<string, string>;
  /** Where settings came from, for the log: names and paths, never values. */
  sources: string[];
}

/** Passed to pip as they are: pip's own settings for indexes, and the proxies. */
const PASSED = ['PIP_INDEX_URL', 'PIP_EXTRA_INDEX_URL', 'PIP_TRUSTED_HOST', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy'];

/** Names of the script's variables that carry file contents (requirements.ts writes them to files). */
export const FILE_VARIABLES = { netrc: 'DAGSHIP_NETRC', pipConf: 'DAGSHIP_PIP_CONF' } as const;

export function pipAccess(env: NodeJS.ProcessEnv = process.env): PipAccess {
  const out: PipAccess = { env: {}, sources: [] };
  for (const name of PASSED.filter((n) => env[n])) {
    out.env[name] = env[name]!;
    if (name.startsWith('PIP_')) out.sources.push(name);
    registerUrls(env[name]!);
  }
  const home = env.HOME || homedir();
  const netrc = env.NETRC || path.join(home, '.netrc');
  const netrcText = readIfFile(netrc, env.NETRC ? 'NETRC' : undefined);
  if (netrcText !== undefined) {
    out.env[FILE_VARIABLES.netrc] = netrcText;
    out.sources.push(env.NETRC ? `NETRC (${netrc})` : netrc);
    registerNetrc(netrcText);
  }
  const conf = pipConfigFile(env, home);
  const confText = conf && readIfFile(conf.file, conf.from);
  if (conf && confText !== undefined) {
    out.env[FILE_VARIABLES.pipConf] = confText;
    out.sources.push(conf.from ? `${conf.from} (${conf.file})` : conf.file);
    registerUrls(confText);
  }
  return out;
}

/** Credentials written inside requirements.txt itself (`--extra-index-url https://user:pass@…`). */
export function registerRequirementSecrets(text: string): void {
  registerUrls(text);
}

/** PIP_CONFIG_FILE, else the user's pip.conf as pip finds it (the XDG place first). */
function pipConfigFile(env: NodeJS.ProcessEnv, home: string): { file: string; from?: string } | undefined {
  const given = env.PIP_CONFIG_FILE;
  if (given) return given === '/dev/null' || given === 'os.devnull' ? undefined : { file: given, from: 'PIP_CONFIG_FILE' };
  const candidates = [path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'pip', 'pip.conf'), path.join(home, '.pip', 'pip.conf')];
  const file = candidates.find((f) => existsSync(f) && statSync(f).isFile());
  return file ? { file } : undefined;
}

/** A file's text; a file named by a variable must exist, a default place may be empty. */
function readIfFile(file: string, variable?: string): string | undefined {
  if (existsSync(file) && statSync(file).isFile()) return readFileSync(file, 'utf8');
  if (!variable) return undefined;
  throw new DagshipError(`${variable} names ${file}, which is not a file`, `point ${variable} at the file, or unset it`, 'config');
}

/** Every URL with user-info: its password (in each form) and the basic-auth base64 of user:password. */
function registerUrls(text: string): void {
  for (const [url] of text.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:[^\s/@'"]+@[^\s'"]*/gi)) registerSecret(url);
}

/** netrc: `machine h login l password p`, tokens in any order and layout; each password and login:password masked. */
function registerNetrc(text: string): void {
  const tokens = text.split(/\s+/).filter(Boolean);
  const entries: { login?: string; password?: string }[] = [{}];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === 'machine' || token === 'default') entries.push({});
    else if ((token === 'login' || token === 'password') && i + 1 < tokens.length) entries.at(-1)![token] = tokens[++i];
  }
  for (const { login, password } of entries) {
    if (!password) continue;
    registerSecret(password);
    if (login) registerSecret(Buffer.from(`${login}:${password}`).toString('base64'));
  }
}
