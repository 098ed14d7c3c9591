import type { OverridableKey } from '../src/config.js';

/**
 * How each input of the actions reaches the CLI, one table per action.yml. test/unit/action-inputs.test.ts
 * holds every action.yml to this table and the table to the flags the CLI's command table declares, both
 * ways: an input must land on a real flag or setting, and a flag of the command must be an input or be
 * listed in `notInputs` with the reason.
 */
export type InputUse =
  /** A flag of the command (of each command in `to`, for the root action's stages). */
  | { flag: string; to?: string[]; kind?: 'value' | 'boolean' | 'negated' }
  /** A dagship.yaml setting, given as its DAGSHIP_* variable so every command reads it in the same order. */
  | { setting: OverridableKey }
  /** A variable a command reads that is no setting: credentials, keys, the comment's options. */
  | { env: string }
  /** Read by `dagship action` itself; the text says what it does with it, `flags` what it passes on. */
  | { own: string; flags?: string[] };

export type ActionName = 'root' | 'lint' | 'check' | 'test' | 'build' | 'push' | 'ship' | 'deploy';

export interface ActionSpec {
  /** The commands the action runs. */
  commands: string[];
  inputs: Record<string, InputUse>;
  /** Flags of those commands that are deliberately no input, with the reason. */
  notInputs: Record<string, string>;
}

const PATH: InputUse = { own: 'the repository folder, the positional [path]' };
const CREDENTIALS = {
  'registry-username': { env: 'DAGSHIP_REGISTRY_USERNAME' },
  'registry-password': { env: 'DAGSHIP_REGISTRY_PASSWORD' },
} satisfies Record<string, InputUse>;
/** The repository, and the config file to read in it. */
const REPOSITORY = { path: PATH, config: { flag: '--config' } } satisfies Record<string, InputUse>;
const IMAGES = { 'base-image': { setting: 'base_image' }, 'tools-image': { setting: 'tools_image' } } satisfies Record<string, InputUse>;
/** What fails a gate. */
const GATE = { 'fail-on': { setting: 'fail_on' }, baseline: { setting: 'baseline' } } satisfies Record<string, InputUse>;
const SETTINGS_IN_FILE = 'a dagship.yaml setting that belongs in the file, not in each workflow';
const DEBUG = "on when the runner's debug logging is (RUNNER_DEBUG)";
const COMMON_NOT_INPUTS = {
  '--dags-folder': SETTINGS_IN_FILE,
  '--allow-empty-dags': SETTINGS_IN_FILE,
  '--image-mirror': 'a dagship.yaml setting (or DAGSHIP_IMAGE_MIRROR for the whole organisation), not one per workflow',
  '--format-check': SETTINGS_IN_FILE,
  '--verbose': DEBUG,
  '--json': 'SARIF (code scanning) and the job summary cover a CI run; the JSON report is for scripts',
};
const BUILD_NOT_INPUTS = {
  '--short-sha': 'a release is tagged with the full commit, which deploy and the audit trail rely on',
  '--tag': 'moving tags are what dagship replaces with commit tags and digests',
  '--allow-dirty': 'a CI checkout is clean; a dirty image is no release',
  '--include-base-layers': 'automatic on the containerd image store',
};
const CHECK_NOT_INPUTS = {
  '--workers': SETTINGS_IN_FILE,
  '--local-settings': SETTINGS_IN_FILE,
  '--no-cache': 'a CI job starts without the cache',
  '--attest': 'ship records the result of the image it built; the root action runs it',
};
const TEST_NOT_INPUTS = {
  '--dag': 'test.dags in dagship.yaml lists the DAG runs, each with the tasks to skip',
  '--logical-date': SETTINGS_IN_FILE,
  '--no-cache': 'a CI job starts without the cache',
};
const DEPLOY_INPUTS = {
  release: { flag: '--release', to: ['deploy'] },
  namespace: { flag: '--namespace', to: ['deploy'] },
  kubeconfig: { own: 'a path, or the content (from a secret) written to a private file under RUNNER_TEMP; becomes KUBECONFIG' },
  context: { flag: '--context', to: ['deploy'] },
  'lock-timeout': { flag: '--lock-timeout', to: ['deploy'] },
  'public-key': { flag: '--public-key', to: ['deploy'] },
  'skip-verify': { flag: '--skip-verify', to: ['deploy'], kind: 'boolean' },
  strategy: { flag: '--strategy', to: ['deploy'] },
  chart: { flag: '--chart', to: ['deploy'] },
  'chart-version': { flag: '--chart-version', to: ['deploy'] },
  'dry-run': { flag: '--dry-run', to: ['deploy'], kind: 'boolean' },
} satisfies Record<string, InputUse>;
const DEPLOY_NOT_INPUTS = { '--revision': 'the image tag or digest is the revision a CI deploy records', '--verbose': DEBUG };

