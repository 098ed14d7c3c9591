#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  buildImage
} from "./chunk-HKODEOBE.js";
import {
  targetRepository
} from "./chunk-6MT6IUOR.js";
import "./chunk-HD5HDXIZ.js";
import "./chunk-MPU4A5NT.js";
import "./chunk-VYGZMEHB.js";
import "./chunk-KI6M5PBK.js";
import "./chunk-EYLIXMRA.js";
import "./chunk-BKTJISMR.js";
import "./chunk-FQABKW32.js";
import "./chunk-4L4YC4GF.js";
import "./chunk-DDMSHZPD.js";
import "./chunk-NJNJ5BY3.js";
import "./chunk-4L3VKM7L.js";
import "./chunk-EDJIWXRY.js";
export {
  buildImage,
  targetRepository
};
