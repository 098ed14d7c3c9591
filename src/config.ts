import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, isMap, isNode, isScalar } from 'yaml';
// zod/mini, not the classic API: the same checks and messages at a fraction of the code parsed
// at every start. A namespace import (not `{ z }`) lets the bundler drop what is unused, such as
// the other locales.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { DURATION_FORMS, durationMs } from './duration.js';
import { DagshipError } from './errors.js';
import { isTag } from './image-reference.js';
import { yamlErrorText } from './text.js';

// Mini has no messages of its own; users see the English ones the classic API installs.
z.config(en());

export const CONFIG_FILES = ['dagship.yaml', 'dagship.yml'];

const relativePath = z.string().check(
  z.minLength(1),
  z.refine((p) => !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..'), {
    message: 'must be a path inside the repository (relative, no ..)',
  }),
);

/** A file dagship reads: relative to the repository root, or absolute. */
const filePath = z.string().check(z.minLength(1));
const positiveNumber = z.coerce.number().check(z.positive());
/** A time setting: read as seconds from a duration (90s, 5m, 1h) or a bare number of seconds. */
const toSeconds = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? (durationMs(v) ?? Number.NaN) / 1000 : v);
const notDuration = `must be a positive duration: ${DURATION_FORMS}`;
const seconds = z.pipe(z.transform(toSeconds), z.number({ error: notDuration }));

/** Team rules every DAG must follow; each is off unless set. */
const policiesSchema = z.strictObject({
  owner: z.optional(z.boolean()),
  tags: z.optional(z.boolean()),
  allowed_tags: z.optional(z.array(z.string())),
  min_retries: z.optional(z.coerce.number().check(z.int(), z.gte(0))),
  explicit_schedule: z.optional(z.boolean()),
  catchup_off: z.optional(z.boolean()),
  max_tasks: z.optional(z.coerce.number().check(z.int(), z.positive())),
  dag_id_pattern: z.optional(z.string().check(z.refine(isRegExp, { message: 'must be a valid regular expression' }))),
});

const checkSchema = z.strictObject({
  /** Per-file import timeout, in seconds once read: Airflow's [core] dagbag_import_timeout. */
  timeout: z._default(seconds, 30),
  /** Parallel imports; 0 = every core the container gets. */
  workers: z._default(z.coerce.number().check(z.int(), z.gte(0)), 0),
  slow_import_seconds: z._default(seconds, 5),
  memory_limit_mb: z._default(z.coerce.number().check(z.int(), z.gte(64)), 2048),
  /** What a Variable/Connection read at import time that was not provided is: a warning or an error. */
  missing_lookups: z._default(z.enum(['warning', 'error']), 'warning'),
  variables: z.optional(filePath),
  connections: z.optional(filePath),
  local_settings: z.optional(filePath),
  policies: z._default(policiesSchema, {}),
});

const buildSchema = z.strictObject({
  /** Tag images with the 12-character commit instead of the full one. */
  short_sha: z._default(z.boolean(), false),
  /** More tags for each built image, e.g. [staging]; the commit tag is always there. */
  extra_tags: z._default(z.array(z.string().check(z.refine(isTag, 'must be a valid image tag'))), []),
  /**
   * The team's own Dockerfile (relative to the repository) instead of the generated build; a Dockerfile
   * at the root is used without it. `none` builds the generated image even then.
   */
  dockerfile: z.optional(relativePath),
  /** Build arguments for the Dockerfile (like --build-arg); they also resolve its FROM. */
  args: z._default(z.record(z.string(), z.pipe(z.transform(String), z.string())), {}),
  /** How long pip may take over requirements.txt, in seconds once read; the install is stopped after. */
  requirements_timeout: z._default(seconds, 1200),
});

/** `build.dockerfile: none`: the generated build even when the repository has a Dockerfile. */
export const NO_DOCKERFILE = 'none';

/** The Dockerfile build uses, relative to the repository; undefined for the generated build. */
export function dockerfileOf(options: Options): string | undefined {
  const file = options.build.dockerfile;
  return file === NO_DOCKERFILE ? undefined : file;
}

