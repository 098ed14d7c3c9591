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
  DagshipError,
  reasonOf
} from "./chunk-EDJIWXRY.js";

// cli/commands/keygen.ts
import { existsSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
async function keygen(prefix) {
  const [privatePath, publicPath] = [`${prefix}.key`, `${prefix}.pub`];
  const folder = path.dirname(path.resolve(privatePath));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new DagshipError(
      `cannot write ${privatePath}: the folder ${folder} does not exist`,
      `create it first (mkdir -p ${path.dirname(privatePath)}), or pick an --output prefix in a folder that exists`,
      "usage"
    );
  }
  const existing = [privatePath, publicPath].filter((p) => existsSync(p));
  if (existing.length) throw new DagshipError(`${existing.join(" and ")} already exist${existing.length === 1 ? "s" : ""}`, "pick another --output prefix; dagship never overwrites a key", "usage");
  const { privateKey, publicKey } = generateKeys();
  writeKey(privatePath, privateKey, 384);
  try {
    writeKey(publicPath, publicKey, 420);
  } catch (err) {
    rmSync(privatePath, { force: true });
    throw err;
  }
  process.stdout.write(
    [
      `wrote ${privatePath} (private: store it as the CI secret DAGSHIP_SIGNING_KEY, then delete this file)`,
      `wrote ${publicPath} (public, key id ${keyId(loadPublicKey(publicKey))}: give it to deploy with --public-key or DAGSHIP_PUBLIC_KEY)`,
      ""
    ].join("\n")
  );
  return 0;
}
function writeKey(file, content, mode) {
  try {
    writeFileSync(file, content, { mode, flag: "wx" });
  } catch (err) {
    throw new DagshipError(`cannot write ${file}: ${reasonOf(err)}`, "pick an --output prefix in a folder you can write to", "usage", { cause: err });
  }
}
export {
  keygen
};
