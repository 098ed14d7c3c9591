import { chartTrue, finding, isIndirect, text, type AuditContext } from '../context.js';
import type { Finding } from '../../findings.js';

/** Where the metadata database lives and how Airflow gets its credentials. */
export function databaseRules(ctx: AuditContext): Finding[] {
  if (chartTrue(ctx.values.get('postgresql.enabled'))) {
    return [
      finding(ctx, {
        rule: 'helm-metadata-db-in-cluster',
        severity: 'error',
        at: ['postgresql.enabled'],
        message:
          "the metadata database is the chart's in-cluster PostgreSQL (postgresql.enabled is on, the chart's default): one pod without backups, monitoring or failover holds every DAG run, task state, connection and variable — the chart itself calls it not for production",
        help: 'set postgresql.enabled: false and point Airflow at a managed database through data.metadataSecretName (a Secret whose key "connection" holds postgresql://user:pass@host:5432/db)',
      }),
    ];
  }
  return externalDatabase(ctx);
}

function externalDatabase(ctx: AuditContext): Finding[] {
  const values = ctx.values;
  if (text(values.get('data.metadataSecretName'))) return [];
  const host = text(values.get('data.metadataConnection.host'));
  if (!host) {
    return [
      finding(ctx, {
        rule: 'helm-metadata-db-unset',
        severity: 'error',
        at: ['postgresql.enabled'],
        message:
          'postgresql.enabled is off but neither data.metadataSecretName nor data.metadataConnection.host is set: the chart then points Airflow at <release>-postgresql, which no longer exists, and no component can start',
        help: 'create a Secret with key "connection" = postgresql://user:pass@host:5432/db and set data.metadataSecretName: <secret name>',
      }),
    ];
  }
  const pass = text(values.get('data.metadataConnection.pass'));
  const setPass = values.setBy('data.metadataConnection.pass');
  const which = !pass ? 'without a password' : !setPass ? "with the chart's default password 'postgres'" : isIndirect(pass) ? 'with a templated password' : 'with its password in the file';
  return [
    finding(ctx, {
      rule: 'helm-metadata-db-plain-credentials',
      severity: 'error',
      at: ['data.metadataConnection.pass', 'data.metadataConnection.host'],
      message: `the metadata database connection (host ${host}) is given as plain values ${which}: the credentials sit in the values file, in git, in \`helm get values\` and in every stored release revision`,
      help: 'put the URI in a Secret (key "connection", e.g. from External Secrets or sealed-secrets) and set data.metadataSecretName: <secret name>; then drop data.metadataConnection',
    }),
  ];
}
