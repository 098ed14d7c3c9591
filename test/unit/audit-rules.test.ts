import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHART_DEFAULTS, mergeValues, parseValuesText, runAudit, type AuditOptions } from '../../src/audit/index.js';
import type { Finding } from '../../src/findings.js';

/**
 * Each rule against the clean production values (no findings) with one overlay that breaks one thing:
 * the overlay is file v2.yaml, so a finding about a key it set points into it.
 */
const PRODUCTION = readFileSync('test/fixtures/helm/production.yaml', 'utf8');
const REPOSITORY = 'registry.example.com/data/airflow-dags';

function audit(overlay: string | string[], options: AuditOptions = { repository: REPOSITORY }, base = PRODUCTION): Finding[] {
  const texts = [base, ...[overlay].flat()];
  const files = texts.map((t, i) => parseValuesText(t, `v${i + 1}.yaml`));
  return runAudit(mergeValues(CHART_DEFAULTS, files), options);
}

const rules = (findings: Finding[]) => findings.map((f) => f.rule).sort();
const where = (f: Finding | undefined) => (f ? `${f.file}:${f.line}` : undefined);

describe('the production values', () => {
  it('pass every check', () => {
    expect(audit([])).toEqual([]);
  });
});

describe('metadata database', () => {
  it('flags the in-cluster PostgreSQL, even when "false" is quoted (the chart sees a non-empty string)', () => {
    const [f] = audit('postgresql:\n  enabled: true\n');
    expect(f).toMatchObject({ tool: 'dagship', rule: 'helm-metadata-db-in-cluster', severity: 'error', file: 'v2.yaml', line: 2, column: 3 });
    expect(f!.help).toContain('postgresql.enabled: false');
    expect(rules(audit('postgresql:\n  enabled: "false"\n'))).toEqual(['helm-metadata-db-in-cluster']);
  });

  it('flags a plain external connection, naming whose password it is', () => {
    const plain = audit('data:\n  metadataSecretName: null\n  metadataConnection:\n    host: db.example.com\n    pass: hunter2\n');
    expect(rules(plain)).toEqual(['helm-metadata-db-plain-credentials']);
    expect(where(plain[0])).toBe('v2.yaml:5');
    expect(plain[0]!.message).toContain('with its password in the file');
    const defaultPass = audit('data:\n  metadataSecretName: null\n  metadataConnection:\n    host: db.example.com\n');
    expect(defaultPass[0]!.message).toContain("the chart's default password 'postgres'");
    expect(where(defaultPass[0])).toBe('v2.yaml:4');
  });

  it('flags an external database with no connection at all', () => {
    expect(rules(audit('data:\n  metadataSecretName: ~\n'))).toEqual(['helm-metadata-db-unset']);
  });
});

describe('DAG delivery', () => {
  it('flags git-sync with its reasons, and then does not ask for a baked image', () => {
    const found = audit('images:\n  airflow:\n    repository: apache/airflow\ndags:\n  gitSync:\n    enabled: true\n');
    expect(rules(found)).toEqual(['helm-dags-git-sync']);
    expect(found.find((f) => f.rule === 'helm-dags-git-sync')).toMatchObject({ severity: 'warning', line: 6 });
  });

  it('flags an image that is not the dagship repository when nothing else ships DAGs', () => {
    const found = audit('images:\n  airflow:\n    repository: registry.example.com/other/airflow\n').filter((f) => f.rule === 'helm-dags-not-shipped');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'error', line: 3 });
    expect(found[0]!.message).toContain('not the dagship-built repository registry.example.com/data/airflow-dags');
  });

  it('without a configured repository, counts any non-stock image as baked and the stock one as empty', () => {
    expect(rules(audit([], {}))).toEqual([]);
    const stock = audit('images:\n  airflow:\n    repository: docker.io/apache/airflow\n', {}).map((f) => f.rule);
    expect(stock).toContain('helm-dags-not-shipped');
  });

  it('accepts a DAG volume, but warns when it is ReadWriteOnce', () => {
    const found = audit('dags:\n  persistence:\n    enabled: true\n');
    expect(rules(found)).toEqual(['helm-dags-pvc-access-mode']);
    expect(found[0]!.message).toContain("(the chart's default)");
    expect(audit('dags:\n  persistence:\n    enabled: true\n    accessMode: ReadWriteMany\n')).toEqual([]);
    expect(audit('dags:\n  persistence:\n    enabled: true\n    existingClaim: team-dags\n')).toEqual([]);
  });
});

