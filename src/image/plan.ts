import type { Options } from '../config.js';
import type { ImageEngine } from '../engine/index.js';
import type { ImageStorage } from '../engine/images.js';
import type { GitRepo } from '../git.js';
import type { ImageDetails } from '../engine/images.js';
import type { CredentialsFor } from './pull.js';
import type { Rules } from './context.js';
import type { Release } from './release.js';

/** What a build is asked, what it needs, what it plans and what it returns: shared by both build methods. */

export interface BuildRequest {
  options: Options;
  /** Build uncommitted changes: tagged `<sha>-dirty` and labelled so push refuses it as a release. */
  allowDirty?: boolean;
  /** Put the base layers inside the archive even where the engine does not need them. */
  includeBaseLayers?: boolean;
}

export interface BuiltLayer {
  name: string;
  target: string;
  diffId: string;
  size: number;
  files: number;
}

/** How the image was made; `held`: the engine already had this very image, so it was only tagged. */
export type BuildMethod = 'archive' | 'archive-with-base' | 'held' | 'dockerfile';

export interface BuildResult {
  /** `repository:<commit tag>`. */
  image: string;
  /** Every reference tagged, the commit tag first. */
  tags: string[];
  id: string;
  dirty: boolean;
  method: BuildMethod;
  /** True when the same commit and base give the same image ID (the generated build). */
  reproducible: boolean;
  layers: BuiltLayer[];
  /** Bytes of repository files baked (or sent as context, with a Dockerfile). */
  contextBytes: number;
  excluded: string[];
  labels: Record<string, string>;
}

export interface BuildDeps {
  engine: ImageEngine;
  git: GitRepo;
  credentialsFor: CredentialsFor;
}

/** What both build methods share: the commit, its tags and what belongs in the image. */
export interface BuildPlan {
  options: Options;
  repository: string;
  release: Release;
  dirty: boolean;
  tags: string[];
  rules: Rules;
  includeBaseLayers: boolean;
  /** Asked for at the start, used when loading: where the engine keeps images. */
  storage: Promise<ImageStorage>;
  /** Asked for at the start (generated builds): the parent image, if the engine already holds it. */
  held?: Promise<HeldParent>;
}

/** The parent of the new layers as the engine already holds it: inspected only, nothing pulled or built. */
export interface HeldParent {
  base?: ImageDetails;
  /** The base, or the requirements image when requirements.txt installs something; with folder owners. */
  parent?: ImageDetails;
  parentRef?: string;
}
