import { InvalidArgumentError, Option, type OptionValues } from 'commander';
import type { LoadOptions, OverridableKey } from '../src/config.js';
import { DURATION_FORMS, durationMs } from '../src/duration.js';
import type { ReportPaths } from '../src/report/files.js';

/** One flag: its commander syntax and help, and the dagship.yaml key it overrides, if any. */
interface FlagSpec {
  flags: string;
  help: string;
  /** dagship.yaml < DAGSHIP_* < this flag. */
  key?: OverridableKey;
  default?: string;
  choices?: readonly string[];
  /** Each use adds a value. */
  repeatable?: boolean;
  /** The value is checked as a duration when parsed (and kept as typed, for messages). */
  duration?: boolean;
}

/**
 * Every flag of every command, declared once; a command picks the ones it uses by name. Two entries
 * share a flag name only where the flag means something else (`--image`, `--timeout`, `--output`).
 */
export const FLAGS = {
  config: { flags: '-c, --config <file>', help: 'dagship.yaml to read (default: <path>/dagship.yaml)' },
  verbose: { flags: '-v, --verbose', help: 'show debug output' },

  force: { flags: '--force', help: 'overwrite files that already exist' },
  clean: { flags: '--clean', help: 'remove the containers of dagship runs that were killed (their process is gone)' },

  // Settings: each overrides a dagship.yaml key.
  dagsFolder: { flags: '--dags-folder <dir>', help: 'DAG folder, relative to the repository', key: 'dags_folder' },
  pluginsFolder: { flags: '--plugins-folder <dir>', help: 'plugins folder, relative to the repository', key: 'plugins_folder' },
  requirements: { flags: '--requirements <file>', help: 'requirements file, relative to the repository', key: 'requirements' },
  baseImage: { flags: '--base-image <ref>', help: 'Airflow image the DAGs run in', key: 'base_image' },
  imageMirror: {
    flags: '--image-mirror <prefix>',
    help: 'pull inferred images through this mirror: a prefix for Docker Hub, or registry=prefix pairs, e.g. quay.io=registry.corp/quay',
    key: 'image_mirror',
  },
  toolsImage: { flags: '--tools-image <ref>', help: 'image with ruff and bandit', key: 'tools_image' },
  repository: { flags: '--repository <ref>', help: 'registry/repository for built images', key: 'repository' },
  allowEmptyDags: {
    flags: '--allow-empty-dags',
    help: 'accept a DAG folder without DAG files (a release from it removes every DAG)',
    key: 'allow_empty_dags',
  },
  failOn: {
    flags: '--fail-on <severity>',
    help: 'lowest severity that fails (default: error)',
    key: 'fail_on',
    choices: ['error', 'warning', 'never'],
  },
  baseline: { flags: '--baseline <file>', help: 'ignore the known findings listed in this baseline file', key: 'baseline' },
  checkTimeout: {
    flags: '--timeout <duration>',
    help: `per-file import timeout: ${DURATION_FORMS} (default 30s, like dagbag_import_timeout)`,
    key: 'check.timeout',
    duration: true,
  },
  workers: { flags: '--workers <n>', help: 'parallel imports (default: all cores)', key: 'check.workers' },
  variables: {
    flags: '--variables <file>',
    help: 'Airflow Variables (JSON of airflow variables export) served at parse time',
    key: 'check.variables',
  },
  connections: {
    flags: '--connections <file>',
    help: 'Airflow Connections (JSON of airflow connections export) served at parse time',
    key: 'check.connections',
  },
  localSettings: {
    flags: '--local-settings <file>',
    help: "the team's airflow_local_settings.py: its cluster policies become findings",
    key: 'check.local_settings',
  },
  formatCheck: { flags: '--format-check', help: "also run ruff format --check (default: when the repository configures ruff's formatter)", key: 'lint.format' },
  dockerfile: { flags: '--dockerfile <file>', help: "build the team's own Dockerfile instead (not reproducible)", key: 'build.dockerfile' },

  // test.
  tests: { flags: '--tests <paths>', help: 'pytest targets, space-separated, relative to the repository (default: tests)', key: 'test.paths' },
  testRequirements: {
    flags: '--test-requirements <file>',
    help: 'pytest and its plugins, installed over the image for the tests only (default: requirements-dev.txt)',
    key: 'test.requirements',
  },
  dag: { flags: '--dag <id>', help: 'run this DAG once with dag.test() (repeatable; default: test.dags)', repeatable: true },
  logicalDate: { flags: '--logical-date <date>', help: "logical date of the DAG runs, ISO 8601 (default: each DAG's start_date)", key: 'test.logical_date' },
  testTimeout: { flags: '--timeout <duration>', help: `per-test time limit: ${DURATION_FORMS} (default 5m)`, key: 'test.timeout', duration: true },
  network: { flags: '--network', help: 'let the tests and DAG runs reach the network (default: none)', key: 'test.network' },

  // Reports.
  sarif: { flags: '--sarif <file>', help: 'write a SARIF 2.1.0 report' },
  junit: { flags: '--junit <file>', help: 'write a JUnit XML report' },
  json: { flags: '--json <file>', help: 'write a JSON report' },
  changedSince: { flags: '--changed-since <ref>', help: 'only what changed since this git ref (and the DAG files importing it)' },

  // check and baseline.
  checkImage: { flags: '--image <ref>', help: 'Airflow image to check in (default: base_image)' },
  testImage: { flags: '--image <ref>', help: 'Airflow image to test in (default: base_image)' },
  noCache: { flags: '--no-cache', help: 'import every file again, ignoring results cached from earlier runs' },
  attest: {
    flags: '--attest',
    help: 'check the DAGs baked into --image (a pushed repo@sha256:…) and record the result beside it for deploy (signed with DAGSHIP_SIGNING_KEY)',
  },
  prComment: {
    flags: '--pr-comment',
    help: "in a pull request job, write (or update in place) one comment with each DAG file's status and import time (needs GITHUB_TOKEN)",
  },
  baselineOutput: { flags: '-o, --output <file>', help: 'baseline file to write (default: baseline key, else .dagship-baseline.json)' },

  // build, push and ship.
  shortSha: { flags: '--short-sha', help: 'the commit tag is the 12-character commit, not the full SHA' },
  tag: { flags: '-t, --tag <tag>', help: 'an extra tag besides the commit (repeatable), e.g. staging', repeatable: true },
  allowDirty: { flags: '--allow-dirty', help: 'accept uncommitted changes: the image is tagged <sha>-dirty and is not a release' },
  includeBaseLayers: {
    flags: '--include-base-layers',
    help: 'put the base layers in the image archive (automatic on the containerd image store)',
  },
  pushImage: { flags: '--image <ref>', help: 'push this local image instead of <repository>:<commit>' },
  username: { flags: '-u, --username <name>', help: 'registry user (with --password-stdin)' },
  passwordStdin: { flags: '--password-stdin', help: 'read the registry password from stdin' },
  pushTimeout: {
    flags: '--push-timeout <duration>',
    help: `how long the whole push may take, registry requests and upload: ${DURATION_FORMS} (default 30m)`,
    duration: true,
  },
  push: { flags: '--no-push', help: 'stop after the check: build and test locally' },

  // deploy and rollback.
  release: { flags: '--release <name>', help: 'Helm release of the Airflow chart' },
  namespace: { flags: '-n, --namespace <ns>', help: 'namespace of the release' },
  context: { flags: '--context <name>', help: 'kubeconfig context (default: current)' },
  rolloutTimeout: {
    flags: '--timeout <duration>',
    help: `how long rollouts may take: ${DURATION_FORMS} (a server that stops answering ends it within this plus 45s)`,
    default: '10m',
    duration: true,
  },
  lockTimeout: {
    flags: '--lock-timeout <duration>',
    help: 'how long to wait while another deploy or rollback of the release holds its lock',
    default: '5m',
    duration: true,
  },
  dryRun: { flags: '--dry-run', help: 'print the change per object; change nothing' },
  revision: { flags: '--revision <rev>', help: 'recorded as dagship.io/revision (default: the image tag or digest)' },
  deployImage: {
    flags: '--image <ref>',
    help: 'the image to deploy: registry/repository@sha256:…, or a tag, resolved to its digest once through the registry',
  },
  publicKey: {
    flags: '--public-key <file>',
    help: "the team's public key (ECDSA P-256 or Ed25519, a PEM file or text; default DAGSHIP_PUBLIC_KEY): the image released must carry a result signed by it",
  },
  skipVerify: { flags: '--skip-verify', help: 'release without checking the dagship result (loud, and recorded as dagship.io/verification)' },
  strategy: {
    flags: '--strategy <patch|helm>',
    help: 'patch: patch the workloads directly; helm: helm upgrade --reuse-values with images.airflow.* (for releases Helm owns)',
    default: 'patch',
  },
  chart: { flags: '--chart <chart>', help: 'with --strategy helm: the chart of the release (repo/name, path or oci:// reference)' },
  chartVersion: { flags: '--chart-version <version>', help: 'with --strategy helm: the chart version (helm upgrade --version)' },

  // audit.
  values: { flags: '--values <file>', help: 'a values file; repeat for more (later files win, like helm -f)', repeatable: true },
  imageRepository: {
    flags: '--image-repository <ref>',
    help: 'the repository dagship pushes to (default: repository): images.airflow there means DAGs are baked',
  },
  strict: { flags: '--strict', help: 'an Airflow image without a digest is an error, not a warning', key: 'audit.strict' },
  minParallelism: { flags: '--min-parallelism <n>', help: 'warn when [core] parallelism is below this floor', key: 'audit.min_parallelism' },
  expectedHeartbeat: {
    flags: '--expected-heartbeat <duration>',
    help: `warn when [scheduler] scheduler_heartbeat_sec differs from this: ${DURATION_FORMS}`,
    key: 'audit.expected_heartbeat',
    duration: true,
  },
  auditRelease: { flags: '--release <name>', help: 'audit this running Helm release instead of values files (read-only)' },

  // keygen.
  keyPrefix: { flags: '-o, --output <prefix>', help: 'writes <prefix>.key and <prefix>.pub', default: 'dagship' },
} as const satisfies Record<string, FlagSpec>;

