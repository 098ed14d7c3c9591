import { loadOptions, type Options } from '../src/config.js';
import type { ConfigFlags } from './flags.js';

/** dagship.yaml < DAGSHIP_* < the command's settings flags. */
export function loadSettings(repoPath: string | undefined, flags: ConfigFlags): Options {
  return loadOptions({ root: repoPath, configFile: flags.config, flags: flags.overrides, flagNames: flags.flagNames });
}
