#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  generateKeys,
  keyId,
  loadPublicKey
} from "./chunk-7E7MM5J4.js";
import "./chunk-3P7JFNUS.js";
import "./chunk-DDMSHZPD.js";
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// cli/commands/keygen.ts
import { existsSync, writeFileSync } from "node:fs";
async function keygen(prefix) {
  const [privatePath, publicPath] = [`${prefix}.key`, `${prefix}.pub`];
  const existing = [privatePath, publicPath].filter((p) => existsSync(p));
  if (existing.length) throw new DagshipError(`${existing.join(" and ")} already exist${existing.length === 1 ? "s" : ""}`, "pick another --output prefix; dagship never overwrites a key", "usage");
  const { privateKey, publicKey } = generateKeys();
  writeFileSync(privatePath, privateKey, { mode: 384 });
  writeFileSync(publicPath, publicKey);
  process.stdout.write(
    [
      `wrote ${privatePath} (private: store it as the CI secret DAGSHIP_SIGNING_KEY, then delete this file)`,
      `wrote ${publicPath} (public, key id ${keyId(loadPublicKey(publicKey))}: give it to deploy with --public-key or DAGSHIP_PUBLIC_KEY)`,
      ""
    ].join("\n")
  );
  return 0;
}
export {
  keygen
};
