import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readAirflowVersion } from '../airflow-version.js';
import type { Options } from '../config.js';
import { layoutEnv, nestedSources, ownedPaths, placements, type Placement } from '../layout.js';
import { refuseEmptyDagFolder } from '../checks/empty-dags.js';
import { DagshipError } from '../errors.js';
import type { Logger } from '../logger.js';
import { tempError, withTempDir } from '../temp.js';
import { archiveStream, exportLayers } from './archive.js';
import { baseDigest } from './base.js';
import { ensureBase } from './pull.js';
import type { BuildDeps, BuildPlan, BuildResult, HeldParent } from './plan.js';
import { folderPath, formatBytes, selectFiles, type Selection } from './context.js';
import type { ImageDetails, ImageOperations } from '../engine/images.js';
import { imageConfig } from './image-config.js';
import { contentDigest, writeLayer, type Layer } from './layer.js';
import { withPaths } from './path-cache.js';
import { releaseLabels, shortList } from './release.js';
import { requirementLines, requirementsImage, requirementsRef } from './requirements.js';

/** A repository folder baked into the image as one layer. */
interface Bake extends Placement {
  selection: Selection;
  /** The time every entry of the layer carries. */
  mtime: Date;
}

/**
 * The plugins and extra folders' layers' fixed time (1980-01-01, the earliest a zip file can record): their
 * bytes then depend only on their content, so an unchanged folder is the same layer in every commit's
 * image — not loaded or uploaded again. Airflow reads plugins at start-up only. DAG files keep the commit
 * time: Airflow 2 copies a DAG file's source into its database only when the file's mtime is newer.
 */
export const FOLDER_MTIME = new Date('1980-01-01T00:00:00Z');

/**
 * The generated, reproducible build: base image (+ requirements layers), then a layer per extra folder
 * (image_layout.folders), a plugins layer and a DAG layer written byte-for-byte from the commit, an image config with fixed timestamps, loaded as a
 * docker-archive. The image ID is the sha256 of that config, so the same commit and base give the same ID.
 */
export async function assemble(plan: BuildPlan, deps: BuildDeps, log: Logger): Promise<BuildResult> {
  const started = Date.now();
  // Before the engine does anything: a refused folder leaves nothing behind.
  const bakes = selectBakes(plan);
  const { base, baseName, parentRef, parent } = await prepareParent(plan, deps, log);
  log.debug(`engine: base, requirements and folder owners in ${Date.now() - started} ms`);
  // The parent is what the image runs: its requirements may have installed another Airflow than the base's.
  const airflow = readAirflowVersion(parentRef, deps.engine, log);
  airflow.catch(() => undefined); // awaited below, after the layers are written
  const building = withTempDir('dagship-build-', async (dir) => {
    const writing = Date.now();
    const layers = await writeLayers(bakes, parent, dir, log);
    const airflowVersion = (await airflow)?.version;
    const environment = layoutEnv((parent.config.Env as string[] | null) ?? [], plan.options, bakes);
    for (const [key, value] of Object.entries(environment)) log.info(`image env ${key}=${value} (image_layout)`);
    if (!airflowVersion) log.warn(`could not read the apache-airflow version installed in ${baseName}: the image gets no io.dagship.airflow.version label`);
    log.debug(`files selected and layers written in ${Date.now() - writing} ms`);
    const labels = releaseLabels({
      release: plan.release,
      dirty: plan.dirty,
      overrides: plan.options.contentOverrides,
      version: plan.tags[0]!.slice(plan.repository.length + 1),
      baseName,
      baseDigest: baseDigest(base, baseName),
      dagsDigest: contentDigest(layers),
      airflowVersion,
    });
    const config = imageConfig({
      parent,
      baseLayerCount: base.layers.length,
      layers: layers.map((l) => ({ diffId: l.diffId, createdBy: `dagship: ${l.name} → ${l.target}` })),
      labels,
      env: environment,
      created: plan.release.commitTime,
    });
    const method = (await tagHeld(plan, deps, config.digest, log)) ?? (await load(plan, deps, parent, parentRef, layers, config, dir, log));
    const id = await verifyLoaded(deps, plan.tags[0]!, config.digest, method.store, log);
    log.info(`built ${plan.tags[0]} in ${((Date.now() - started) / 1000).toFixed(1)}s: image ${id}${plan.dirty ? '' : ' (reproducible: same commit and base → same ID)'}`);
    return { image: plan.tags[0]!, tags: plan.tags, id, dirty: plan.dirty, method: method.name, reproducible: true, labels, ...summary(bakes, layers) };
  });
  return building.catch((err: unknown) => {
    throw tempError(err, 'room for the image layers (about the size of the DAG and plugins folders; the base image too on containerd)') ?? err;
  });
}

