import type { Finding, Severity } from '../findings.js';
import { isMapping, type Path, type Values } from './values.js';

/** What the team told dagship about its platform; every field is optional. */
export interface AuditOptions {
  /** Where dagship pushes built images (dagship.yaml `repository`): images.airflow there means DAGs are baked. */
  repository?: string;
  /** Image tags without a digest become errors instead of warnings. */
  strict?: boolean;
  /** The lowest `[core] parallelism` the team accepts. */
  minParallelism?: number;
  /** The `[scheduler] scheduler_heartbeat_sec` the team runs with. */
  expectedHeartbeat?: number;
}

export interface Executors {
  names: string[];
  celery: boolean;
  kubernetes: boolean;
}

export interface AuditContext {
  values: Values;
  options: AuditOptions;
  airflowVersion: string;
  airflowMajor: number;
  executors: Executors;
}

export function createContext(values: Values, options: AuditOptions): AuditContext {
  const airflowVersion = text(values.get('airflowVersion')) ?? '3';
  const names = (text(values.get('executor')) ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  return {
    values,
    options,
    airflowVersion,
    airflowMajor: Number.parseInt(airflowVersion, 10) || 3,
    // The chart tests executors by substring too: CeleryKubernetesExecutor is both, aliases keep the class name.
    executors: { names, celery: names.some((e) => e.includes('Celery')), kubernetes: names.some((e) => e.includes('KubernetesExecutor')) },
  };
}

/** One finding from a rule: it points at the first key of `at` a values file set, else line 1. */
export interface Problem {
  rule: string;
  severity: Severity;
  at: Path[];
  message: string;
  help: string;
}

export function finding(ctx: AuditContext, problem: Problem): Finding {
  const { file, line, column } = ctx.values.where(...problem.at);
  return { tool: 'dagship', rule: problem.rule, severity: problem.severity, file, line, column, message: problem.message, help: problem.help };
}

/** Truth as the chart's templates see it (Go `if`): "false" as a string is true, {} and [] are false. */
export function chartTrue(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isMapping(value)) return Object.keys(value).length > 0;
  return true;
}

/** Truth as Airflow's `getboolean` sees a config value: t/true/1, f/false/0 in any case; else unknown. */
export function airflowBool(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  if (['t', 'true', '1'].includes(v)) return true;
  if (['f', 'false', '0'].includes(v)) return false;
  return undefined;
}

/** A scalar as text, or undefined for null, empty, maps and lists. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** A value a Helm template or a CI substitution fills in later: not a literal the file gives away. */
export function isIndirect(value: string): boolean {
  return /\{\{.*\}\}/s.test(value) || /^ENC\[/.test(value) || /^\$\{[^}]+\}$|^\$\([^)]+\)$/.test(value.trim());
}

/** An Airflow option as the running Airflow would read it: an AIRFLOW__ variable in `env` wins over `config`. */
export interface OptionValue {
  value: unknown;
  at: Path;
}

export function airflowOption(ctx: AuditContext, section: string, key: string): OptionValue | undefined {
  const envName = `AIRFLOW__${section}__${key}`.toUpperCase();
  const env = ctx.values.get('env');
  if (Array.isArray(env)) {
    const index = env.findIndex((e) => isMapping(e) && e.name === envName);
    if (index >= 0) return { value: (env[index] as Record<string, unknown>).value, at: ['env', String(index), 'value'] };
  }
  const at = ['config', section, key];
  const value = ctx.values.get(at);
  return value === undefined || value === null ? undefined : { value, at };
}

/** An image reference split the way the chart assembles it: repository, then tag or digest. */
export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

/** The image every Airflow component runs: images.airflow.*, falling back to the chart's default*. */
export function airflowImage(values: Values): ImageRef {
  return {
    repository: text(values.get('images.airflow.repository')) ?? text(values.get('defaultAirflowRepository')) ?? 'apache/airflow',
    tag: text(values.get('images.airflow.tag')) ?? text(values.get('defaultAirflowTag')),
    digest: text(values.get('images.airflow.digest')) ?? text(values.get('defaultAirflowDigest')),
  };
}

export function describeImage(image: ImageRef): string {
  return `${image.repository}${image.tag ? `:${image.tag}` : ''}${image.digest ? `@${image.digest}` : ''}`;
}

/** docker.io/library/x, index.docker.io/x and x are one repository. */
export function sameRepository(a: string, b: string): boolean {
  const norm = (r: string) =>
    r
      .trim()
      .toLowerCase()
      .replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '')
      .replace(/^library\//, '')
      .replace(/\/$/, '');
  return norm(a) === norm(b);
}