/**
 * `registry.corp/dockerhub` (Docker Hub's mirror) or `docker.io=registry.corp/dockerhub quay.io=registry.corp/quay`
 * (space- or comma-separated) as a map of registry → the prefix that replaces it.
 */
function mirrorMap(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const words = v.split(/[\s,]+/).filter(Boolean);
  return Object.fromEntries(words.map((w) => (w.includes('=') ? [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)] : ['docker.io', w])));
}
const mirrorPrefix = z.string().check(z.refine((p) => /^[\w.-]+(:\d+)?(\/[\w.-]+)*$/.test(p), { message: 'must be a registry host with an optional path, e.g. registry.corp/dockerhub' }));

/** Where the push target's registry is written, for hints about its host. */
export const REPOSITORY_SETTING = "'repository' (dagship.yaml or --repository)";

/** Space- or newline-separated text (an environment variable, an action input) as a list. */
const wordList = (v: unknown) => (typeof v === 'string' ? v.split(/\s+/).filter(Boolean) : v);
/** true/false as YAML writes them, or as text from the environment ('false' must not become true). */
const flagBoolean = (v: unknown) => (typeof v === 'string' && /^(true|false|1|0|yes|no)$/i.test(v.trim()) ? /^(true|1|yes)$/i.test(v.trim()) : v);
/** Classic's z.preprocess is exactly this pipe; mini does not ship it. */
const preprocess = <T extends z.ZodMiniType>(fn: (v: unknown) => unknown, schema: T) => z.pipe(z.transform(fn), schema);

const imagePath = z.string().check(z.refine((p) => p.startsWith('/') && !p.split('/').includes('..'), { message: 'must be an absolute path in the image (no ..)' }));

/**
 * Where the repository's folders are in the image and what is on its import path: the same for check,
 * build and test. Unset keys are inferred (a Dockerfile's COPY, an Astro project) or default to the
 * official image's layout; imageLayout() gives the resolved values.
 */
const imageLayoutSchema = z.strictObject({
  /** The DAG folder in the image. */
  dags: z.optional(imagePath),
  plugins: z.optional(imagePath),
  /** More repository folders baked into the image, e.g. {include: /opt/airflow/include}; '.' is the whole repository. */
  folders: z.optional(z.record(relativePath, imagePath)),
  /** Image folders on the import path (PYTHONPATH), e.g. [/opt/airflow] so `import include.x` works. */
  python_path: z.optional(z.array(imagePath)),
});

/** `dagship lint`. */
const lintSchema = z.strictObject({
  /** ruff format --check: unset, on when the repository configures ruff's formatter. */
  format: z.optional(preprocess(flagBoolean, z.boolean())),
});

/** One DAG run of `dagship test`: an id, or the id with tasks to skip and its own time limit. */
const testDagSchema = z.union([
  z.pipe(
    z.string().check(z.minLength(1)),
    z.transform((dag_id) => ({ dag_id, skip_tasks: [] as string[] })),
  ),
  z.strictObject({
    dag_id: z.string().check(z.minLength(1)),
    /** Tasks that reach outside systems: marked skipped by dagship's runner, never run. */
    skip_tasks: z._default(z.array(z.string().check(z.minLength(1))), []),
    timeout: z.optional(seconds),
  }),
]);

