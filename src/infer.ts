import type { Inference, Options } from './config.js';
import { detectRepository, mirrorImage, type Found } from './detect.js';

/**
 * The options with what the repository says filled in where no setting (dagship.yaml, DAGSHIP_*, flags)
 * gave a value; `inferred` lists each value with where it came from. A configured value always wins.
 */
export function inferOptions(options: Options): Options {
  const configured = options.configured ?? new Set<string>();
  const found = detectRepository(options.root, {
    dockerfile: options.build.dockerfile,
    requirements: options.requirements,
    buildArgs: options.build.args,
    dagsFolder: configured.has('dags_folder') ? options.dags_folder : undefined,
    pluginsFolder: configured.has('plugins_folder') ? options.plugins_folder : undefined,
    needBase: !options.base_image,
  });
  const inferred: Inference[] = [];
  const take = <T>(key: string, what: (v: T) => string, value: Found<T> | undefined, from = value?.from): T | undefined => {
    if (value) inferred.push({ key, what: what(value.value), from: from! });
    return value?.value;
  };
  let base = options.base_image;
  if (!base && found.baseImage) {
    const named = found.baseImage.value;
    base = mirrorImage(named, options.image_mirror);
    take('base_image', () => `base image ${base}`, found.baseImage, `${base === named ? '' : `${named} through image_mirror; `}${found.baseImage.from}`);
  }
  const dockerfile = options.build.dockerfile ?? take('build.dockerfile', (f) => `build with ${f}`, found.dockerfile, `${found.dockerfile?.from}; build.dockerfile: none opts out`);
  const dags = take('dags_folder', (f) => `DAGs ${f}/`, found.dagsFolder) ?? options.dags_folder;
  const plugins = take('plugins_folder', (f) => `plugins ${f}/`, found.pluginsFolder) ?? options.plugins_folder;
  const set = options.image_layout;
  const l = found.layout;
  const layout = {
    dags: set.dags ?? take('image_layout.dags', (d) => `DAGs in the image at ${d}`, l.dags),
    plugins: set.plugins ?? take('image_layout.plugins', (d) => `plugins at ${d}`, l.plugins),
    folders: set.folders ?? take('image_layout.folders', describeFolders, l.folders),
    python_path: set.python_path ?? take('image_layout.python_path', (p) => `PYTHONPATH ${p.join(':')}`, l.pythonPath),
  };
  const image_layout = Object.fromEntries(Object.entries(layout).filter(([, v]) => v !== undefined)) as Options['image_layout'];
  return { ...options, base_image: base, dags_folder: dags, plugins_folder: plugins, build: { ...options.build, dockerfile }, image_layout, inferred };
}

const describeFolders = (folders: Record<string, string>) =>
  Object.entries(folders)
    .map(([from, to]) => `${from === '.' ? 'the repository' : `${from}/`} at ${to}`)
    .join(', ');

/** The first line of a command that inferred settings: what, and where from. */
export function inferenceLine(options: Options): string | undefined {
  const notes = options.inferred ?? [];
  return notes.length ? `dagship: inferred ${notes.map((n) => `${n.what} (${n.from})`).join(', ')}` : undefined;
}
