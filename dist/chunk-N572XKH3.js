#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  COMPONENTS,
  REQUEST_TIMEOUT_MS,
  connectKube,
  loadKubeConfig,
  podProblemsOf,
  releaseSelector
} from "./chunk-H4Z5DEF4.js";
import "./chunk-FFWHJTTK.js";
import "./chunk-EDJIWXRY.js";
export {
  COMPONENTS,
  REQUEST_TIMEOUT_MS,
  connectKube,
  loadKubeConfig,
  podProblemsOf,
  releaseSelector
};
