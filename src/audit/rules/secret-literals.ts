import { parse } from 'yaml';
import { finding, isIndirect, text, type AuditContext } from '../context.js';
import { isMapping, type Path } from '../values.js';
import type { Finding } from '../../findings.js';

/**
 * Values that must never be written down: known public defaults or placeholders. A key like this signs
 * session cookies, so anyone who knows it can forge a login.
 */
export const WELL_KNOWN_KEYS: Record<string, string> = {
  temporary_key: "Airflow's old built-in default (CVE-2020-17526: anyone can forge a session cookie with it)",
  '<secret_key>': "the placeholder of the chart's production guide",
  changeme: 'a common placeholder',
  change_me: 'a common placeholder',
  secret: 'a common placeholder',
  secret_key: 'a common placeholder',
  supersecret: 'a common placeholder',
  'your-secret-key': 'a common placeholder',
};

/** Airflow options whose value is a credential (Airflow marks them sensitive). */
export const SENSITIVE_OPTIONS = new Set([
  'core.fernet_key',
  'core.sql_alchemy_conn',
  'database.sql_alchemy_conn',
  'database.sql_alchemy_conn_async',
  'celery.broker_url',
  'celery.result_backend',
  'celery.flower_basic_auth',
  'webserver.secret_key',
  'api.secret_key',
  'api_auth.jwt_secret',
  'smtp.smtp_password',
  'sentry.sentry_dsn',
]);

/** The option keys whose value is a session-signing key: a well-known value there is worse than plain. */
export const SIGNING_KEYS = new Set(['webserver.secret_key', 'api.secret_key', 'api_auth.jwt_secret']);

/** user:password@ inside a URI: a connection string with its password. */
export const hasUriPassword = (value: string): boolean => /^[a-z][\w+.-]*:\/\/[^/\s:@]*:[^@\s/]+@/i.test(value.trim());

/** A literal worth flagging: a non-empty scalar that is not a template, sops ciphertext or CI placeholder. */
export function literal(value: unknown): string | undefined {
  const t = text(value);
  return t && typeof value !== 'boolean' && !isIndirect(t) ? t : undefined;
}

export function literalFinding(ctx: AuditContext, at: Path, what: string, fix: string): Finding {
  return finding(ctx, {
    rule: 'helm-secret-literal',
    severity: 'error',
    at: [at],
    message: `${what} is written in the values as a literal: it sits in the file, in git, in \`helm get values\` and in every stored release revision`,
    help: fix,
  });
}

export function wellKnownFinding(ctx: AuditContext, at: Path, what: string, value: string, fix: string): Finding {
  return finding(ctx, {
    rule: 'helm-secret-key-well-known',
    severity: 'error',
    at: [at],
    message: `${what} is '${value}', ${WELL_KNOWN_KEYS[value.trim().toLowerCase()] ?? 'a well-known value'}: anyone who knows it can sign session cookies or tokens and log in as any user`,
    help: `generate a new key (python3 -c 'import secrets; print(secrets.token_hex(32))'), keep it in a Secret, and ${fix}`,
  });
}

export const isWellKnown = (value: string): boolean => value.trim().toLowerCase() in WELL_KNOWN_KEYS;

/** Credentials written under config.<section>.<option>: sensitive options, and any URI with a password. */
export function configLiterals(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const { keyPath } of ctx.values.setUnder('config')) {
    if (keyPath.length !== 3) continue;
    const option = `${keyPath[1]}.${keyPath[2]}`;
    const value = literal(ctx.values.get(keyPath));
    if (!value || !sensitiveOption(keyPath[1]!, keyPath[2]!, value)) continue;
    const what = `config.${option}`;
    const fix = `remove it from the values and provide it from a Secret: the chart's built-in secrets, a secrets backend, or ${keyPath[2]}_secret / ${keyPath[2]}_cmd`;
    out.push(SIGNING_KEYS.has(option) && isWellKnown(value) ? wellKnownFinding(ctx, keyPath, what, value, `drop ${what}`) : literalFinding(ctx, keyPath, what, fix));
  }
  return out;
}

