#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  isTag
} from "./chunk-DDMSHZPD.js";
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// cli/build-options.ts
function withBuildFlags(options, flags) {
  for (const tag of flags.tag ?? []) {
    if (!isTag(tag)) {
      throw new DagshipError(`invalid tag '${tag}'`, "a tag is letters, digits, _ . and -, at most 128 characters, not starting with . or -", "usage");
    }
  }
  return {
    ...options,
    build: { ...options.build, short_sha: options.build.short_sha || Boolean(flags.shortSha), extra_tags: [.../* @__PURE__ */ new Set([...options.build.extra_tags, ...flags.tag ?? []])] }
  };
}

export {
  withBuildFlags
};