export const ACTIONS: Record<ActionName, ActionSpec> = {
  root: {
    commands: ['lint', 'check', 'test', 'audit', 'ship', 'deploy'],
    inputs: {
      stages: { own: 'the stages to run, of lint, check, test, build, push, deploy; build without push is ship --no-push', flags: ['--no-push'] },
      path: PATH,
      config: { flag: '--config', to: ['lint', 'check', 'test', 'audit', 'ship'] },
      ...IMAGES,
      repository: { setting: 'repository' },
      ...CREDENTIALS,
      ...GATE,
      'changed-since': { flag: '--changed-since', to: ['lint', 'check'] },
      timeout: { setting: 'check.timeout' },
      variables: { setting: 'check.variables' },
      connections: { setting: 'check.connections' },
      values: { setting: 'audit.values' },
      'signing-key': { env: 'DAGSHIP_SIGNING_KEY' },
      'push-timeout': { flag: '--push-timeout', to: ['ship'] },
      image: { own: 'with stages deploy alone, the pinned reference to promote (with build, the one ship pushed)', flags: ['--image'] },
      ...DEPLOY_INPUTS,
      'deploy-timeout': { flag: '--timeout', to: ['deploy'] },
      sarif: { own: "the SARIF report of ship or check; lint's and audit's get the prefix lint-/audit- when they run beside check", flags: ['--sarif'] },
    },
    notInputs: {
      ...COMMON_NOT_INPUTS,
      ...BUILD_NOT_INPUTS,
      ...DEPLOY_NOT_INPUTS,
      ...CHECK_NOT_INPUTS,
      '--pr-comment': 'actions/check writes the pull request comment',
      '--junit': 'actions/check writes JUnit; the staged run reports SARIF',
      '--values': 'the values input, as the audit.values setting ship reads too',
      '--image-repository': 'the repository input',
      '--strict': SETTINGS_IN_FILE,
      '--min-parallelism': SETTINGS_IN_FILE,
      '--expected-heartbeat': SETTINGS_IN_FILE,
      ...TEST_NOT_INPUTS,
      '--tests': SETTINGS_IN_FILE,
      '--test-requirements': SETTINGS_IN_FILE,
      '--network': SETTINGS_IN_FILE,
    },
  },
  lint: {
    commands: ['lint'],
    inputs: { ...REPOSITORY, ...IMAGES, ...GATE, 'changed-since': { flag: '--changed-since' }, sarif: { flag: '--sarif' } },
    notInputs: { ...COMMON_NOT_INPUTS, '--repository': 'lint builds and pushes nothing', '--junit': 'SARIF is what code scanning reads' },
  },
  check: {
    commands: ['check'],
    inputs: {
      ...REPOSITORY,
      image: { flag: '--image' },
      ...GATE,
      'changed-since': { flag: '--changed-since' },
      timeout: { flag: '--timeout' },
      variables: { flag: '--variables' },
      connections: { flag: '--connections' },
      sarif: { flag: '--sarif' },
      junit: { flag: '--junit' },
      comment: { flag: '--pr-comment', kind: 'boolean' },
      'comment-key': { env: 'DAGSHIP_COMMENT_KEY' },
      'github-token': { env: 'DAGSHIP_GITHUB_TOKEN' },
    },
    notInputs: {
      ...COMMON_NOT_INPUTS,
      '--base-image': 'the image input',
      '--tools-image': 'check runs no linter',
      '--repository': 'check builds and pushes nothing',
      ...CHECK_NOT_INPUTS,
    },
  },
  test: {
    commands: ['test'],
    inputs: {
      ...REPOSITORY,
      image: { flag: '--image' },
      ...GATE,
      tests: { setting: 'test.paths' },
      'test-requirements': { setting: 'test.requirements' },
      timeout: { flag: '--timeout' },
      network: { setting: 'test.network' },
      variables: { flag: '--variables' },
      connections: { flag: '--connections' },
      sarif: { flag: '--sarif' },
      junit: { flag: '--junit' },
    },
    notInputs: { ...COMMON_NOT_INPUTS, '--base-image': 'the image input', ...TEST_NOT_INPUTS },
  },
  build: {
    commands: ['build'],
    inputs: { ...REPOSITORY, 'base-image': { setting: 'base_image' }, repository: { setting: 'repository' } },
    notInputs: {
      ...COMMON_NOT_INPUTS,
      ...BUILD_NOT_INPUTS,
      '--tools-image': 'build runs no linter',
      '--dockerfile': SETTINGS_IN_FILE,
      '--plugins-folder': SETTINGS_IN_FILE,
      '--requirements': SETTINGS_IN_FILE,
    },
  },
  push: {
    commands: ['push'],
    inputs: { ...REPOSITORY, repository: { setting: 'repository' }, ...CREDENTIALS, 'push-timeout': { flag: '--push-timeout' } },
    notInputs: {
      ...COMMON_NOT_INPUTS,
      ...BUILD_NOT_INPUTS,
      '--base-image': 'push builds nothing',
      '--tools-image': 'push runs no linter',
      '--image': 'actions/push pushes the commit image actions/build made',
      '--username': 'the registry-username input',
      '--password-stdin': 'the registry-password input',
    },
  },
  ship: {
    commands: ['ship'],
    inputs: {
      ...REPOSITORY,
      ...IMAGES,
      repository: { setting: 'repository' },
      push: { flag: '--no-push', kind: 'negated' },
      ...GATE,
      timeout: { setting: 'check.timeout' },
      ...CREDENTIALS,
      'signing-key': { env: 'DAGSHIP_SIGNING_KEY' },
      'push-timeout': { flag: '--push-timeout' },
      sarif: { flag: '--sarif' },
    },
    notInputs: { ...COMMON_NOT_INPUTS, ...BUILD_NOT_INPUTS, '--junit': 'SARIF is what code scanning reads', '--changed-since': 'a release checks every DAG' },
  },
  deploy: {
    commands: ['deploy'],
    inputs: { image: { flag: '--image' }, ...DEPLOY_INPUTS, timeout: { flag: '--timeout' }, ...CREDENTIALS },
    notInputs: DEPLOY_NOT_INPUTS,
  },
};
