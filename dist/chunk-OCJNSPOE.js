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
} from "./chunk-MZIGBGPD.js";
import "./chunk-M4ZL7T75.js";
import "./chunk-P6SJXGDL.js";
import "./chunk-ELWCUTVZ.js";
import "./chunk-TPJITKM3.js";
import "./chunk-4TZSK3EF.js";
import "./chunk-3P7JFNUS.js";
import "./chunk-IJ6DUGF7.js";
import "./chunk-J73IMVUP.js";
import "./chunk-M2TGPJXJ.js";
import "./chunk-ZJ7SYHWN.js";
import "./chunk-K6F7WG7T.js";
export {
  build,
  loadBuildOptions,
  withBuildFlags
};
