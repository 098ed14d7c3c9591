#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  check,
  summaryLines
} from "./chunk-TEOKI3JI.js";
import "./chunk-Q4H3WGNF.js";
import "./chunk-2E57LOES.js";
import "./chunk-QRGNMJOW.js";
import "./chunk-QGG3HRCQ.js";
import "./chunk-YZ2FCRPJ.js";
import "./chunk-M5DZTYN6.js";
import "./chunk-VDRGIECY.js";
import "./chunk-W3BSIFFT.js";
import "./chunk-PGO46X7C.js";
import "./chunk-VTW57CTW.js";
import "./chunk-PICL6GY7.js";
import "./chunk-V7LOU7YI.js";
import "./chunk-3P7JFNUS.js";
import "./chunk-VYGZMEHB.js";
import "./chunk-KI6M5PBK.js";
import "./chunk-5CYYP5ST.js";
import "./chunk-NJNJ5BY3.js";
import "./chunk-PCYVD2PZ.js";
import "./chunk-4L3VKM7L.js";
import "./chunk-EDJIWXRY.js";
export {
  check,
  summaryLines
};
