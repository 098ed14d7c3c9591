#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  connectKube,
  loadKubeConfig,
  present,
  releaseRequest,
  rollbackRelease
} from "./chunk-KWSRHEO3.js";
import "./chunk-ABIC3NHO.js";
import "./chunk-2N3MEOMR.js";
import "./chunk-SJP5SR43.js";
import {
  terminalLogger
} from "./chunk-MPMYMDUM.js";

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
