#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  buildImage
} from "./chunk-M7FXXVTL.js";
import {
  targetRepository
} from "./chunk-6QQE5BCR.js";
import "./chunk-SBJPSN73.js";
import "./chunk-MPU4A5NT.js";
import "./chunk-VYGZMEHB.js";
import "./chunk-KI6M5PBK.js";
import "./chunk-YMHZUKT3.js";
import "./chunk-WDFNAZ3S.js";
import "./chunk-M5D5RXX2.js";
import "./chunk-FFWHJTTK.js";
import "./chunk-O4JILTWT.js";
import "./chunk-VTW57CTW.js";
import "./chunk-DDMSHZPD.js";
import "./chunk-NJNJ5BY3.js";
import "./chunk-HHFAD5KM.js";
import "./chunk-4L3VKM7L.js";
import "./chunk-EDJIWXRY.js";
export {
  buildImage,
  targetRepository
};
