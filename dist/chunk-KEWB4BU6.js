#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  check,
  summaryLines
} from "./chunk-IGSYR57W.js";
import "./chunk-6546VEJD.js";
import "./chunk-HYHMAYZH.js";
import "./chunk-JZXJC4LL.js";
import "./chunk-2E57LOES.js";
import "./chunk-2YK5JOJB.js";
import "./chunk-XVTJVTDK.js";
import "./chunk-WVFLYSV5.js";
import "./chunk-HCEVGB6E.js";
import "./chunk-YZ2FCRPJ.js";
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
  check,
  summaryLines
};
