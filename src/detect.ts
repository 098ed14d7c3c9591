import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { NO_DOCKERFILE, OFFICIAL_LAYOUT } from './config.js';
import { finalBase, finalStage, parseDockerfile, type ContextCopy } from './dockerfile.js';
import { DagshipError } from './errors.js';
import { parseImageReference } from './image-reference.js';

/*
 * What a repository says about itself: the Airflow it runs (its Dockerfile's FROM, else its apache-airflow
 * pin), the Dockerfile it builds with, where its DAGs are and where its image puts them. Pure over the file
 * system; inferOptions() fills only what no setting gave.
 */

/** A value read from the repository and where it was read. */
export interface Found<T> {
  value: T;
  from: string;
}

export interface Detection {
  /** The Airflow image, as the repository names it (before any image mirror). */
  baseImage?: Found<string>;
  /** The Dockerfile to build with, relative to the root: found, not configured. */
  dockerfile?: Found<string>;
  dagsFolder?: Found<string>;
  pluginsFolder?: Found<string>;
  layout: {
    dags?: Found<string>;
    plugins?: Found<string>;
    folders?: Found<Record<string, string>>;
    pythonPath?: Found<string[]>;
  };
}

/** What detection takes from the settings: what is configured is not looked for. */
export interface DetectSettings {
  /** build.dockerfile: a path, `none`, or undefined to look for one. */
  dockerfile?: string;
  /** The requirements file, relative to the root. */
  requirements: string;
  buildArgs?: Record<string, string>;
  dagsFolder?: string;
  pluginsFolder?: string;
  /** False when base_image is configured: then an ambiguous base is no error. */
  needBase: boolean;
}

const PICK = "set 'base_image' in dagship.yaml or pass --base-image";

export function detectRepository(root: string, settings: DetectSettings): Detection {
  const dockerfile = pickDockerfile(root, settings);
  const parsed = dockerfile && parseDockerfile(read(root, dockerfile.value));
  const base = parsed && finalBase(parsed, settings.buildArgs);
  if (dockerfile && base?.missing.length && settings.needBase) {
    throw new DagshipError(
      `${dockerfile.value}:${base.lines[0]} FROM ${base.image}: no value for ${base.missing.map((m) => `$${m}`).join(', ')} (an ARG without a default)`,
      `give the ARG a default, set it in build.args in dagship.yaml, or ${PICK}`,
      'config',
    );
  }
  const baseImage =
    dockerfile && base && !base.missing.length
      ? { value: base.image, from: `${dockerfile.value}:${base.lines.join('→')} FROM${base.args.length ? `, ${base.args.join(', ')}` : ''}` }
      : settings.needBase && !base
        ? requirementsPin(root, settings.requirements)
        : undefined;
  const astro = baseImage && isAstro(baseImage.value);
  const home = astro ? '/usr/local/airflow' : '/opt/airflow';
  const stage = parsed ? finalStage(parsed, settings.buildArgs, { AIRFLOW_HOME: home }) : undefined;
  const where = (c: ContextCopy) => `${dockerfile!.value}:${c.line} COPY`;
  const copies = folderCopies(root, stage?.copies ?? [], where);
  // The astro-runtime image copies the whole project into its AIRFLOW_HOME itself (ONBUILD COPY . .).
  if (astro) copies.unshift({ source: '.', dest: home, from: `${baseImage.value} ONBUILD COPY` });
  const env = stage?.env ?? { AIRFLOW_HOME: home };
  const imageDags = env.AIRFLOW__CORE__DAGS_FOLDER ?? `${env.AIRFLOW_HOME}/dags`;
  const imagePlugins = env.AIRFLOW__CORE__PLUGINS_FOLDER ?? `${env.AIRFLOW_HOME}/plugins`;

  const dagsFolder = settings.dagsFolder ? undefined : (copiedTo(copies, imageDags) ?? firstFolder(root, ['dags', 'airflow/dags']));
  const dags = settings.dagsFolder ?? dagsFolder?.value ?? 'dags';
  const pluginsFolder = settings.pluginsFolder ? undefined : (copiedTo(copies, imagePlugins) ?? firstFolder(root, [path.posix.join(path.posix.dirname(dags), 'plugins')]));
  const plugins = settings.pluginsFolder ?? pluginsFolder?.value ?? 'plugins';
  const folders = copies.filter((c) => c.source !== dags && c.source !== plugins);
  const pythonPath = stage?.envLines.PYTHONPATH
    ? { value: env.PYTHONPATH!.split(':').filter((p) => p.startsWith('/')), from: `${dockerfile!.value}:${stage.envLines.PYTHONPATH} ENV PYTHONPATH` }
    : astro
      ? { value: [home], from: `${baseImage.value}: Astro runs from ${home}` }
      : undefined;
  return {
    baseImage,
    dockerfile: dockerfile && settings.dockerfile === undefined ? dockerfile : undefined,
    dagsFolder: dagsFolder?.value === 'dags' && !dagsFolder.from.includes('COPY') ? undefined : dagsFolder,
    pluginsFolder: pluginsFolder?.value === 'plugins' ? undefined : pluginsFolder,
    layout: {
      dags: placed(copies, dags, OFFICIAL_LAYOUT.dags),
      plugins: placed(copies, plugins, OFFICIAL_LAYOUT.plugins),
      folders: folders.length ? { value: Object.fromEntries(folders.map((c) => [c.source, c.dest])), from: [...new Set(folders.map((c) => c.from))].join(', ') } : undefined,
      pythonPath: pythonPath?.value.length ? pythonPath : undefined,
    },
  };
}