/** `dagship test`: the team's pytest suite and DAG runs, inside the image that ships. */
const testSchema = z.strictObject({
  /** pytest targets, relative to the repository; a target that does not exist is refused, except the default. */
  paths: z._default(preprocess(wordList, z.array(relativePath)), ['tests']),
  /** pytest and its plugins: installed into a cached layer over the image, never into the image that ships. */
  requirements: z._default(relativePath, 'requirements-dev.txt'),
  /** More pytest arguments, e.g. [-m, "not slow"]. */
  pytest_args: z._default(z.array(z.string()), []),
  dags: z._default(z.array(testDagSchema), []),
  /** The logical date of the DAG runs (ISO 8601); unset: each DAG's start_date, else now. */
  logical_date: z.optional(z.string().check(z.refine((d) => !Number.isNaN(Date.parse(d)), { message: 'must be an ISO 8601 date, e.g. 2026-01-01T00:00:00Z' }))),
  /** Per test (setup, call and teardown), in seconds once read. */
  timeout: z._default(seconds, 300),
  /** Per DAG run, in seconds once read; a DAG's own timeout wins. */
  dag_timeout: z._default(seconds, 600),
  /** The whole pytest run, in seconds once read. */
  suite_timeout: z._default(seconds, 1800),
  /** Address space of each test and each DAG run; 0: no limit. */
  memory_limit_mb: z._default(z.coerce.number().check(z.int(), z.gte(0)), 2048),
  /** Tests and DAG runs reach the network (host network); off: --network none. */
  network: z._default(preprocess(flagBoolean, z.boolean()), false),
});

/** `dagship audit` of Helm values; ship runs it after lint when values are given. */
const auditSchema = z.strictObject({
  /** Values files of the official chart, merged like helm -f; relative to the repository root. */
  values: z._default(preprocess(wordList, z.array(filePath)), []),
  /** An Airflow image without a digest is an error instead of a warning. */
  strict: z._default(preprocess(flagBoolean, z.boolean()), false),
  /** The lowest [core] parallelism the team accepts. */
  min_parallelism: z.optional(positiveNumber),
  /** The [scheduler] scheduler_heartbeat_sec the team runs with. */
  expected_heartbeat: z.optional(seconds),
});

/** dagship.yaml, version 1. Every key is optional; DAGSHIP_* variables and flags override it. */
export const configSchema = z.strictObject({
  version: z._default(z.literal(1), 1),
  /** The DAG folder, relative to the repository root (the chart mounts it at /opt/airflow/dags). */
  dags_folder: z._default(relativePath, 'dags'),
  plugins_folder: z._default(relativePath, 'plugins'),
  requirements: z._default(relativePath, 'requirements.txt'),
  /** The Airflow image the DAGs run in: checks run in it and builds start from it. */
  base_image: z.optional(z.string().check(z.minLength(1))),
  /**
   * Where inferred image names are pulled from instead: a prefix for Docker Hub, or {registry: prefix},
   * e.g. {docker.io: registry.corp/dockerhub, quay.io: registry.corp/quay}. A configured base_image is used as written.
   */
  image_mirror: z._default(preprocess(mirrorMap, z.record(z.string().check(z.minLength(1)), mirrorPrefix)), {}),
  /** A Python image with ruff and bandit, for `lint`; unset: dagship installs its own (src/python/tools.lock). */
  tools_image: z.optional(z.string().check(z.minLength(1))),
  /** Where built images go: registry host and repository, without a tag. */
  repository: z.optional(z.string().check(z.minLength(1))),
  /** Where push uploads before it writes the tag (same registry); default `<repository>-dagship-staging`. */
  staging_repository: z.optional(z.string().check(z.minLength(1))),
  /** The lowest severity that fails the gate. */
  fail_on: z._default(z.enum(['error', 'warning', 'never']), 'error'),
  /** An empty DAG folder (or one whose files Airflow all skips) is refused unless this is true. */
  allow_empty_dags: z._default(preprocess(flagBoolean, z.boolean()), false),
  /** Known findings to ignore (written by `dagship baseline`). */
  baseline: z.optional(filePath),
  check: z._default(checkSchema, checkSchema.parse({})),
  lint: z._default(lintSchema, {}),
  image_layout: z._default(imageLayoutSchema, {}),
  build: z._default(buildSchema, buildSchema.parse({})),
  audit: z._default(auditSchema, auditSchema.parse({})),
  test: z._default(testSchema, testSchema.parse({})),
});

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

