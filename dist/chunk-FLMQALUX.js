#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));

// src/text.ts
function mask(text, secrets = []) {
  return secrets.filter((s) => s.length > 0).reduce((out, s) => out.split(s).join("***"), text);
}
function tail(text, count = 5) {
  return text.split("\n").filter((l) => l.trim() !== "").slice(-count).join("\n");
}

export {
  mask,
  tail
};
