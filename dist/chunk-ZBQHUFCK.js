#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  setOutput,
  setSecret,
  summary
} from "./chunk-PKJVO3JP.js";

// cli/github.ts
var inGitHubActions = (env = process.env) => env.GITHUB_ACTIONS === "true";
var set = /* @__PURE__ */ new Map();
var outputsSet = set;
function setOutput2(name, value) {
  set.set(name, String(value));
  if (inGitHubActions() && process.env.GITHUB_OUTPUT) setOutput(name, value);
}
async function appendSummary(markdown) {
  if (inGitHubActions() && process.env.GITHUB_STEP_SUMMARY) await summary.addRaw(markdown, true).write();
}
function maskSecret(value) {
  if (inGitHubActions() && value) setSecret(value);
}

export {
  inGitHubActions,
  outputsSet,
  setOutput2 as setOutput,
  appendSummary,
  maskSecret
};
