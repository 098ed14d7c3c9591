#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  build,
  loadBuildOptions,
  withBuildFlags
} from "./chunk-R5E3WFEJ.js";
import "./chunk-2TGSJXID.js";
import "./chunk-NGVIJIJW.js";
import "./chunk-7HNLF3FK.js";
import "./chunk-VTW57CTW.js";
import "./chunk-4TZSK3EF.js";
import "./chunk-3P7JFNUS.js";
import "./chunk-OSDVXIV5.js";
import "./chunk-A7S7IP7A.js";
import "./chunk-U7H76OMH.js";
import "./chunk-FFWHJTTK.js";
import "./chunk-FLMQALUX.js";
import "./chunk-EDJIWXRY.js";
export {
  build,
  loadBuildOptions,
  withBuildFlags
};
