import type { Command } from 'commander';
import type { LoadOptions } from '../src/config.js';

/** Flags every command that reads dagship.yaml takes: the file, and a flag per overridable key. */
export interface ConfigFlags {
  config?: string;
  overrides: NonNullable<LoadOptions['flags']>;
}

export function withConfigFlags(command: Command): Command {
  return command
    .option('-c, --config <file>', 'dagship.yaml to read (default: <path>/dagship.yaml)')
    .option('--dags-folder <dir>', 'DAG folder, relative to the repository')
    .option('--base-image <ref>', 'Airflow image the DAGs run in')
    .option('--tools-image <ref>', 'image with ruff and bandit')
    .option('--repository <ref>', 'registry/repository for built images');
}

export function configFlags(opts: Record<string, string | undefined>): ConfigFlags {
  return {
    config: opts.config,
    overrides: {
      dags_folder: opts.dagsFolder,
      base_image: opts.baseImage,
      tools_image: opts.toolsImage,
      repository: opts.repository,
    },
  };
}
