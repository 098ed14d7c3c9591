#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  buildImage
} from "./chunk-VG43SFTA.js";
import {
  repositoryOf
} from "./chunk-DFLPPKUF.js";
import "./chunk-OSDVXIV5.js";
import "./chunk-A7S7IP7A.js";
import "./chunk-U7H76OMH.js";
import "./chunk-FFWHJTTK.js";
import "./chunk-FLMQALUX.js";
import "./chunk-EDJIWXRY.js";
export {
  buildImage,
  repositoryOf
};
