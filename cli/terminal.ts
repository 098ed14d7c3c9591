import * as core from '@actions/core';
import type { Logger } from '../src/logger.js';
import { redact } from '../src/secrets.js';

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function useColor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in env) && env.TERM !== 'dumb';
}

const codes = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
export type Paint = (style: keyof typeof codes, text: string) => string;
export const painter =
  (enabled: boolean): Paint =>
  (style, text) =>
    enabled ? `\u001b[${codes[style]}m${text}\u001b[0m` : text;

/** Progress and diagnostics go to stderr so stdout stays for results. */
export function terminalLogger(verbose: boolean, paint: Paint = painter(useColor(process.stderr))): Logger {
  const started = Date.now();
  const stamp = () => paint('dim', `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`);
  return {
    debug: (m) => verbose && process.stderr.write(`${stamp()} ${paint('dim', redact(m))}\n`),
    info: (m) => process.stderr.write(`${stamp()} ${redact(m)}\n`),
    warn: (raw) => {
      const m = redact(raw);
      process.stderr.write(`${stamp()} ${paint('yellow', 'warning:')} ${m}\n`);
      // In a GitHub job a warning also becomes an annotation on the run, where people look.
      if (process.env.GITHUB_ACTIONS === 'true') core.warning(m, { title: 'dagship' });
    },
    async group(title, work) {
      // In a GitHub job each stage folds into a log group; elsewhere it is a heading.
      if (process.env.GITHUB_ACTIONS !== 'true') {
        process.stderr.write(`${stamp()} ${paint('bold', title)}\n`);
        return work();
      }
      core.startGroup(title);
      try {
        return await work();
      } finally {
        core.endGroup();
      }
    },
  };
}