export type Config = z.infer<typeof configSchema>;
/** Settings that DAGSHIP_* variables and flags can override, as dotted paths into Config. */
export const OVERRIDABLE = [
  'dags_folder',
  'plugins_folder',
  'requirements',
  'base_image',
  'image_mirror',
  'tools_image',
  'repository',
  'staging_repository',
  'fail_on',
  'baseline',
  'allow_empty_dags',
  'check.timeout',
  'check.workers',
  'check.slow_import_seconds',
  'check.memory_limit_mb',
  'check.missing_lookups',
  'check.variables',
  'check.connections',
  'check.local_settings',
  'lint.format',
  'test.paths',
  'test.requirements',
  'test.logical_date',
  'test.timeout',
  'test.dag_timeout',
  'test.network',
  'build.dockerfile',
  'build.requirements_timeout',
  'audit.values',
  'audit.strict',
  'audit.min_parallelism',
  'audit.expected_heartbeat',
] as const;
export type OverridableKey = (typeof OVERRIDABLE)[number];

export interface Options extends Config {
  /** The DAG repository's root, absolute. */
  root: string;
  /** The config file read, absolute, or undefined when there was none. */
  configFile?: string;
  /** The dotted keys dagship.yaml, DAGSHIP_* or flags set; the other keys hold defaults (or inferences). */
  configured?: ReadonlySet<string>;
  /** What was read from the repository itself (src/detect.ts), with where from. */
  inferred?: readonly Inference[];
  /**
   * Settings that change what an image bakes, given by a flag or DAGSHIP_* variable with another value
   * than dagship.yaml and the defaults give: such a build is not the commit's default image (see
   * CONTENT_SETTINGS). Undefined or empty: none.
   */
  contentOverrides?: Record<string, unknown>;
}

/** A setting dagship read from the repository because nothing configured it. */
export interface Inference {
  /** The setting, e.g. base_image or image_layout.dags. */
  key: string;
  /** Said to a person, e.g. `base image apache/airflow:3.1.0`. */
  what: string;
  /** Where from, e.g. `Dockerfile:3 FROM, ARG AIRFLOW_VERSION=3.1.0`. */
  from: string;
}

/**
 * The settings that change an image's content: the same commit built with another value is another
 * image, so it must not get the commit's tag. Checks, lint and push settings change no baked byte.
 */
export const CONTENT_SETTINGS: readonly string[] = ['dags_folder', 'plugins_folder', 'requirements', 'base_image', 'build.dockerfile', 'build.args', 'image_layout'];
const changesContent = (key: string) => CONTENT_SETTINGS.some((c) => key === c || key.startsWith(`${c}.`));

export interface LoadOptions {
  /** The repository path given on the command line (default: the working directory). */
  root?: string;
  /** An explicit config file (`--config`). */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Flag values by config key; undefined means "not given". */
  flags?: Partial<Record<OverridableKey, string | number | boolean | undefined>>;
  /** The flag that sets each key, named in messages about its value. */
  flagNames?: Partial<Record<OverridableKey, string>>;
}

/** The environment variable that overrides a setting: check.timeout → DAGSHIP_CHECK_TIMEOUT. */
export const envName = (key: string) => `DAGSHIP_${key.replaceAll('.', '_').toUpperCase()}`;

