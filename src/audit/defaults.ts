/**
 * The official Apache Airflow Helm chart's defaults for the keys the audit reads — and only those.
 * Written from the chart's values.yaml (apache/airflow `chart/values.yaml`, chart 1.x line, release 1.22.0:
 * default Airflow 3.2.2, workers split into `workers.celery` / `workers.kubernetes` since 1.20–1.21).
 * The chart's `config:` section is templated (`remote_logging`, `statsd_on`, `worker_container_*` follow
 * other values), so rules derive those instead of reading them here; see AIRFLOW_DEFAULTS for Airflow's own.
 */
export const CHART_VERSION = '1.22.0';

interface ServiceAccount {
  create: boolean;
  name: string | null;
}

interface Ingress {
  enabled: boolean;
  hosts: unknown[];
  tls: { enabled: boolean; secretName: string };
}

interface Component {
  enabled?: boolean | null;
  resources: Record<string, unknown>;
  env?: unknown[];
}

interface Connection {
  user: string;
  pass: string;
  protocol: string;
  host: string | null;
  port: number;
  db: string;
  sslmode: string;
}

export interface ChartDefaults {
  defaultAirflowRepository: string;
  defaultAirflowTag: string;
  defaultAirflowDigest: string | null;
  airflowVersion: string;
  executor: string;
  images: {
    airflow: { repository: string | null; tag: string | null; digest: string | null };
    pod_template: { repository: string | null; tag: string | null };
  };
  postgresql: { enabled: boolean };
  data: {
    metadataSecretName: string | null;
    resultBackendSecretName: string | null;
    brokerUrlSecretName: string | null;
    metadataConnection: Connection;
    resultBackendConnection: Connection | null;
    brokerUrl: string | null;
  };
  fernetKey: string | null;
  fernetKeySecretName: string | null;
  webserverSecretKey: string | null;
  webserverSecretKeySecretName: string | null;
  apiSecretKey: string | null;
  apiSecretKeySecretName: string | null;
  jwtSecret: string | null;
  jwtSecretName: string | null;
  dags: {
    persistence: { enabled: boolean; accessMode: string; existingClaim: string | null };
    gitSync: { enabled: boolean };
  };
  logs: { persistence: { enabled: boolean; existingClaim: string | null } };
  elasticsearch: { enabled: boolean };
  opensearch: { enabled: boolean };
  rbac: { create: boolean };
  multiNamespaceMode: boolean;
  networkPolicies: { enabled: boolean };
  workers: Component & {
    serviceAccount: ServiceAccount;
    celery: { serviceAccount: ServiceAccount };
    kubernetes: { serviceAccount: ServiceAccount };
  };
  scheduler: Component;
  apiServer: Component;
  webserver: Component & { defaultUser: { enabled: boolean; username: string; password: string } };
  triggerer: Component;
  dagProcessor: Component;
  createUserJob: { enabled: boolean };
  ingress: { enabled: boolean | null; web: Ingress; apiServer: Ingress; flower: Ingress };
  statsd: { enabled: boolean };
  redis: { enabled: boolean; password: string | null; passwordSecretName: string | null };
  flower: { enabled: boolean; password: string | null; secretName: string | null };
  env: unknown[];
  secret: unknown[];
  extraEnv: string | null;
  extraSecrets: Record<string, unknown>;
}

const ingress = (): Ingress => ({ enabled: false, hosts: [], tls: { enabled: false, secretName: '' } });
const serviceAccount = (): ServiceAccount => ({ create: true, name: null });
const component = (enabled: boolean | null = true): Component => ({ enabled, resources: {}, env: [] });

export const CHART_DEFAULTS: ChartDefaults = {
  defaultAirflowRepository: 'apache/airflow',
  defaultAirflowTag: '3.2.2',
  defaultAirflowDigest: null,
  airflowVersion: '3.2.2',
  executor: 'CeleryExecutor',
  images: {
    airflow: { repository: null, tag: null, digest: null },
    pod_template: { repository: null, tag: null },
  },
  // In-cluster PostgreSQL is on by default: "not recommended for production" in the chart's own words.
  postgresql: { enabled: true },
  data: {
    metadataSecretName: null,
    resultBackendSecretName: null,
    brokerUrlSecretName: null,
    metadataConnection: { user: 'postgres', pass: 'postgres', protocol: 'postgresql', host: null, port: 5432, db: 'postgres', sslmode: 'disable' },
    resultBackendConnection: null,
    brokerUrl: null,
  },
  fernetKey: null,
  fernetKeySecretName: null,
  webserverSecretKey: null,
  webserverSecretKeySecretName: null,
  apiSecretKey: null,
  apiSecretKeySecretName: null,
  jwtSecret: null,
  jwtSecretName: null,
  // The chart's DAG volume claim asks for ReadWriteOnce unless told otherwise.
  dags: { persistence: { enabled: false, accessMode: 'ReadWriteOnce', existingClaim: null }, gitSync: { enabled: false } },
  // The chart's own logs claim is always ReadWriteMany (hard-coded in its template).
  logs: { persistence: { enabled: false, existingClaim: null } },
  elasticsearch: { enabled: false },
  opensearch: { enabled: false },
  rbac: { create: true },
  multiNamespaceMode: false,
  networkPolicies: { enabled: false },
  workers: {
    ...component(),
    serviceAccount: serviceAccount(),
    celery: { serviceAccount: serviceAccount() },
    kubernetes: { serviceAccount: serviceAccount() },
  },
  scheduler: component(),
  apiServer: component(),
  webserver: { ...component(), defaultUser: { enabled: true, username: 'admin', password: 'admin' } },
  triggerer: component(),
  // null: on for Airflow 3 (standalone DAG processor), off for Airflow 2 unless enabled.
  dagProcessor: component(null),
  createUserJob: { enabled: true },
  ingress: { enabled: null, web: ingress(), apiServer: ingress(), flower: ingress() },
  statsd: { enabled: true },
  redis: { enabled: true, password: null, passwordSecretName: null },
  flower: { enabled: false, password: null, secretName: null },
  env: [],
  secret: [],
  extraEnv: null,
  extraSecrets: {},
};

/** Airflow's own defaults (airflow.cfg) for the options the audit tunes; the chart leaves them alone. */
export const AIRFLOW_DEFAULTS = {
  'core.parallelism': 32,
  'kubernetes_executor.worker_pods_creation_batch_size': 1,
  'scheduler.scheduler_heartbeat_sec': 5,
} as const;
