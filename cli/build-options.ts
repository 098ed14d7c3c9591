import type { Options } from '../src/config.js';
import { DagshipError } from '../src/errors.js';
import { isTag } from '../src/image-reference.js';
import type { ConfigFlags } from './flags.js';

/** The flags of build, push and ship that set build options (--dockerfile and the folders are settings flags). */
export type BuildFlags = ConfigFlags & {
  shortSha?: boolean;
  tag?: string[];
  allowDirty?: boolean;
  includeBaseLayers?: boolean;
};

/** --short-sha and --tag, which dagship.yaml's build section also sets. */
export function withBuildFlags(options: Options, flags: Pick<BuildFlags, 'shortSha' | 'tag'>): Options {
  for (const tag of flags.tag ?? []) {
    if (!isTag(tag)) {
      throw new DagshipError(`invalid tag '${tag}'`, 'a tag is letters, digits, _ . and -, at most 128 characters, not starting with . or -', 'usage');
    }
  }
  return {
    ...options,
    build: { ...options.build, short_sha: options.build.short_sha || Boolean(flags.shortSha), extra_tags: [...new Set([...options.build.extra_tags, ...(flags.tag ?? [])])] },
  };
}
