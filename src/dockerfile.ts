/*
 * A Dockerfile read the way the builder reads it, as far as dagship needs: instructions with their
 * lines, stages, the final stage's base image with ARGs resolved, and what the final stage copies from
 * the build context and sets in its environment. Pure: text in, values out.
 */

export interface Instruction {
  keyword: string;
  args: string;
  /** 1-based line the instruction starts on. */
  line: number;
}

export interface Stage {
  /** `FROM image [AS name]`: the image as written (variables not yet resolved). */
  image: string;
  name?: string;
  from: Instruction;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM: the only variables a FROM can use. */
  globalArgs: Instruction[];
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions = readInstructions(text);
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ image: words[0] ?? '', name: as > 0 ? words[as + 1]?.toLowerCase() : undefined, from: instruction, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') globalArgs.push(instruction);
    } else stages.at(-1)!.instructions.push(instruction);
  }
  return { globalArgs, stages };
}

/** Joins continued lines and drops comments; the escape character comes from a `# escape=` directive. */
function readInstructions(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  const escapeChar = /^#\s*escape\s*=\s*([\\`])\s*$/i.exec(lines.find((l) => l.trim() !== '') ?? '')?.[1] ?? '\\';
  const out: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && pending)) return;
    const continued = trimmed.endsWith(escapeChar);
    const part = continued ? trimmed.slice(0, -1) : trimmed;
    pending = pending ? { ...pending, text: `${pending.text} ${part}` } : { text: part, line: i + 1 };
    if (continued) return;
    const match = /^(\S+)\s*(.*)$/s.exec(pending.text.trim());
    if (match) out.push({ keyword: match[1]!.toUpperCase(), args: match[2]!.trim(), line: pending.line });
    pending = undefined;
  });
  return out;
}

/** A variable value and where it came from, e.g. `ARG AIRFLOW_VERSION=2.10.5` or `build arg`. */
export interface Variable {
  value: string;
  source: string;
}

export type Variables = Map<string, Variable>;

/** The result of substituting variables: the text, the variables used and those without a value. */
export interface Substituted {
  value: string;
  used: string[];
  missing: string[];
}

/** `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`, as the builder expands them. */
export function substitute(text: string, vars: Variables): Substituted {
  const used: string[] = [];
  const missing: string[] = [];
  const value = text.replace(/\$(?:\{(\w+)(?:(:?[-+])([^}]*))?\}|(\w+))/g, (_all, braced?: string, op?: string, word?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    const variable = vars.get(name);
    const set = variable !== undefined && (variable.value !== '' || !op?.startsWith(':'));
    if (variable) used.push(`${variable.source}`);
    if (op?.endsWith('-')) return set ? variable!.value : (word ?? '');
    if (op?.endsWith('+')) return set ? (word ?? '') : '';
    if (!variable) missing.push(name);
    return variable?.value ?? '';
  });
  return { value, used: [...new Set(used)], missing };
}

/** ARG instructions as variables: a build arg wins over the default; an ARG without either stays unset. */
function declareArgs(args: Instruction[], buildArgs: Record<string, string>, into: Variables, outer?: Variables): void {
  for (const arg of args) {
    const [name, ...rest] = arg.args.split('=');
    const key = name!.trim();
    const fallback = rest.length ? unquote(rest.join('=')) : undefined;
    if (key in buildArgs) into.set(key, { value: buildArgs[key]!, source: `build arg ${key}=${buildArgs[key]}` });
    else if (fallback !== undefined) into.set(key, { value: substitute(fallback, into).value, source: `ARG ${key}=${fallback}` });
    else if (outer?.has(key)) into.set(key, outer.get(key)!);
  }
}

export interface FinalBase {
  /** The image the final stage starts from, variables resolved. */
  image: string;
  /** The FROM lines followed, last stage first. */
  lines: number[];
  /** The ARGs (or build args) the image name used, e.g. `ARG AIRFLOW_VERSION=2.10.5`. */
  args: string[];
  /** Variables with no value, when the name could not be resolved (then `image` is partial). */
  missing: string[];
}

/**
 * The image under the final stage: `FROM x AS y … FROM y` follows y back to x. Undefined for a
 * Dockerfile without FROM.
 */
export function finalBase(file: Dockerfile, buildArgs: Record<string, string> = {}): FinalBase | undefined {
  const chain = finalChain(file, buildArgs);
  const root = chain[0];
  if (!root) return undefined;
  const { value, missing } = substitute(root.image, globalVariables(file, buildArgs));
  const args = chain.flatMap((s) => substitute(s.image, globalVariables(file, buildArgs)).used);
  return { image: value, lines: chain.map((s) => s.from.line).reverse(), args: [...new Set(args)], missing };
}

function globalVariables(file: Dockerfile, buildArgs: Record<string, string>): Variables {
  const global: Variables = new Map();
  declareArgs(file.globalArgs, buildArgs, global);
  return global;
}