const ENV_LISTS = ['env', 'scheduler.env', 'workers.env', 'apiServer.env', 'webserver.env', 'triggerer.env', 'dagProcessor.env'];
const SECRET_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY|FERNET|CREDENTIAL/i;

/** Is this environment variable a credential? AIRFLOW__SECTION__OPTION is judged by its option, not its section. */
export function sensitiveEnv(name: string, value: string): boolean {
  const option = /^AIRFLOW__([A-Z0-9_]+?)__([A-Z0-9_]+)$/.exec(name);
  if (!option) return name.startsWith('AIRFLOW_CONN_') || SECRET_NAME.test(name);
  return sensitiveOption(option[1]!.toLowerCase(), option[2]!.toLowerCase(), value);
}

/** Secret-looking keys inside [secrets] backend_kwargs: a Vault token or AppRole secret_id, a password. */
const SECRET_KWARG = /token|password|secret_id|secret_key|private_key|client_secret/i;

function sensitiveOption(section: string, option: string, value: string): boolean {
  if (SENSITIVE_OPTIONS.has(`${section}.${option}`)) return true;
  if (section === 'secrets' && option === 'backend_kwargs') return SECRET_KWARG.test(value);
  // _secret / _cmd variants name where the value comes from, not the value.
  if (/_(cmd|secret)$/.test(option)) return false;
  return SECRET_NAME.test(option) || hasUriPassword(value);
}

/** `env` lists: { name, value } pairs that the chart renders as plain environment variables. */
export function envLiterals(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const list of ENV_LISTS) {
    const entries = ctx.values.get(list);
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry, index) => {
      if (!isMapping(entry) || typeof entry.name !== 'string') return;
      const value = literal(entry.value);
      if (!value || !(sensitiveEnv(entry.name, value) || hasUriPassword(value))) return;
      const at = [...list.split('.'), String(index), 'value'];
      const what = `${list}[${index}] ${entry.name}`;
      out.push(
        /SECRET_KEY$|JWT_SECRET$/.test(entry.name) && isWellKnown(value)
          ? wellKnownFinding(ctx, at, what, value, `remove ${entry.name} from ${list}`)
          : literalFinding(ctx, at, what, `move ${entry.name} into a Secret and reference it from the \`secret\` list (envName/secretName/secretKey) or extraEnvFrom`),
      );
    });
  }
  return out;
}

/** extraEnv (a YAML string) and extraSecrets (Secrets the chart creates from values). */
export function extraLiterals(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  const extraEnv = text(ctx.values.get('extraEnv'));
  if (extraEnv && !isIndirect(extraEnv)) {
    for (const name of literalEnvNames(extraEnv)) {
      out.push(literalFinding(ctx, 'extraEnv', `extraEnv ${name}`, `use valueFrom.secretKeyRef for ${name} instead of value`));
    }
  }
  const extraSecrets = ctx.values.get('extraSecrets');
  if (isMapping(extraSecrets)) {
    for (const [name, spec] of Object.entries(extraSecrets)) {
      if (!isMapping(spec) || !(literal(spec.data) || literal(spec.stringData))) continue;
      const fix = 'create the Secret outside the values (External Secrets, sealed-secrets, or sops-encrypted values) and reference it from extraEnvFrom/secret';
      out.push(literalFinding(ctx, ['extraSecrets', name], `extraSecrets '${name}'`, fix));
    }
  }
  return out;
}

function literalEnvNames(extraEnv: string): string[] {
  let entries: unknown;
  try {
    entries = parse(extraEnv);
  } catch {
    return [];
  }
  if (!Array.isArray(entries)) return [];
  return entries
    .filter((e): e is Record<string, unknown> => isMapping(e) && typeof e.name === 'string')
    .filter((e) => {
      const value = literal(e.value);
      return Boolean(value) && (sensitiveEnv(String(e.name), value!) || hasUriPassword(value!));
    })
    .map((e) => String(e.name));
}