/** dagship.yaml + DAGSHIP_* environment + flags, in that order of precedence, validated into one object. */
export function loadOptions(options: LoadOptions = {}): Options {
  const root = path.resolve(options.root ?? '.');
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new DagshipError(`repository path ${root} does not exist or is not a folder`, 'pass the DAG repository folder, e.g. dagship doctor ./my-dags', 'usage');
  }
  const configFile = options.configFile ? path.resolve(options.configFile) : CONFIG_FILES.map((f) => path.join(root, f)).find((f) => existsSync(f));
  if (options.configFile && !existsSync(configFile!)) {
    throw new DagshipError(`config file ${configFile} does not exist`, 'check the --config path', 'usage');
  }
  const fromFile = configFile ? readConfigFile(configFile) : { values: {}, lineOf: (_path: PropertyKey[], _key?: boolean) => undefined };

  const merged: Record<string, unknown> = structuredClone(fromFile.values);
  const env = options.env ?? process.env;
  const overridden = new Map<string, string>();
  for (const key of OVERRIDABLE) {
    const fromEnv = env[envName(key)];
    if (fromEnv !== undefined && fromEnv !== '') {
      setPath(merged, key, fromEnv);
      overridden.set(key, envName(key));
    }
    const fromFlag = options.flags?.[key];
    if (fromFlag !== undefined) {
      setPath(merged, key, fromFlag);
      overridden.set(key, options.flagNames?.[key] ?? `the flag for ${key}`);
    }
  }

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.');
    // An unknown key has no value path of its own: point at the key itself.
    const keyPath = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
    // A map setting (image_mirror) is wrong inside: name the variable or flag that gave the whole map.
    const source = [...overridden].find(([k]) => key === k || key.startsWith(`${k}.`))?.[1];
    const where = source ?? describeLocation(configFile, fromFile.lineOf(keyPath, issue.code === 'unrecognized_keys'));
    throw new DagshipError(`${where}: ${describeIssue(issue, key)}`, hintFor(issue), 'config');
  }
  return { ...parsed.data, root, configFile, configured: new Set(leafKeys(merged)), contentOverrides: contentOverrides(fromFile.values, parsed.data, [...overridden.keys()]) };
}

/** `{check: {timeout: 3}}` → check.timeout; a map value (folders, args) is one setting. */
function leafKeys(values: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(values).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) && !prefix ? leafKeys(v as Record<string, unknown>, `${k}.`) : [`${prefix}${k}`]));
}

/** The overridden content settings whose value differs from what dagship.yaml and the defaults give. */
function contentOverrides(fileValues: Record<string, unknown>, effective: Config, keys: string[]): Record<string, unknown> {
  const fromFile = configSchema.safeParse(fileValues);
  const differs = (key: string) => !fromFile.success || JSON.stringify(getPath(fromFile.data, key)) !== JSON.stringify(getPath(effective, key));
  return Object.fromEntries(keys.filter((key) => changesContent(key) && differs(key)).map((key) => [key, getPath(effective, key)]));
}

function getPath(source: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], source);
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1)!] = value;
}

// Messages about the file name its place and the kind of problem, never its text: a config file may
// sit beside secrets, and a parser's message quotes the line it stopped at.
function readConfigFile(file: string) {
  if (!statSync(file).isFile()) throw new DagshipError(`config file ${file} is a folder, not a file`, 'point --config at dagship.yaml itself', 'usage');
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter });
  const error = doc.errors[0];
  if (error) {
    throw new DagshipError(`${describeLocation(file, error.linePos?.[0]?.line)}: not valid YAML: ${yamlErrorText(error)}`, 'fix the YAML syntax at that line', 'config');
  }
  const values = toPlain(doc, file);
  if (typeof values !== 'object' || Array.isArray(values)) {
    throw new DagshipError(`${file}: expected a mapping of settings, got ${Array.isArray(values) ? 'a list' : typeof values}`, 'see the README for the dagship.yaml keys', 'config');
  }
  // A value's own line, or with `key`, its key's: an unknown key's value may start lines below it.
  const lineOf = (keyPath: PropertyKey[], key = false): number | undefined => {
    const parent = keyPath.length > 1 ? doc.getIn(keyPath.slice(0, -1) as unknown[], true) : doc.contents;
    const pair = key && isMap(parent) ? parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(keyPath.at(-1))) : undefined;
    const node = pair?.key ?? doc.getIn(keyPath as unknown[], true);
    const offset = isNode(node) ? node.range?.[0] : undefined;
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  };
  return { values: values as Record<string, unknown>, lineOf };
}

/** The document as plain values; an alias bomb ("billion laughs") is refused, not expanded. */
function toPlain(doc: ReturnType<typeof parseDocument>, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIASES }) ?? {};
  } catch (err) {
    const what = /excessive alias/i.test(String(err)) ? `YAML aliases expand too far (more than ${MAX_ALIASES} uses); refused` : 'an alias (*name) has no anchor (&name) before it';
    throw new DagshipError(`${path.basename(file)}: ${what}`, 'write dagship.yaml without anchors and aliases (&name, *name)', 'config', { cause: err });
  }
}

