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
} from "./chunk-AA3DDQJC.js";
import "./chunk-JWFQSBMF.js";
import "./chunk-OHHQJ7BB.js";
import "./chunk-KRSJ6HMW.js";
import "./chunk-IBM3I2U5.js";
import "./chunk-KPDUV3AF.js";
import "./chunk-YZ2FCRPJ.js";
import "./chunk-VTW57CTW.js";
import "./chunk-4TZSK3EF.js";
import "./chunk-3P7JFNUS.js";
import "./chunk-OSDVXIV5.js";
import "./chunk-A7S7IP7A.js";
import "./chunk-FFWHJTTK.js";
import "./chunk-FLMQALUX.js";
import "./chunk-EDJIWXRY.js";
export {
  deploy,
  present,
  releaseRequest
};