/** Airflow images from Astronomer: their ONBUILD copies the project to /usr/local/airflow. */
export function isAstro(image: string): boolean {
  return /(^|\/)astronomer\/|astrocrafter|(^|\/)(astro-)?runtime[:@]/.test(image);
}

function read(root: string, file: string): string {
  return readFileSync(path.join(root, file), 'utf8');
}

/** A folder's entries; none for a folder that is not there. */
const list = (dir: string) => (isDir(dir) ? readdirSync(dir) : []);
const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const DOCKERFILE_NAME = /^(Dockerfile(\.[\w.-]+)?|[\w.-]+\.Dockerfile)$/i;
/** Folders whose Dockerfiles build something else: test runners, CI jobs, dependencies. */
const NOT_THE_IMAGE = /^(\..*|node_modules|tests?|venv|\.venv|docs)$/i;

/** The configured Dockerfile; else `Dockerfile` at the root; else the only one at the root or a folder below. */
function pickDockerfile(root: string, settings: DetectSettings): Found<string> | undefined {
  const configured = settings.dockerfile;
  if (configured && configured !== NO_DOCKERFILE) return isFile(path.join(root, configured)) ? { value: configured, from: 'build.dockerfile' } : undefined;
  if (isFile(path.join(root, 'Dockerfile'))) return { value: 'Dockerfile', from: 'found at the root' };
  const candidates = [
    ...list(root).filter((f) => DOCKERFILE_NAME.test(f) && isFile(path.join(root, f))),
    ...list(root)
      .filter((d) => !NOT_THE_IMAGE.test(d) && isDir(path.join(root, d)))
      .flatMap((d) =>
        list(path.join(root, d))
          .filter((f) => f === 'Dockerfile' && isFile(path.join(root, d, f)))
          .map((f) => `${d}/${f}`),
      ),
  ].sort();
  if (candidates.length <= 1) return candidates[0] ? { value: candidates[0], from: 'the only Dockerfile' } : undefined;
  const bases = new Set(candidates.map((c) => finalBase(parseDockerfile(read(root, c)), settings.buildArgs)?.image));
  if (bases.size > 1 && settings.needBase) {
    throw new DagshipError(
      `several Dockerfiles and none configured: ${candidates.map((c) => `${c} (FROM ${finalBase(parseDockerfile(read(root, c)), settings.buildArgs)?.image ?? 'none'})`).join(', ')}`,
      `set 'build.dockerfile' in dagship.yaml (or --dockerfile) to the one that builds the Airflow image, or ${PICK}`,
      'config',
    );
  }
  return undefined;
}