export type FlagId = keyof typeof FLAGS;

/** The flags of every command that reports findings. */
export const REPORT_FLAGS = ['sarif', 'junit', 'json', 'failOn', 'baseline'] as const satisfies readonly FlagId[];
/** The flags deploy and rollback share. */
export const RELEASE_FLAGS = ['release', 'namespace', 'context', 'rolloutTimeout', 'lockTimeout', 'dryRun', 'revision', 'publicKey', 'skipVerify', 'verbose'] as const satisfies readonly FlagId[];

/** The commander option of a flag; `required` makes it mandatory for the command that asks. */
export function flagOption(id: FlagId, required = false): Option {
  const spec: FlagSpec = FLAGS[id];
  const option = new Option(spec.flags, spec.help);
  if (spec.choices) option.choices(spec.choices);
  if (spec.repeatable) option.argParser((value: string, all: string[] = []) => [...all, value]);
  if (spec.duration) option.argParser(checkDuration);
  if (spec.default !== undefined) option.default(spec.default);
  if (required) option.makeOptionMandatory();
  return option;
}

function checkDuration(value: string): string {
  if (durationMs(value) === undefined) throw new InvalidArgumentError(`Use a positive duration: ${DURATION_FORMS}.`);
  return value;
}

/** What the settings flags of a command carry to loadOptions. */
export interface ConfigFlags {
  config?: string;
  overrides: NonNullable<LoadOptions['flags']>;
  flagNames?: LoadOptions['flagNames'];
  verbose?: boolean;
}

