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
} from "./chunk-AA3DDQJC.js";
import "./chunk-JWFQSBMF.js";
import {
  connectKube,
  loadKubeConfig
} from "./chunk-OHHQJ7BB.js";
import "./chunk-KRSJ6HMW.js";
import "./chunk-IBM3I2U5.js";
import "./chunk-KPDUV3AF.js";
import "./chunk-YZ2FCRPJ.js";
import "./chunk-VTW57CTW.js";
import {
  terminalLogger
} from "./chunk-4TZSK3EF.js";
import "./chunk-3P7JFNUS.js";
import "./chunk-OSDVXIV5.js";
import "./chunk-A7S7IP7A.js";
import "./chunk-FFWHJTTK.js";
import "./chunk-FLMQALUX.js";
import "./chunk-EDJIWXRY.js";

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
