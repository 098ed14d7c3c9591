import { airflowOption, chartTrue, finding, text, type AuditContext } from '../context.js';
import type { Finding } from '../../findings.js';
import { configLiterals, envLiterals, extraLiterals, hasUriPassword, isWellKnown, literal, literalFinding, wellKnownFinding } from './secret-literals.js';

/** Chart keys that take a secret as a value, the key naming a Secret instead, and what the secret is. */
const SECRET_VALUES: Array<[key: string, secretName: string | undefined, what: string, signing: boolean]> = [
  ['fernetKey', 'fernetKeySecretName', 'fernetKey (the key encrypting connections and variables in the database)', false],
  ['webserverSecretKey', 'webserverSecretKeySecretName', 'webserverSecretKey (signs Airflow 2 session cookies)', true],
  ['apiSecretKey', 'apiSecretKeySecretName', 'apiSecretKey (signs Airflow 3 sessions and log tokens)', true],
  ['jwtSecret', 'jwtSecretName', 'jwtSecret (signs Airflow 3 API and task tokens)', true],
  ['data.resultBackendConnection.pass', 'data.resultBackendSecretName', 'the Celery result backend password', false],
  ['redis.password', 'redis.passwordSecretName', 'the Redis password', false],
  ['flower.password', 'flower.secretName', 'the Flower password', false],
  ['elasticsearch.connection.pass', 'elasticsearch.secretName', 'the Elasticsearch password', false],
  ['opensearch.connection.pass', 'opensearch.secretName', 'the OpenSearch password', false],
  ['registry.connection.pass', 'imagePullSecrets', 'the image registry password', false],
  ['dags.gitSync.sshKey', 'dags.gitSync.sshKeySecret', 'the git-sync SSH private key', false],
  ['kerberos.keytabBase64Content', undefined, 'the Kerberos keytab', false],
  ['pgbouncer.ssl.key', undefined, "PgBouncer's TLS private key", false],
];

/** Secrets written as values, well-known keys, keys regenerated on every upgrade, no secrets backend. */
export function secretsRules(ctx: AuditContext): Finding[] {
  return [...chartSecrets(ctx), brokerUrl(ctx), ...configLiterals(ctx), ...envLiterals(ctx), ...extraLiterals(ctx), ...generatedKeys(ctx), secretsBackend(ctx), defaultAdmin(ctx)].filter(
    (f): f is Finding => f !== undefined,
  );
}

function chartSecrets(ctx: AuditContext): Finding[] {
  const out: Finding[] = [];
  for (const [key, secretName, what, signing] of SECRET_VALUES) {
    const value = literal(ctx.values.get(key));
    // The chart ignores the value when the Secret is named; still, nobody should keep it around.
    if (!value) continue;
    const fix = secretName ? `create the Secret yourself and set ${secretName}: <name>; remove ${key}` : `provide it from a Secret mounted with extraVolumes; remove ${key}`;
    out.push(signing && isWellKnown(value) ? wellKnownFinding(ctx, key, what, value, `set ${secretName}: <name>; remove ${key}`) : literalFinding(ctx, key, what, fix));
  }
  return out;
}

function brokerUrl(ctx: AuditContext): Finding | undefined {
  const value = literal(ctx.values.get('data.brokerUrl'));
  if (!value || !hasUriPassword(value)) return undefined;
  return literalFinding(
    ctx,
    'data.brokerUrl',
    'data.brokerUrl (the Celery broker URI with its password)',
    'put the URI in a Secret (key "connection") and set data.brokerUrlSecretName: <name>; remove data.brokerUrl',
  );
}

/** Without a named Secret or a value, the chart renders a fresh random key into its Secret on every upgrade. */
function generatedKeys(ctx: AuditContext): Finding[] {
  // [value key, Secret name key, the key the chart reads inside that Secret, Airflow section, option]
  const keys: Array<[string, string, string, string, string]> =
    ctx.airflowMajor >= 3
      ? [
          ['apiSecretKey', 'apiSecretKeySecretName', 'api-secret-key', 'api', 'secret_key'],
          ['jwtSecret', 'jwtSecretName', 'jwt-secret', 'api_auth', 'jwt_secret'],
        ]
      : [['webserverSecretKey', 'webserverSecretKeySecretName', 'webserver-secret-key', 'webserver', 'secret_key']];
  return keys
    .filter(([value, secretName, , section, option]) => !text(ctx.values.get(value)) && !text(ctx.values.get(secretName)) && !airflowOption(ctx, section, option))
    .map(([value, secretName, secretKey]) =>
      finding(ctx, {
        rule: 'helm-secret-key-generated',
        severity: 'warning',
        at: [secretName, value],
        message: `neither ${secretName} nor ${value} is set: the chart renders a new random key on every helm upgrade, so each upgrade restarts every component and invalidates all sessions and tokens signed with the old key`,
        help: `create a Secret once (kubectl create secret generic airflow-${secretKey} --from-literal=${secretKey}=$(python3 -c 'import secrets; print(secrets.token_hex(32))')) and set ${secretName}: airflow-${secretKey}`,
      }),
    );
}

export function secretsBackend(ctx: AuditContext): Finding | undefined {
  const backend = airflowOption(ctx, 'secrets', 'backend');
  if (backend && text(backend.value)) return undefined;
  return finding(ctx, {
    rule: 'helm-secrets-backend-missing',
    severity: 'warning',
    at: [backend?.at ?? 'config.secrets.backend'],
    message:
      'no secrets backend is configured ([secrets] backend is empty): connections and variables live in the metadata database, readable by every Airflow admin and by anyone with the database and the Fernet key, and rotating one is a manual edit',
    help: 'set config.secrets.backend (e.g. airflow.providers.hashicorp.secrets.vault.VaultBackend or airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend) and config.secrets.backend_kwargs',
  });
}

function defaultAdmin(ctx: AuditContext): Finding | undefined {
  const values = ctx.values;
  if (!chartTrue(values.get('createUserJob.enabled')) || !chartTrue(values.get('webserver.defaultUser.enabled'))) return undefined;
  const password = text(values.get('webserver.defaultUser.password'));
  const user = text(values.get('webserver.defaultUser.username')) ?? 'admin';
  const which = !values.setBy('webserver.defaultUser.password') ? `the chart's default password '${password ?? ''}'` : 'a password written in the values';
  return finding(ctx, {
    rule: 'helm-default-admin-user',
    severity: 'error',
    at: ['webserver.defaultUser.password', 'webserver.defaultUser.enabled', 'createUserJob.enabled'],
    message: `the chart's create-user job makes an Admin user '${user}' with ${which}: anyone who reaches the UI can log in as Admin`,
    help: 'set webserver.defaultUser.enabled: false (or createUserJob.enabled: false) and create users through your identity provider or once by hand with a generated password',
  });
}
