import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { readAirflowVersion } from '../airflow-version.js';
import { dockerfileOf } from '../config.js';
import { finalBase, parseDockerfile, rewriteFroms } from '../dockerfile.js';
import { mirrorImage } from '../detect.js';
import { withTempDir } from '../temp.js';
import { DagshipError } from '../errors.js';
import { tail } from '../text.js';
import type { Logger } from '../logger.js';
import { baseDigest } from './base.js';
import { ensureBase } from './pull.js';
import type { BuildDeps, BuildPlan, BuildResult } from './plan.js';
import { imagePathsOf, placements } from '../layout.js';
import { folderPath, formatBytes, selectFiles, type ContextFile } from './context.js';
import { EngineStreamError } from '../engine/images.js';
import { addEntry, addFile, contentDigest } from './layer.js';
import { releaseLabels } from './release.js';

/**
 * The team's own Dockerfile, built by the engine's classic builder. Not reproducible: the builder stamps
 * the build time into the image, so every build has a new ID. dagship still sends only what belongs
 * (.dockerignore and its built-in exclusions) and adds the same labels.
 */
export async function buildDockerfile(plan: BuildPlan, deps: BuildDeps, log: Logger): Promise<BuildResult> {
  const started = Date.now();
  const { options } = plan;
  const dockerfile = folderPath(dockerfileOf(options)!);
  if (!existsSync(path.join(options.root, dockerfile))) {
    throw new DagshipError(`the Dockerfile ${dockerfile} does not exist in ${options.root}`, "fix 'build.dockerfile' in dagship.yaml or --dockerfile", 'config');
  }
  log.warn(`building ${dockerfile} with the engine's classic builder: not reproducible (each build gets a new image ID); without a Dockerfile dagship builds reproducibly`);
  const selection = selectFiles(options.root, '', plan.rules);
  log.info(
    `context: ${selection.files.filter((f) => f.type === 'file').length} file(s), ${formatBytes(selection.bytes)}${selection.excluded.length ? `; left out ${selection.excluded.slice(0, 8).join(', ')}` : ''}`,
  );
  const args = options.build.args;
  const written = readFileSync(path.join(options.root, dockerfile), 'utf8');
  // The image mirror reaches the builder through the Dockerfile it is sent: its FROMs name the mirror.
  const text = rewriteFroms(written, args, (image) => mirrorImage(image, options.image_mirror));
  if (text !== written) log.info(`${dockerfile}: FROM through image_mirror ${finalBase(parseDockerfile(text), args)?.image}`);
  const labels = await labelsFor(plan, deps, text, selection.files, log);
  const output: string[] = [];
  let id: string;
  try {
    id = await withTempDir('dagship-dockerfile-', async (dir) => {
      // Docker always sends the Dockerfile, whatever .dockerignore says.
      const files = selection.files.filter((f) => f.path !== dockerfile);
      writeFileSync(path.join(dir, 'Dockerfile'), text);
      files.push({ ...contextFile(dir, 'Dockerfile'), path: dockerfile });
      return deps.engine.build({
        context: contextStream(files, new Date(plan.release.commitTime)),
        dockerfile,
        tags: plan.tags,
        network: 'host',
        buildArgs: args,
        labels,
        onProgress: (e) => {
          const line = (e.stream ?? '').replace(/\u001b\[[0-9;]*m/g, '').trimEnd();
          if (line) output.push(line), log.debug(line);
        },
      });
    });
  } catch (err) {
    if (!(err instanceof EngineStreamError)) throw err;
    throw new DagshipError(`building ${dockerfile} failed: ${err.message}\n${tail(output.join('\n'), 12)}`, `fix ${dockerfile}; run with --verbose for the full build output`, 'config', {
      cause: err,
    });
  }
  log.info(`built ${plan.tags[0]} from ${dockerfile} in ${((Date.now() - started) / 1000).toFixed(1)}s: image ${id} (not reproducible)`);
  return { image: plan.tags[0]!, tags: plan.tags, id, dirty: plan.dirty, method: 'dockerfile', reproducible: false, layers: [], contextBytes: selection.bytes, excluded: selection.excluded, labels };
}

/** The same labels a generated build has; the base is the final stage's FROM, when it names an image. */
async function labelsFor(plan: BuildPlan, deps: BuildDeps, dockerfile: string, files: ContextFile[], log: Logger): Promise<Record<string, string>> {
  const final = finalBase(parseDockerfile(dockerfile), plan.options.build.args);
  const from = final && !final.missing.length ? final.image : undefined;
  const base = from && from !== 'scratch' ? await ensureBase(deps.engine, from, deps.credentialsFor, log) : undefined;
  return releaseLabels({
    release: plan.release,
    dirty: plan.dirty,
    overrides: plan.options.contentOverrides,
    version: plan.tags[0]!.slice(plan.repository.length + 1),
    baseName: from ?? 'unknown',
    baseDigest: base && from ? baseDigest(base, from) : 'unknown',
    dagsDigest: dagsDigest(plan, files),
    // The final stage's base: a Dockerfile that installs another Airflow over it is not seen here.
    airflowVersion: from && base ? (await readAirflowVersion(from, deps.engine, log))?.version : undefined,
  });
}

function contextFile(root: string, relative: string): ContextFile {
  return { path: relative, source: path.join(root, relative), type: 'file', executable: false, size: readFileSync(path.join(root, relative)).length };
}

/** The same io.dagship.dags.digest a generated build gives for these files (image_layout's folders too). */
function dagsDigest(plan: BuildPlan, files: ContextFile[]): string {
  const all = placements(plan.options);
  const fileDigests: [string, string][] = [];
  for (const f of files.filter((x) => x.type === 'file')) {
    const targets = imagePathsOf(all, f.path);
    if (targets.length === 0) continue;
    const digest = createHash('sha256').update(readFileSync(f.source)).digest('hex');
    for (const target of targets) fileDigests.push([target, digest]);
  }
  return contentDigest([{ fileDigests }]);
}

/** The build context as a tar: sorted, fixed timestamps and modes, so the builder's cache keys are stable. */
function contextStream(files: ContextFile[], mtime: Date): NodeJS.ReadableStream {
  const pack = tar.pack();
  const write = async () => {
    for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      const header = { name: f.path, mtime, uid: 0, gid: 0, uname: '', gname: '' };
      if (f.type === 'directory') await addEntry(pack, { ...header, name: `${f.path}/`, type: 'directory', mode: 0o755 });
      else if (f.type === 'symlink') await addEntry(pack, { ...header, type: 'symlink', mode: 0o777, linkname: f.linkTarget });
      else await addFile(pack, { ...header, type: 'file', mode: f.executable ? 0o755 : 0o644, size: f.size }, f.source);
    }
    pack.finalize();
  };
  write().catch((err: Error) => pack.destroy(err));
  return Readable.from(pack);
}
