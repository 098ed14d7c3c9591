import { pathKey, type KeyPath, type ValuesFile } from './parse.js';

/** Where a finding points: a values file and, when a file set the key, its line and column (live mode: an object). */
export interface Origin {
  file: string;
  line?: number;
  column?: number;
}

/** A key path written with dots ('data.metadataConnection.pass') or as an array (for keys with dots). */
export type Path = string | KeyPath;

/**
 * Chart values as the rules see them: the merged result, and which file set each key. Values mode builds
 * this from values files; live mode can build the same shape from a running release.
 */
export interface Values {
  /** The sources merged, in order, as findings name them. */
  readonly files: string[];
  get(keyPath: Path): unknown;
  /** Where a source set this key (the last one to set it); undefined when the value is the chart's default. */
  setBy(keyPath: Path): Origin | undefined;
  /** Where to point a finding: the first of these keys a source set, else line 1 of the first source. */
  where(...keyPaths: Path[]): Origin;
  /** Every key a source set at or under a prefix, deepest last, with its origin. */
  setUnder(prefix: Path): Array<{ keyPath: string[]; origin: Origin }>;
}

export const splitPath = (keyPath: Path): string[] => (typeof keyPath === 'string' ? keyPath.split('.') : [...keyPath]);

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Merges values files onto the chart's defaults the way Helm does: later files win, maps merge key by
 * key, lists and scalars are replaced whole, and `null` deletes the key (default included).
 */
export function mergeValues(defaults: object, files: ValuesFile[]): Values {
  const data = structuredClone(defaults) as Record<string, unknown>;
  const origins = new Map<string, { keyPath: string[]; origin: Origin }>();
  for (const file of files) mergeMap(data, file.data, [], file, origins);
  return new MergedValues(
    data,
    origins,
    files.map((f) => f.file),
  );
}

export type Origins = Map<string, { keyPath: string[]; origin: Origin }>;

function mergeMap(target: Record<string, unknown>, source: Record<string, unknown>, at: string[], file: ValuesFile, origins: Origins): void {
  for (const [key, value] of Object.entries(source)) {
    const keyPath = [...at, key];
    record(origins, keyPath, file);
    if (value === null) {
      delete target[key];
      dropUnder(origins, keyPath);
    } else if (isMapping(value) && isMapping(target[key])) {
      mergeMap(target[key], value, keyPath, file, origins);
    } else {
      // A list or scalar replaces what was there; so does a map replacing a non-map.
      target[key] = structuredClone(value);
      dropUnder(origins, keyPath);
      recordAll(origins, value, keyPath, file);
    }
  }
}

function record(origins: Origins, keyPath: string[], file: ValuesFile): void {
  const { line, column } = file.positionOf(keyPath);
  origins.set(pathKey(keyPath), { keyPath, origin: { file: file.file, line, column } });
}

function recordAll(origins: Origins, value: unknown, at: string[], file: ValuesFile): void {
  const children = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : isMapping(value) ? Object.entries(value) : [];
  for (const [key, child] of children) {
    record(origins, [...at, key], file);
    recordAll(origins, child, [...at, key], file);
  }
}

function dropUnder(origins: Origins, keyPath: string[]): void {
  const prefix = `${pathKey(keyPath)}\u0000`;
  for (const key of origins.keys()) if (key.startsWith(prefix)) origins.delete(key);
}

/** Values held as data plus the origin of each key set; subclasses say where an unset key points. */
export abstract class RecordedValues implements Values {
  constructor(
    protected readonly data: Record<string, unknown>,
    protected readonly origins: Origins,
    readonly files: string[],
  ) {}

  /** Where a finding about keys nobody set points. */
  protected abstract unsetOrigin(keyPaths: Path[]): Origin;

  get(keyPath: Path): unknown {
    let node: unknown = this.data;
    for (const key of splitPath(keyPath)) {
      if (Array.isArray(node)) node = node[Number(key)];
      else if (isMapping(node)) node = node[key];
      else return undefined;
    }
    return node;
  }

  setBy(keyPath: Path): Origin | undefined {
    return this.origins.get(pathKey(splitPath(keyPath)))?.origin;
  }

  where(...keyPaths: Path[]): Origin {
    for (const keyPath of keyPaths) {
      const origin = this.setBy(keyPath);
      if (origin) return origin;
    }
    return this.unsetOrigin(keyPaths);
  }

  setUnder(prefix: Path): Array<{ keyPath: string[]; origin: Origin }> {
    const start = pathKey(splitPath(prefix));
    return [...this.origins.entries()]
      .filter(([key]) => key === start || key.startsWith(`${start}\u0000`))
      .map(([, entry]) => entry)
      .sort((a, b) => a.keyPath.length - b.keyPath.length);
  }
}

class MergedValues extends RecordedValues {
  protected unsetOrigin(): Origin {
    return { file: this.files[0] ?? 'values.yaml', line: 1 };
  }
}
