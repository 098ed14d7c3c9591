/** What test/infra/up provides, read from its exports. A missing variable is a failure, never a skip. */
export interface Infra {
  dockerHost: string;
  registry: string;
  authRegistry: string;
  authUser: string;
  authPassword: string;
  /** The distribution registry with `auth: token`; its user and password are the auth registry's. */
  tokenRegistry: string;
  /** Its token service (test/infra/token/service.mjs), host:port. */
  tokenService: string;
  airflow3Image: string;
  airflow2Image: string;
  toolsImage: string;
  kubeconfig: string;
  kubeBin: string;
  /** nektos/act, built by test/infra/act/build.sh, runs the example workflows. */
  act: string;
  /** cosign v3, built by test/infra/cosign/build.sh. */
  cosign: string;
  /** A registry that serves the OCI 1.1 referrers API (go-containerregistry's). */
  referrersRegistry: string;
  /** kubeconform, OPA and the policy CRDs' JSON schemas, built by test/infra/policy/build.sh. */
  kubeconform: string;
  opa: string;
  policySchemas: string;
}

const NAMES = {
  dockerHost: 'DOCKER_HOST',
  registry: 'DAGSHIP_TEST_REGISTRY',
  authRegistry: 'DAGSHIP_TEST_AUTH_REGISTRY',
  authUser: 'DAGSHIP_TEST_AUTH_REGISTRY_USER',
  authPassword: 'DAGSHIP_TEST_AUTH_REGISTRY_PASSWORD',
  tokenRegistry: 'DAGSHIP_TEST_TOKEN_REGISTRY',
  tokenService: 'DAGSHIP_TEST_TOKEN_SERVICE',
  airflow3Image: 'DAGSHIP_TEST_AIRFLOW3_IMAGE',
  airflow2Image: 'DAGSHIP_TEST_AIRFLOW2_IMAGE',
  toolsImage: 'DAGSHIP_TEST_TOOLS_IMAGE',
  kubeconfig: 'KUBECONFIG',
  kubeBin: 'DAGSHIP_TEST_KUBE_BIN',
  act: 'DAGSHIP_TEST_ACT',
  cosign: 'DAGSHIP_TEST_COSIGN',
  referrersRegistry: 'DAGSHIP_TEST_REFERRERS_REGISTRY',
  kubeconform: 'DAGSHIP_TEST_KUBECONFORM',
  opa: 'DAGSHIP_TEST_OPA',
  policySchemas: 'DAGSHIP_TEST_POLICY_SCHEMAS',
} as const satisfies Record<keyof Infra, string>;

export function infra(env: NodeJS.ProcessEnv = process.env): Infra {
  const missing = Object.values(NAMES).filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `end-to-end tests need the real infrastructure, but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set.\n` +
        'Run them with `npm test` (it starts everything), or `eval "$(test/infra/up --all)"` first.',
    );
  }
  return Object.fromEntries(Object.entries(NAMES).map(([key, name]) => [key, env[name]!])) as unknown as Infra;
}
