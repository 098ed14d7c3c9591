import { Option, type Command } from 'commander';
import type { LoadOptions, OverridableKey } from '../src/config.js';
import type { ReportPaths } from '../src/report/files.js';

/** Flags every command that reads dagship.yaml takes: the file, and a flag per overridable key. */
export interface ConfigFlags {
  config?: string;
  overrides: NonNullable<LoadOptions['flags']>;
  verbose?: boolean;
}

/** Flags of every command that reports findings. */
export interface ReportFlags {
  reports: ReportPaths;
}

export type CheckFlags = ConfigFlags & ReportFlags & { image?: string; changedSince?: string; cache?: boolean; attest?: boolean; prComment?: boolean };

export function withConfigFlags(command: Command): Command {
  return command
    .option('-c, --config <file>', 'dagship.yaml to read (default: <path>/dagship.yaml)')
    .option('--dags-folder <dir>', 'DAG folder, relative to the repository')
    .option('--base-image <ref>', 'Airflow image the DAGs run in')
    .option('--tools-image <ref>', 'image with ruff and bandit')
    .option('--repository <ref>', 'registry/repository for built images')
    .option('--allow-empty-dags', 'accept a DAG folder without DAG files (a release from it removes every DAG)')
    .option('-v, --verbose', 'show debug output');
}

export function withReportFlags(command: Command): Command {
  return command
    .option('--sarif <file>', 'write a SARIF 2.1.0 report')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--json <file>', 'write a JSON report')
    .addOption(new Option('--fail-on <severity>', 'lowest severity that fails (default: error)').choices(['error', 'warning', 'never']))
    .option('--baseline <file>', 'ignore the known findings listed in this baseline file')
    .option('--changed-since <ref>', 'only what changed since this git ref (and the DAG files importing it)');
}

/** commander's camelCase option names for the settings that flags override. */
const FLAG_KEYS: Partial<Record<OverridableKey, string>> = {
  dags_folder: 'dagsFolder',
  base_image: 'baseImage',
  tools_image: 'toolsImage',
  repository: 'repository',
  fail_on: 'failOn',
  baseline: 'baseline',
  allow_empty_dags: 'allowEmptyDags',
  'check.timeout': 'timeout',
  'check.workers': 'workers',
  'check.variables': 'variables',
  'check.connections': 'connections',
  'check.local_settings': 'localSettings',
};

export function configFlags(opts: Record<string, unknown>): ConfigFlags & ReportFlags {
  const overrides = Object.fromEntries(
    Object.entries(FLAG_KEYS).map(([key, flag]) => [key, opts[flag] as string | undefined]),
  ) as ConfigFlags['overrides'];
  return {
    config: opts.config as string | undefined,
    overrides,
    verbose: Boolean(opts.verbose),
    reports: { sarif: opts.sarif as string | undefined, junit: opts.junit as string | undefined, json: opts.json as string | undefined },
  };
}