describe('logs', () => {
  it('flags logs that vanish with the pod', () => {
    const found = audit('config:\n  logging:\n    remote_logging: "False"\n');
    expect(rules(found)).toEqual(['helm-logs-ephemeral']);
    expect(where(found[0])).toBe('v2.yaml:3');
  });

  it('flags remote logging without a folder', () => {
    const found = audit('config:\n  logging:\n    remote_base_log_folder: ""\n');
    expect(found[0]!.message).toContain('remote_base_log_folder is empty');
  });

  it('lets an AIRFLOW__ variable in env win over config, as Airflow does', () => {
    const found = audit('env:\n  - name: AIRFLOW__LOGGING__REMOTE_LOGGING\n    value: "false"\n');
    expect(rules(found)).toEqual(['helm-logs-ephemeral']);
    expect(found[0]).toMatchObject({ line: 3, column: 5 });
  });

  it('accepts a logs volume or Elasticsearch; an existing claim gets a note to check its access mode', () => {
    const off = 'config:\n  logging:\n    remote_logging: "False"\n';
    expect(audit([off, 'logs:\n  persistence:\n    enabled: true\n'])).toEqual([]);
    expect(audit([off, 'elasticsearch:\n  enabled: true\n'])).toEqual([]);
    const note = audit([off, 'logs:\n  persistence:\n    enabled: true\n    existingClaim: shared-logs\n']);
    expect(note).toMatchObject([{ rule: 'helm-logs-existing-claim', severity: 'note', file: 'v3.yaml', line: 4 }]);
  });
});

describe('secrets', () => {
  it('flags literal keys, passwords and connection URIs wherever they are written', () => {
    const overlay = [
      'fernetKey: 7T512UXSSmBOkpWimFHIVb8jK6lfmSAvx4mO6Arehnc=',
      'redis:\n  password: redis-pw',
      'config:\n  database:\n    sql_alchemy_conn: postgresql://a:b@db/airflow\n  smtp:\n    smtp_host: smtp.example.com',
      'data:\n  brokerUrl: redis://:pw@redis:6379/0\n  resultBackendConnection:\n    pass: rb-pw',
      'env:\n  - name: AIRFLOW_CONN_WAREHOUSE\n    value: snowflake://u:p@acct/db\n  - name: SLACK_TOKEN\n    value: xoxb-123\n  - name: AIRFLOW__CORE__LOAD_EXAMPLES\n    value: "False"',
      'extraEnv: |\n  - name: AIRFLOW__SMTP__SMTP_PASSWORD\n    value: smtp-pw\n  - name: OTHER\n    valueFrom: { secretKeyRef: { name: s, key: k } }',
      'extraSecrets:\n  team-conns:\n    stringData: |\n      AIRFLOW_CONN_X: http://u:p@x',
    ];
    const found = audit(overlay.map((o) => `${o}\n`));
    expect(found.every((f) => f.rule === 'helm-secret-literal' && f.severity === 'error')).toBe(true);
    expect(found.map((f) => `${f.file}:${f.line}`).sort()).toEqual(['v2.yaml:1', 'v3.yaml:2', 'v4.yaml:3', 'v5.yaml:2', 'v5.yaml:4', 'v6.yaml:3', 'v6.yaml:5', 'v7.yaml:1', 'v8.yaml:2']);
  });

  it('leaves templates, sops ciphertext, CI placeholders and URIs without passwords alone', () => {
    const found = audit(
      'fernetKey: "{{ .Values.fernet }}"\nredis:\n  password: ENC[AES256_GCM,data:abc,type:str]\nflower:\n  password: ${FLOWER_PASSWORD}\ndata:\n  brokerUrl: redis://redis:6379/0\n',
    );
    expect(found).toEqual([]);
  });

  it('flags well-known signing keys as such, in values, config and env', () => {
    const found = audit('apiSecretKey: "<secret_key>"\nconfig:\n  api:\n    secret_key: temporary_key\nenv:\n  - name: AIRFLOW__API_AUTH__JWT_SECRET\n    value: changeme\n');
    expect(rules(found)).toEqual(['helm-secret-key-well-known', 'helm-secret-key-well-known', 'helm-secret-key-well-known']);
    expect(found.map((f) => f.line)).toEqual([1, 4, 7]);
    expect(found[1]!.message).toContain('CVE-2020-17526');
  });

  it('warns when the chart would generate a signing key on every upgrade', () => {
    const found = audit('jwtSecretName: null\n');
    expect(found).toMatchObject([{ rule: 'helm-secret-key-generated', severity: 'warning', file: 'v2.yaml', line: 1 }]);
    expect(found[0]!.help).toContain('--from-literal=jwt-secret=');
    const airflow2 = audit('airflowVersion: "2.11.0"\nwebserver:\n  resources: { requests: { cpu: 1 }, limits: { memory: 1Gi } }\n');
    expect(rules(airflow2)).toEqual(['helm-secret-key-generated']);
    expect(airflow2[0]!.message).toContain('webserverSecretKeySecretName');
  });

  it('warns without a secrets backend; an env variable counts', () => {
    const found = audit('config:\n  secrets:\n    backend: null\n');
    expect(found).toMatchObject([{ rule: 'helm-secrets-backend-missing', file: 'v2.yaml', line: 3 }]);
    expect(audit(['config:\n  secrets:\n    backend: null\n', 'env:\n  - name: AIRFLOW__SECRETS__BACKEND\n    value: x.Backend\n'])).toEqual([]);
  });

  it('flags backend_kwargs only when they carry a credential', () => {
    const vault = audit('config:\n  secrets:\n    backend_kwargs: \'{"url": "https://vault:8200", "token": "s.abc"}\'\n');
    expect(vault).toMatchObject([{ rule: 'helm-secret-literal', line: 3 }]);
  });

  it("flags the create-user job's default Admin", () => {
    const found = audit('webserver:\n  defaultUser:\n    enabled: true\n');
    expect(found).toMatchObject([{ rule: 'helm-default-admin-user', severity: 'error', line: 3 }]);
    expect(found[0]!.message).toContain("default password 'admin'");
    expect(audit('webserver:\n  defaultUser:\n    enabled: true\ncreateUserJob:\n  enabled: false\n')).toEqual([]);
  });
});