/**
 * Looks the parent up while git is asked about the commit (nothing here changes the engine, so it may run
 * before a dirty tree is refused): base, requirements image, folder owners.
 */
export async function heldParent(engine: ImageOperations, options: Options): Promise<HeldParent> {
  const base = options.base_image ? await engine.inspect(options.base_image) : undefined;
  if (!base) return {};
  const file = path.join(options.root, options.requirements);
  const parentRef = requirementLines(file).length > 0 ? requirementsRef(base.id, readFileSync(file)) : base.id;
  const image = parentRef === base.id ? base : await engine.inspect(parentRef);
  // The owners of the targets' parent folders (/opt, /opt/airflow) go into the layers as the parent has them.
  const parent = image && (await withPaths(engine, image, ownedPaths(placements(options))));
  return parent ? { base, parent, parentRef } : { base };
}

/** The base image, and the image the new layers go on: the base, or the base with requirements installed. */
async function prepareParent(plan: BuildPlan, deps: BuildDeps, log: Logger) {
  const baseName = plan.options.base_image;
  if (!baseName) throw new DagshipError('no base image configured', "set 'base_image' in dagship.yaml (e.g. apache/airflow:3.3.2) or pass --base-image", 'config');
  // A lookup that failed is done again below, where its error is worded.
  const held = (await plan.held?.catch(() => undefined)) ?? {};
  const base = held.base ?? (await ensureBase(deps.engine, baseName, deps.credentialsFor, log));
  log.info(`base ${baseName} (${base.id.slice(7, 19)}, ${base.layers.length} layer(s))`);
  if (held.parent && held.parentRef) {
    if (held.parentRef !== base.id) log.info(`requirements: reused ${held.parentRef} (same base and requirements.txt)`);
    return { base, baseName, parentRef: held.parentRef, parent: held.parent };
  }
  const requirements = path.join(plan.options.root, plan.options.requirements);
  const { ref: parentRef, image } =
    requirementLines(requirements).length > 0
      ? await requirementsImage({ engine: deps.engine, baseId: base.id, file: requirements, timeoutMs: plan.options.build.requirements_timeout * 1000, log })
      : { ref: base.id, image: base };
  const parent = await withPaths(deps.engine, image, ownedPaths(placements(plan.options)));
  if (!parent) throw new DagshipError(`the engine no longer holds ${parentRef}`, 'run the build again (was an image removed meanwhile?)', 'infra');
  return { base, baseName, parentRef, parent };
}

async function writeLayers(bakes: Bake[], parent: ImageDetails, dir: string, log: Logger): Promise<Layer[]> {
  const layers: Layer[] = [];
  for (const b of bakes) {
    const layer = await writeLayer({ name: b.name, target: b.target, files: b.selection.files, mtime: b.mtime, parents: parent.paths }, dir);
    const count = b.selection.files.filter((f) => f.type === 'file').length;
    log.info(`layer ${b.name}: ${count} file(s), ${formatBytes(b.selection.bytes)} → ${b.target} (tar ${formatBytes(layer.size)}, ${layer.diffId.slice(7, 19)})`);
    layers.push(layer);
  }
  const excluded = bakes.flatMap((b) => b.selection.excluded);
  if (excluded.length) log.info(`left out: ${shortList(excluded, 8)}`);
  return layers;
}

function summary(bakes: Bake[], layers: Layer[]): Pick<BuildResult, 'layers' | 'contextBytes' | 'excluded'> {
  return {
    layers: layers.map((l, i) => ({ name: l.name, target: l.target, diffId: l.diffId, size: l.size, files: bakes[i]!.selection.files.length })),
    contextBytes: bakes.reduce((n, b) => n + b.selection.bytes, 0),
    excluded: bakes.flatMap((b) => b.selection.excluded),
  };
}

/**
 * A layer per repository folder the image holds (image_layout), those that change least first: the
 * extra folders, the plugins folder (when it has anything), the DAG folder. A folder inside another that
 * lands at the same place in the image is left out of the outer one's layer.
 */
