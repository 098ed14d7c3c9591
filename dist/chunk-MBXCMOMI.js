#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  gitRepo,
  parsePorcelainZ,
  parseStatusZ,
  remoteUrl
} from "./chunk-Y34TUWUU.js";
import "./chunk-BKTJISMR.js";
import "./chunk-4L3VKM7L.js";
import "./chunk-EDJIWXRY.js";
export {
  gitRepo,
  parsePorcelainZ,
  parseStatusZ,
  remoteUrl
};
