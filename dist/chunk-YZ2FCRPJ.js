#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));

// cli/github.ts
import { appendFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
var inGitHubActions = (env = process.env) => env.GITHUB_ACTIONS === "true";
function setOutput(name, value, env = process.env) {
  const file = env.GITHUB_OUTPUT;
  if (!inGitHubActions(env) || !file) return;
  const text = String(value);
  if (!text.includes("\n")) {
    appendFileSync(file, `${name}=${text}
`);
    return;
  }
  const delimiter = `dagship_${randomUUID()}`;
  appendFileSync(file, `${name}<<${delimiter}
${text}
${delimiter}
`);
}
function appendSummary(markdown, env = process.env) {
  const file = env.GITHUB_STEP_SUMMARY;
  if (inGitHubActions(env) && file) appendFileSync(file, `${markdown}
`);
}

export {
  inGitHubActions,
  setOutput,
  appendSummary
};