function selectBakes(plan: BuildPlan): Bake[] {
  const { options, rules } = plan;
  const dags = folderPath(options.dags_folder);
  const dir = path.join(options.root, dags);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new DagshipError(`the DAG folder ${dags}/ does not exist in ${options.root}`, "set 'dags_folder' in dagship.yaml (or --dags-folder) to the folder holding the DAG files", 'config');
  }
  const all = placements(options);
  const bakes = all.map((p): Bake => {
    const selection = selectFiles(options.root, p.source, rules, nestedSources(p, all));
    return { ...p, selection, mtime: p.kind === 'dags' ? new Date(plan.release.commitTime) : FOLDER_MTIME };
  });
  const dagFiles = bakes.at(-1)!.selection.files.filter((f) => f.type === 'file' && /\.(py|zip)$/.test(f.path));
  refuseEmptyDagFolder(options, dagFiles.length);
  return bakes.filter((b) => b.kind === 'dags' || b.selection.files.length > 0);
}

/**
 * Loads the archive. A graph-driver engine holding the parent takes only the new layers; containerd's
 * image store may refuse that, so there (or when asked) the parent's layers are exported and included.
 */
async function load(plan: BuildPlan, deps: BuildDeps, parent: ImageDetails, parentRef: string, layers: Layer[], config: ReturnType<typeof imageConfig>, dir: string, log: Logger) {
  const info = await plan.storage;
  const store = info.imageStore;
  const where = store === 'containerd' ? "containerd's image store" : `graph driver ${info.storageDriver}`;
  const withBase = plan.includeBaseLayers || store === 'containerd';
  let parentFiles: (string | undefined)[] = parent.layers.map(() => undefined);
  if (withBase) {
    const started = Date.now();
    parentFiles = await exportLayers(deps.engine, parentRef, path.join(dir, 'parent'));
    if (parentFiles.length !== parent.layers.length) {
      throw new DagshipError(`exporting ${parentRef} gave ${parentFiles.length} layer(s), its config lists ${parent.layers.length}`, 'check the engine (docker save of the base image)', 'infra');
    }
    log.info(`exported ${parentFiles.length} parent layer(s) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  }
  log.info(
    withBase
      ? `engine keeps images in ${where}: loading a docker-archive with the base layers included`
      : `engine keeps images in ${where}: loading a docker-archive with only the new layers (the engine holds the base)`,
  );
  const archive = archiveStream({
    config,
    repoTags: plan.tags,
    layers: [...parent.layers.map((diffId, i) => ({ diffId, file: parentFiles[i] })), ...layers.map((l) => ({ diffId: l.diffId, file: l.file }))],
  });
  const started = Date.now();
  await deps.engine.load(archive);
  log.debug(`engine loaded the archive in ${Date.now() - started} ms`);
  return { name: withBase ? ('archive-with-base' as const) : ('archive' as const), store };
}

/**
 * When the engine already holds an image with this config digest, it is this very image (the ID names the
 * config, the config names every layer by content): the tags are added and nothing is loaded. Only on
 * a graph-driver engine, where the image ID is the config digest.
 */
async function tagHeld(plan: BuildPlan, deps: BuildDeps, configDigest: string, log: Logger) {
  const store = (await plan.storage).imageStore;
  if (store !== 'graphdriver') return undefined;
  const held = await deps.engine.inspect(configDigest);
  if (!held) return undefined;
  const missing = plan.tags.filter((t) => !held.tags.includes(t));
  for (const tag of missing) await deps.engine.tag(held.id, tag);
  log.info(
    `the engine already holds image ${configDigest.slice(7, 19)}: ${missing.length ? `tagged it ${missing.map((t) => t.slice(plan.repository.length + 1)).join(', ')}` : 'already tagged'}, nothing loaded`,
  );
  return { name: 'held' as const, store };
}

/** The loaded image must be exactly the config written: its ID is the config's digest. */
async function verifyLoaded(deps: BuildDeps, ref: string, configDigest: string, store: string, log: Logger): Promise<string> {
  const loaded = await deps.engine.inspect(ref);
  if (!loaded) throw new DagshipError(`the engine accepted the image archive but does not list ${ref}`, 'run the build again; if it persists, check the engine log', 'infra');
  if (store === 'containerd') {
    log.debug(`containerd image store: image ID ${loaded.id} is a manifest digest; the config digest is ${configDigest}`);
    return loaded.id;
  }
  if (loaded.id !== configDigest) {
    throw new DagshipError(
      `the engine loaded ${ref} as ${loaded.id}, not the config digest ${configDigest}`,
      'the engine rewrote the image config; report this with the engine version (docker version)',
      'infra',
    );
  }
  return loaded.id;
}