/** Flags of every command that reports findings. */
export interface ReportFlags {
  reports: ReportPaths;
}

export type CheckFlags = ConfigFlags & ReportFlags & { image?: string; changedSince?: string; cache?: boolean; attest?: boolean; prComment?: boolean };

/** commander's parsed options (typed by each command's own flags type), plus the overrides and reports they hold. */
export type ParsedFlags = ConfigFlags & ReportFlags & OptionValues;

/** Sorts commander's options of a command that declared `ids` into config overrides and report paths. */
export function parsedFlags(opts: OptionValues, ids: readonly FlagId[]): ParsedFlags {
  const overrides: ConfigFlags['overrides'] = {};
  const flagNames: NonNullable<ConfigFlags['flagNames']> = {};
  for (const id of ids) {
    const spec: FlagSpec = FLAGS[id];
    if (!spec.key) continue;
    const option = new Option(spec.flags);
    overrides[spec.key] = opts[option.attributeName()] as string | boolean | undefined;
    flagNames[spec.key] = option.long!;
  }
  const reports = { sarif: opts.sarif as string | undefined, junit: opts.junit as string | undefined, json: opts.json as string | undefined };
  return { ...opts, config: opts.config as string | undefined, overrides, flagNames, verbose: Boolean(opts.verbose), reports };
}
