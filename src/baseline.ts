import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DagshipError } from './errors.js';
import type { Finding } from './findings.js';

/**
 * A finding's identity that survives line shifts: tool, rule, file, the message with line numbers
 * blanked, and the text of the flagged source line. Repeats of the same identity get #2, #3, ….
 */
export function fingerprintAll(findings: Finding[], root: string): string[] {
  const lines = new SourceLines(root);
  const seen = new Map<string, number>();
  return findings.map((f) => {
    const source = f.line ? (lines.get(f.file, f.line) ?? '') : '';
    const message = f.message.replace(/\bline \d+/g, 'line N').replace(/:\d+(:\d+)?\b/g, ':N');
    const base = createHash('sha256').update([f.tool, f.rule, f.file, message, source.trim()].join('\0')).digest('hex').slice(0, 32);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
}

class SourceLines {
  private cache = new Map<string, string[] | undefined>();
  constructor(private readonly root: string) {}
  get(file: string, line: number): string | undefined {
    if (!this.cache.has(file)) {
      try {
        this.cache.set(file, readFileSync(path.join(this.root, file), 'latin1').split('\n'));
      } catch {
        this.cache.set(file, undefined);
      }
    }
    return this.cache.get(file)?.[line - 1];
  }
}

export interface BaselineFile {
  version: 1;
  fingerprints: string[];
}

export function writeBaseline(fingerprints: string[]): string {
  const body: BaselineFile = { version: 1, fingerprints: [...new Set(fingerprints)].sort() };
  return `${JSON.stringify(body, null, 2)}\n`;
}

export function readBaseline(file: string): Set<string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DagshipError(`cannot read baseline ${file}: ${(err as Error).message}`, 'create one with dagship baseline, or fix the path', 'usage', { cause: err });
  }
  const fingerprints = (parsed as Partial<BaselineFile>)?.fingerprints;
  if ((parsed as Partial<BaselineFile>)?.version !== 1 || !Array.isArray(fingerprints)) {
    throw new DagshipError(`${file} is not a dagship baseline (expected {"version": 1, "fingerprints": [...]})`, 'recreate it with dagship baseline', 'usage');
  }
  return new Set(fingerprints.map(String));
}
