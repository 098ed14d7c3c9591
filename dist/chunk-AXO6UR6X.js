#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  COMPONENTS,
  connectKube,
  loadKubeConfig,
  podProblemsOf,
  releaseSelector
} from "./chunk-I6KQIXIA.js";
import "./chunk-ZJ7SYHWN.js";
import "./chunk-K6F7WG7T.js";
export {
  COMPONENTS,
  connectKube,
  loadKubeConfig,
  podProblemsOf,
  releaseSelector
};
