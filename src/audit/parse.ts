import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, isMap, isNode, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import { DagshipError } from '../errors.js';
import { yamlErrorText } from '../text.js';

/** A key path into chart values: map keys, and list indexes as strings ("0", "1"). */
export type KeyPath = readonly string[];

/** Where a values file says something: the line and column of the key (or list item). */
export interface Position {
  line: number;
  column: number;
}

/** One values file: its content as Helm reads it, and where each key is written. */
export interface ValuesFile {
  /** The path shown in findings: relative to the working directory, forward slashes. */
  file: string;
  data: Record<string, unknown>;
  /** The position of a key, or of its nearest written ancestor (merge keys and aliases have none of their own). */
  positionOf(keyPath: KeyPath): Position;
}

export const pathKey = (keyPath: KeyPath): string => keyPath.join('\u0000');

/** Reads and parses values files in the order given (`--values a.yaml --values b.yaml`, like `helm -f`). */
export function readValuesFiles(files: string[], cwd: string = process.cwd()): ValuesFile[] {
  return files.map((file) => {
    const absolute = path.resolve(cwd, file);
    if (!existsSync(absolute) || !statSync(absolute).isFile()) {
      throw new DagshipError(`values file ${file} does not exist`, 'check the --values path (relative to the current directory)', 'usage');
    }
    const shown = path.relative(cwd, absolute).split(path.sep).join('/');
    return parseValuesText(readFileSync(absolute, 'utf8'), shown);
  });
}

/**
 * Parses one values file. YAML 1.1, as Helm's YAML library reads it: `yes`/`on` are booleans and `<<`
 * merge keys work, so the audit sees the same values the chart's templates will.
 */
export function parseValuesText(text: string, file: string): ValuesFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, version: '1.1', uniqueKeys: true });
  const error = doc.errors[0];
  // Values files hold passwords: a message names the place and the kind of problem, never the text.
  if (error) {
    const line = error.linePos?.[0]?.line;
    throw new DagshipError(`${file}${line ? `:${line}` : ''}: not valid YAML: ${yamlErrorText(error)}`, 'fix the YAML syntax at that line; helm would reject this file too', 'config');
  }
  const data = valuesOf(doc, file);
  if (typeof data !== 'object' || Array.isArray(data)) {
    const got = Array.isArray(data) ? 'a list' : `a ${typeof data}`;
    throw new DagshipError(`${file}: expected a mapping of chart values at the top level, got ${got}`, 'a values file maps keys to values, e.g. "executor: KubernetesExecutor"', 'config');
  }
  const positions = new Map<string, Position>();
  collectPositions(doc.contents, [], positions, lineCounter);
  const positionOf = (keyPath: KeyPath): Position => {
    for (let n = keyPath.length; n > 0; n--) {
      const found = positions.get(pathKey(keyPath.slice(0, n)));
      if (found) return found;
    }
    return { line: 1, column: 1 };
  };
  return { file, data: data as Record<string, unknown>, positionOf };
}

/** The values as plain data; an alias bomb is refused instead of expanded. */
function valuesOf(doc: ReturnType<typeof parseDocument>, file: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 1000 }) ?? {};
  } catch (err) {
    const what = /excessive alias/i.test(String(err)) ? 'YAML aliases expand too far (more than 1000 uses); refused' : 'an alias (*name) has no anchor (&name) before it';
    throw new DagshipError(`${file}: ${what}`, 'fix the anchors and aliases (&name, *name) of the values file', 'config', { cause: err });
  }
}

function collectPositions(node: unknown, at: string[], out: Map<string, Position>, lines: LineCounter): void {
  const record = (keyPath: string[], where: unknown) => {
    const offset = isNode(where) ? where.range?.[0] : undefined;
    if (offset === undefined) return;
    const { line, col } = lines.linePos(offset);
    out.set(pathKey(keyPath), { line, column: col });
  };
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (key === '<<') continue;
      const keyPath = [...at, key];
      record(keyPath, pair.key);
      collectPositions(pair.value, keyPath, out, lines);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => {
      const keyPath = [...at, String(index)];
      record(keyPath, item as Node);
      collectPositions(item, keyPath, out, lines);
    });
  }
}
