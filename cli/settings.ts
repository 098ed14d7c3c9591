import { loadOptions, type Options } from '../src/config.js';
import { inferenceLine, inferOptions } from '../src/infer.js';
import type { ConfigFlags } from './flags.js';

/**
 * dagship.yaml < DAGSHIP_* < the command's settings flags; with `infer`, what the repository says fills
 * the rest and the command's first line says what was inferred and from where.
 */
export function loadSettings(repoPath: string | undefined, flags: ConfigFlags, infer = true): Options {
  const options = loadOptions({ root: repoPath, configFile: flags.config, flags: flags.overrides, flagNames: flags.flagNames });
  if (!infer) return options;
  const inferred = inferOptions(options);
  const line = inferenceLine(inferred);
  if (line) process.stderr.write(`${line}\n`);
  return inferred;
}
