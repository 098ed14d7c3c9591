#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  deploy,
  present,
  releaseRequest
} from "./chunk-KWSRHEO3.js";
import "./chunk-ABIC3NHO.js";
import "./chunk-2N3MEOMR.js";
import "./chunk-SJP5SR43.js";
import "./chunk-MPMYMDUM.js";
export {
  deploy,
  present,
  releaseRequest
};
