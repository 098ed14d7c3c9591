import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Which repository files each Python file imports, read statically: enough to know which DAG files a
 * changed helper module can affect. `roots` are the folders Airflow puts on sys.path (DAG folder,
 * plugins folder, repository root), relative to `repo`, in lookup order.
 */
export function localImports(repo: string, file: string, roots: string[]): string[] {
  let source: string;
  try {
    source = readFileSync(path.join(repo, file), 'latin1');
  } catch {
    return [];
  }
  const found = new Set<string>();
  for (const name of importedModules(source, path.posix.dirname(file), roots)) {
    for (const candidate of moduleFiles(repo, name, roots)) found.add(candidate);
  }
  found.delete(file);
  return [...found].sort();
}

/** Module names from `import a.b`, `from a.b import c` and relative `from .x import y` statements. */
export function importedModules(source: string, fileDir: string, roots: string[]): string[] {
  const names: string[] = [];
  const logical = source.replace(/\\\r?\n/g, ' ').replace(/\(([^)]*)\)/gs, (m) => m.replace(/\r?\n/g, ' '));
  for (const line of logical.split(/\r?\n/)) {
    const plain = /^\s*import\s+(.+)$/.exec(line);
    if (plain) {
      for (const part of plain[1]!.split(',')) names.push(part.trim().split(/\s+/)[0]!);
      continue;
    }
    const from = /^\s*from\s+(\.*)([\w.]*)\s+import\s+\(?([^#]*)/.exec(line);
    if (!from) continue;
    const [, dots = '', base = '', imported = ''] = from;
    const pkg = dots ? relativePackage(fileDir, dots.length, roots) : '';
    if (dots && pkg === undefined) continue;
    const module = [pkg, base].filter(Boolean).join('.');
    if (module) names.push(module);
    // `from pkg import mod` may name a submodule.
    for (const part of imported.replace(/[()]/g, '').split(',')) {
      const sub = part.trim().split(/\s+/)[0];
      if (sub && sub !== '*') names.push(module ? `${module}.${sub}` : sub);
    }
  }
  return names.filter((n) => /^[\w.]+$/.test(n));
}

function relativePackage(fileDir: string, dots: number, roots: string[]): string | undefined {
  const root = roots.find((r) => r === '' || r === '.' || fileDir === r || fileDir.startsWith(`${r}/`));
  if (root === undefined) return undefined;
  const inside = path.posix.relative(root === '.' ? '' : root, fileDir);
  const parts = inside ? inside.split('/') : [];
  if (dots - 1 > parts.length) return undefined;
  return parts.slice(0, parts.length - (dots - 1)).join('.');
}

/** The files a module name loads from the repository: each package __init__ on the way and the module. */
function moduleFiles(repo: string, name: string, roots: string[]): string[] {
  const parts = name.split('.');
  for (const root of roots) {
    const base = root === '.' ? '' : root;
    const files: string[] = [];
    for (let i = 1; i <= parts.length; i++) {
      const rel = path.posix.join(base, ...parts.slice(0, i));
      const init = `${rel}/__init__.py`;
      if (existsSync(path.join(repo, init))) files.push(init);
      else if (existsSync(path.join(repo, `${rel}.py`))) {
        files.push(`${rel}.py`);
        break;
      } else if (!isDir(path.join(repo, rel))) break;
    }
    if (files.length) return files;
  }
  return [];
}

/** Every repository file each of `files` depends on, following imports transitively. */
export function importClosure(repo: string, files: string[], roots: string[]): Map<string, Set<string>> {
  const direct = new Map<string, string[]>();
  const depsOf = (f: string) => {
    if (!direct.has(f)) direct.set(f, localImports(repo, f, roots));
    return direct.get(f)!;
  };
  const closure = new Map<string, Set<string>>();
  for (const file of files) {
    const seen = new Set<string>();
    const stack = [...depsOf(file)];
    while (stack.length) {
      const next = stack.pop()!;
      if (seen.has(next) || next === file) continue;
      seen.add(next);
      stack.push(...depsOf(next));
    }
    closure.set(file, seen);
  }
  return closure;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
