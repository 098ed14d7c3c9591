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
function yamlErrorText(error) {
  const sentence = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "").replace(/:$/, "");
  const words = /^[A-Za-z0-9 ,.'-]+$/.test(sentence) ? sentence : error.code.toLowerCase().replaceAll("_", " ");
  const pos = error.linePos?.[0];
  return pos ? `${words} at line ${pos.line}, column ${pos.col}` : words;
}

export {
  mask,
  tail,
  yamlErrorText
};
