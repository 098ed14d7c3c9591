#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  check,
  summaryLines
} from "./chunk-GLTMBGXY.js";
import "./chunk-5DLLH6Y6.js";
import "./chunk-2E57LOES.js";
import "./chunk-EYN5ZWON.js";
import "./chunk-PJZ3I2AX.js";
import "./chunk-YZ2FCRPJ.js";
import "./chunk-VQ3ZG6YF.js";
import "./chunk-VDRGIECY.js";
import "./chunk-NGVIJIJW.js";
import "./chunk-7HNLF3FK.js";
import "./chunk-VTW57CTW.js";
import "./chunk-4TZSK3EF.js";
import "./chunk-3P7JFNUS.js";
import "./chunk-U7H76OMH.js";
import "./chunk-FFWHJTTK.js";
import "./chunk-FLMQALUX.js";
import "./chunk-EDJIWXRY.js";
export {
  check,
  summaryLines
};
