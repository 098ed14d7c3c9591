#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  present,
  releaseRequest,
  rollbackRelease
} from "./chunk-6JY7DZWI.js";
import "./chunk-N2BVXOFC.js";
import "./chunk-2SW5DRE2.js";
import "./chunk-6546VEJD.js";
import "./chunk-JZXJC4LL.js";
import "./chunk-YZ2FCRPJ.js";
import "./chunk-TPJITKM3.js";
import {
  terminalLogger
} from "./chunk-4TZSK3EF.js";
import "./chunk-3P7JFNUS.js";
import "./chunk-IJ6DUGF7.js";
import "./chunk-M2TGPJXJ.js";
import {
  connectKube,
  loadKubeConfig
} from "./chunk-I6KQIXIA.js";
import "./chunk-ZJ7SYHWN.js";
import "./chunk-K6F7WG7T.js";

// cli/commands/rollback.ts
async function rollback(flags) {
  const log = terminalLogger(Boolean(flags.verbose));
  const request = releaseRequest(flags);
  const cluster = connectKube(loadKubeConfig(flags.context));
  const outcome = await rollbackRelease(cluster, request, log);
  present(outcome, `release '${request.release}' is already on its previous images`, log);
  return 0;
}
export {
  rollback
};