describe('RBAC and isolation', () => {
  it('flags rbac.create off, cluster-wide roles and disabled network policies', () => {
    const found = audit('rbac:\n  create: false\nmultiNamespaceMode: true\nnetworkPolicies:\n  enabled: false\n');
    expect(found.map((f) => [f.rule, f.severity, f.line])).toEqual([
      ['helm-rbac-disabled', 'error', 2],
      ['helm-rbac-cluster-wide', 'warning', 3],
      ['helm-network-policies-disabled', 'warning', 5],
    ]);
  });

  it("flags workers on the namespace's default ServiceAccount, per executor", () => {
    const legacyOff = 'workers:\n  serviceAccount:\n    create: false\n';
    // KubernetesExecutor task pods use workers.kubernetes.serviceAccount while it creates one.
    expect(audit(legacyOff)).toEqual([]);
    const k8s = audit([legacyOff, 'workers:\n  kubernetes:\n    serviceAccount:\n      create: false\n']);
    expect(k8s).toMatchObject([{ rule: 'helm-worker-default-service-account', file: 'v2.yaml', line: 3 }]);
    const celery = audit([legacyOff, 'executor: CeleryExecutor\n']).filter((f) => f.rule === 'helm-worker-default-service-account');
    expect(celery.map((f) => f.message.match(/\((\S+):/)?.[1])).toEqual(['workers.serviceAccount']);
    expect(rules(audit('workers:\n  kubernetes:\n    serviceAccount:\n      name: default\n'))).toEqual(['helm-worker-default-service-account']);
  });
});

describe('UI exposure', () => {
  it('flags a host without TLS and points at it', () => {
    const found = audit('ingress:\n  apiServer:\n    hosts:\n      - name: airflow.example.com\n        tls:\n          enabled: false\n');
    expect(found).toMatchObject([{ rule: 'helm-ingress-without-tls', severity: 'error', line: 4 }]);
  });

  it('uses the ingress-wide tls block for plain host names, and ignores disabled ingresses', () => {
    const plain = 'ingress:\n  apiServer:\n    hosts: [airflow.example.com]\n';
    expect(rules(audit(plain))).toEqual(['helm-ingress-without-tls']);
    expect(audit([plain, 'ingress:\n  apiServer:\n    tls:\n      enabled: true\n      secretName: tls\n'])).toEqual([]);
    expect(audit([plain, 'ingress:\n  apiServer:\n    enabled: false\n'])).toEqual([]);
  });
});

describe('observability', () => {
  it('flags no metrics at all, and accepts an external StatsD or OpenTelemetry', () => {
    expect(audit('statsd:\n  enabled: false\n')).toMatchObject([{ rule: 'helm-metrics-disabled', severity: 'warning', line: 2 }]);
    expect(audit('statsd:\n  enabled: false\nconfig:\n  metrics:\n    statsd_on: "True"\n')).toEqual([]);
    expect(audit('statsd:\n  enabled: false\nconfig:\n  metrics:\n    otel_on: true\n')).toEqual([]);
  });
});
