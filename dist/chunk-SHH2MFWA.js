#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  check,
  summaryLines
} from "./chunk-GVIUFOIG.js";
import "./chunk-V6DQS27Z.js";
import "./chunk-2E57LOES.js";
import "./chunk-XSXVIBYT.js";
import "./chunk-FUOWHSPT.js";
import "./chunk-LX26HTVE.js";
import "./chunk-AR3DR67Z.js";
import "./chunk-HN7AZG2M.js";
import "./chunk-2PXQBPQB.js";
import "./chunk-JD33ZQ6Q.js";
import "./chunk-YEYSGKCL.js";
import "./chunk-2N3MEOMR.js";
import "./chunk-SJP5SR43.js";
import "./chunk-MPMYMDUM.js";
export {
  check,
  summaryLines
};
