#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  loadOptions
} from "./chunk-O4JILTWT.js";

// cli/settings.ts
function loadSettings(repoPath, flags) {
  return loadOptions({ root: repoPath, configFile: flags.config, flags: flags.overrides, flagNames: flags.flagNames });
}

export {
  loadSettings
};