/** The stages the final one is built on, first to last: `FROM build` brings build's ENV and COPYs along. */
function finalChain(file: Dockerfile, buildArgs: Record<string, string>): Stage[] {
  const global = globalVariables(file, buildArgs);
  const chain: Stage[] = [];
  let i = file.stages.length - 1;
  while (i >= 0) {
    const stage = file.stages[i]!;
    chain.unshift(stage);
    i = stageBefore(file, i, substitute(stage.image, global).value);
  }
  return chain;
}

/** The index of the stage named `name` before stage `i`, or -1: the name is an image. */
function stageBefore(file: Dockerfile, i: number, name: string): number {
  for (let j = i - 1; j >= 0; j--) if (file.stages[j]!.name === name.toLowerCase()) return j;
  return -1;
}

/** A COPY or ADD from the build context into the final image. */
export interface ContextCopy {
  /** As written, variables resolved: paths in the build context. */
  sources: string[];
  /** Absolute path in the image (relative destinations resolved against WORKDIR). */
  dest: string;
  line: number;
}

export interface FinalStage {
  copies: ContextCopy[];
  /** ENV of the final image: the base's (as given) with the Dockerfile's over it. */
  env: Record<string, string>;
  /** The line of each ENV key the Dockerfile set. */
  envLines: Record<string, number>;
}

/** What the final stage (and the stages it is built on) copies from the context and sets in ENV. */
export function finalStage(file: Dockerfile, buildArgs: Record<string, string> = {}, baseEnv: Record<string, string> = {}): FinalStage {
  const global = globalVariables(file, buildArgs);
  const vars: Variables = new Map(Object.entries(baseEnv).map(([k, v]) => [k, { value: v, source: `the base image's ${k}` }]));
  const copies: ContextCopy[] = [];
  const envLines: Record<string, number> = {};
  let workdir = '/';
  for (const stage of finalChain(file, buildArgs)) {
    for (const instruction of stage.instructions) {
      const { keyword, args, line } = instruction;
      if (keyword === 'ARG') declareArgs([instruction], buildArgs, vars, global);
      else if (keyword === 'ENV') {
        for (const [k, v] of envPairs(args)) vars.set(k, { value: substitute(v, vars).value, source: `ENV ${k}` }), (envLines[k] = line);
      } else if (keyword === 'WORKDIR') workdir = absolute(substitute(unquote(args), vars).value, workdir);
      else if (keyword === 'COPY' || keyword === 'ADD') {
        const copy = contextCopy(args, vars, workdir, line);
        if (copy) copies.push(copy);
      }
    }
  }
  const env = Object.fromEntries([...vars].filter(([, v]) => !v.source.startsWith('ARG') && !v.source.startsWith('build arg')).map(([k, v]) => [k, v.value]));
  return { copies, env, envLines };
}

function contextCopy(args: string, vars: Variables, workdir: string, line: number): ContextCopy | undefined {
  const flags = args.match(/^(?:--\S+\s+)*/)![0];
  // --from copies from another stage or image, not from the repository.
  if (/--from=/.test(flags)) return undefined;
  const rest = args.slice(flags.length).trim();
  let words: string[];
  try {
    words = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
  } catch {
    return undefined;
  }
  const resolved = words.map((w) => substitute(w, vars).value);
  if (resolved.length < 2) return undefined;
  const sources = resolved.slice(0, -1).filter((s) => !/^(https?|git):|^git@/.test(s));
  return sources.length ? { sources, dest: absolute(resolved.at(-1)!, workdir), line } : undefined;
}

/** `ENV A=1 B="two words"` or the legacy `ENV A 1`. */
function envPairs(args: string): [string, string][] {
  if (!/^\w+=/.test(args)) {
    const [key, ...value] = args.split(/\s+/);
    return [[key!, unquote(value.join(' '))]];
  }
  return [...args.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)].map((m) => [m[1]!, unquote(m[2]!)]);
}

function unquote(text: string): string {
  const t = text.trim();
  return /^(["']).*\1$/s.test(t) ? t.slice(1, -1) : t;
}

function absolute(dest: string, workdir: string): string {
  const joined = dest.startsWith('/') ? dest : `${workdir.replace(/\/$/, '')}/${dest}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '..') parts.pop();
    else if (part && part !== '.') parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/**
 * The Dockerfile with each FROM that names an image rewritten by `rename` (stage names and `scratch`
 * untouched), so a build pulls through a mirror; lines keep their numbers.
 */
export function rewriteFroms(text: string, buildArgs: Record<string, string>, rename: (image: string) => string): string {
  const file = parseDockerfile(text);
  const global = globalVariables(file, buildArgs);
  const lines = text.split('\n');
  file.stages.forEach((stage, i) => {
    const { value, missing } = substitute(stage.image, global);
    if (missing.length || stageBefore(file, i, value) >= 0 || value === 'scratch') return;
    const renamed = rename(value);
    const index = stage.from.line - 1;
    if (renamed !== value && lines[index]?.includes(stage.image)) lines[index] = lines[index]!.replace(stage.image, renamed);
  });
  return lines.join('\n');
}