const PIN = /^\s*apache[-_.]airflow(\[[^\]]*\])?\s*===?\s*([\w.+!-]+)/i;

/** `apache-airflow==X` in the requirements, the files they name with -r/-c, and constraints*.txt → apache/airflow:X. */
function requirementsPin(root: string, requirements: string): Found<string> | undefined {
  const files = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file) || !isFile(path.join(root, file))) return;
    files.add(file);
    for (const line of read(root, file).split('\n')) {
      const ref = /^\s*(-[rc]|--requirement|--constraint)[=\s]\s*(\S+)/.exec(line)?.[2];
      if (ref && !/^[a-z]+:\/\//i.test(ref)) visit(path.posix.join(path.posix.dirname(file), ref));
    }
  };
  visit(path.posix.normalize(requirements));
  for (const f of list(root).filter((f) => /^constraints.*\.txt$/i.test(f))) visit(f);
  const pins = [...files].flatMap((file) =>
    read(root, file)
      .split('\n')
      .flatMap((line, i) => {
        const version = PIN.exec(line.replace(/\s#.*$/, ''))?.[2];
        return version ? [{ version, where: `${file}:${i + 1}` }] : [];
      }),
  );
  const versions = [...new Set(pins.map((p) => p.version))];
  if (versions.length > 1) {
    throw new DagshipError(`the requirements pin different Airflow versions: ${pins.map((p) => `apache-airflow==${p.version} (${p.where})`).join(', ')}`, `make the pins agree, or ${PICK}`, 'config');
  }
  return pins[0] && { value: `apache/airflow:${pins[0].version}`, from: `${pins.map((p) => p.where).join(', ')} apache-airflow==${pins[0].version}` };
}

interface FolderCopy {
  /** A repository folder, '/'-separated, '.' for the root. */
  source: string;
  dest: string;
  from: string;
}

/** The COPYs of repository folders (files and globs are not layout). */
function folderCopies(root: string, copies: ContextCopy[], where: (c: ContextCopy) => string): FolderCopy[] {
  return copies.flatMap((c) =>
    c.sources
      .map((s) => path.posix.normalize(s).replace(/\/+$/, '') || '.')
      .filter((s) => !s.startsWith('..') && !/[*?[]/.test(s) && isDir(path.join(root, s)))
      .map((source) => ({ source, dest: c.dest, from: where(c) })),
  );
}

/** The repository folder copied exactly to `dest`, the last COPY winning as in the image. */
function copiedTo(copies: FolderCopy[], dest: string): Found<string> | undefined {
  const copy = copies.filter((c) => c.dest === dest && c.source !== '.').at(-1);
  return copy && { value: copy.source, from: copy.from };
}

function firstFolder(root: string, candidates: string[]): Found<string> | undefined {
  const found = candidates.find((c) => isDir(path.join(root, c)));
  return found ? { value: found, from: `found ${found}/` } : undefined;
}

/** Where the image holds a repository folder: its own COPY, else the COPY of a folder holding it. */
function placed(copies: FolderCopy[], folder: string, official: string): Found<string> | undefined {
  const inside = (c: FolderCopy) => c.source === '.' || folder === c.source || folder.startsWith(`${c.source}/`);
  const copy = copies.filter(inside).sort((a, b) => b.source.length - a.source.length)[0];
  if (!copy) return undefined;
  const dest = copy.source === folder ? copy.dest : path.posix.join(copy.dest, copy.source === '.' ? folder : folder.slice(copy.source.length + 1));
  return dest === official ? undefined : { value: dest, from: copy.from };
}

/**
 * The image pulled through the team's mirror: `{docker.io: registry.corp/dockerhub}` makes
 * apache/airflow:3.1.0 registry.corp/dockerhub/apache/airflow:3.1.0.
 */
export function mirrorImage(image: string, mirror: Record<string, string>): string {
  let ref: ReturnType<typeof parseImageReference>;
  try {
    ref = parseImageReference(image);
  } catch {
    return image;
  }
  const prefix = mirror[ref.registry];
  if (!prefix) return image;
  return `${prefix.replace(/\/+$/, '')}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}