/** A dagship.yaml needs a handful of aliases at most; the limit keeps expansion small. */
const MAX_ALIASES = 50;

function describeLocation(file: string | undefined, line: number | undefined): string {
  const name = file ? path.basename(file) : 'configuration';
  return line ? `${name}:${line}` : name;
}

function describeIssue(issue: z.core.$ZodIssue, key: string): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((k) => {
        const near = knownKeysAt(issue.path).find((n) => closeTo(n, k));
        return `unknown key '${k}'${near ? ` (did you mean '${near}'?)` : ''}`;
      })
      .join('; ');
  }
  return `'${key}' ${issue.message.replace(/^Invalid input: /, '')}`;
}

function hintFor(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? `'${issue.path.join('.')}' takes` : 'dagship.yaml knows';
    return `${where} these keys: ${knownKeysAt(issue.path).join(', ')}`;
  }
  return 'fix the value; the README lists every dagship.yaml key with its expected form';
}

/** The keys the schema allows at a path, e.g. [] → top-level keys, ['check'] → check's keys. */
function knownKeysAt(keyPath: PropertyKey[]): string[] {
  let schema: unknown = configSchema;
  for (const key of [undefined, ...keyPath]) {
    // Look through .default()/.optional() wrappers to the object schema.
    while ((schema as { def?: { innerType?: unknown } })?.def?.innerType) schema = (schema as { def: { innerType: unknown } }).def.innerType;
    if (key === undefined) continue;
    schema = (schema as { shape?: Record<string, unknown> })?.shape?.[String(key)];
  }
  while ((schema as { def?: { innerType?: unknown } })?.def?.innerType) schema = (schema as { def: { innerType: unknown } }).def.innerType;
  return Object.keys((schema as { shape?: Record<string, unknown> })?.shape ?? {});
}

/** True when a and b differ by a small edit: a typo, a missing or extra letter, _ vs nothing. */
function closeTo(a: string, b: string): boolean {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  const x = norm(a);
  const y = norm(b);
  if (x === y || x.startsWith(y) || y.startsWith(x)) return true;
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => [i, ...Array<number>(y.length).fill(0)]);
  for (let j = 1; j <= y.length; j++) d[0]![j] = j;
  for (let i = 1; i <= x.length; i++) for (let j = 1; j <= y.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
  return d[x.length]![y.length]! <= 2;
}

/** The Airflow image DAGs are checked in when no built image is given. */
export function airflowImage(options: Options, override?: string): string {
  const image = override ?? options.base_image;
  if (image) return image;
  throw new DagshipError(
    'no Airflow image to check the DAGs in: the repository has no Dockerfile FROM or apache-airflow== pin to infer it from',
    "set 'base_image' in dagship.yaml (e.g. apache/airflow:3.3.2) or pass --image",
    'config',
  );
}

export interface ImageLayout {
  dags: string;
  plugins: string;
  folders: Record<string, string>;
  pythonPath: string[];
}

/** The official image's layout, where a repository says nothing else. */
export const OFFICIAL_LAYOUT: ImageLayout = { dags: '/opt/airflow/dags', plugins: '/opt/airflow/plugins', folders: {}, pythonPath: [] };

/** Where the repository's folders are in the image: configured (or inferred) values over the official layout. */
export function imageLayout(options: Options): ImageLayout {
  const l = options.image_layout;
  return { dags: l.dags ?? OFFICIAL_LAYOUT.dags, plugins: l.plugins ?? OFFICIAL_LAYOUT.plugins, folders: l.folders ?? {}, pythonPath: l.python_path ?? [] };
}

/** The baseline file, resolved against the repository. */
export function baselinePath(options: Options): string | undefined {
  return options.baseline ? path.resolve(options.root, options.baseline) : undefined;
}
