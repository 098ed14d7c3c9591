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
} from "./chunk-QZWTNLLY.js";
import "./chunk-V7QBZOY7.js";
import "./chunk-W3BSIFFT.js";
import "./chunk-PGO46X7C.js";
import "./chunk-VTW57CTW.js";
import "./chunk-PICL6GY7.js";
import "./chunk-V7LOU7YI.js";
import "./chunk-3P7JFNUS.js";
import "./chunk-AUY4KTVI.js";
import "./chunk-WDFNAZ3S.js";
import "./chunk-5CYYP5ST.js";
import "./chunk-NJNJ5BY3.js";
import "./chunk-PCYVD2PZ.js";
import "./chunk-4L3VKM7L.js";
import "./chunk-EDJIWXRY.js";
export {
  build,
  loadBuildOptions,
  withBuildFlags
};
