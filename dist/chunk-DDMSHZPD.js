#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// src/image-reference.ts
var TAG = "[\\w][\\w.-]{0,127}";
var DIGEST = "sha256:[a-f0-9]{64}";
var HOST = /^(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(?::\d+)?$/;
var COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
var REFERENCE = new RegExp(`^(?<name>[^@\\s]+?)(?::(?<tag>${TAG}))?(?:@(?<digest>${DIGEST}))?$`);
function isTag(text) {
  return new RegExp(`^${TAG}$`).test(text);
}
function splitReference(ref) {
  const groups = REFERENCE.exec(ref.trim())?.groups;
  if (!groups?.name) return void 0;
  return { name: groups.name, tag: groups.tag, digest: groups.digest };
}
function hostAndPath(name) {
  const [first, ...rest] = name.split("/");
  if (rest.length > 0 && (first.includes(".") || first.includes(":") || first === "localhost")) return { registry: first, repository: rest.join("/") };
  return { registry: "docker.io", repository: rest.length ? name : `library/${name}` };
}
function parseImageReference(ref, source) {
  const split = splitReference(ref);
  const parts = split && hostAndPath(split.name);
  if (!split || !parts || !HOST.test(parts.registry) || !parts.repository.split("/").every((c) => COMPONENT.test(c))) {
    throw new DagshipError(
      `invalid image reference '${ref}'${source ? ` (${source})` : ""}`,
      "expected [registry/]repository[:tag][@sha256:digest], lowercase, e.g. registry.example.com/team/airflow:1a2b3c",
      "usage"
    );
  }
  return { ...parts, tag: split.tag, digest: split.digest };
}
function repositoryOf(ref) {
  const split = splitReference(ref);
  if (!split) return void 0;
  const { registry, repository } = hostAndPath(split.name);
  return `${registry}/${repository}`;
}
function engineRepoTag(ref) {
  const split = splitReference(ref);
  if (!split) return { repository: ref };
  return { repository: split.name, tag: split.digest ?? split.tag };
}

export {
  isTag,
  splitReference,
  parseImageReference,
  repositoryOf,
  engineRepoTag
};
