#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  run
} from "./chunk-BKTJISMR.js";
import {
  tail
} from "./chunk-4L3VKM7L.js";
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// src/git.ts
function gitRepo(dir) {
  const git = async (args) => run("git", args, { cwd: dir });
  return {
    async state(query = {}) {
      const walk = query.dirty !== false || query.ignored;
      const [top, head, status, remotes] = await Promise.all([
        git(["rev-parse", "--show-toplevel"]),
        git(["log", "-1", "--format=%H %cI"]),
        walk ? git(statusArgs(Boolean(query.ignored))) : void 0,
        query.remote ? git(["config", "--get-regexp", "^(remote\\..+\\.url|url\\..+\\.insteadof)$"]) : void 0
      ]);
      if (top.exitCode !== 0) return void 0;
      if (head.exitCode !== 0) {
        throw new DagshipError(
          `the git repository at ${top.stdout} has no commits yet`,
          "commit the DAG repository first: dagship tags and labels images by commit",
          "usage"
        );
      }
      const [revision = "", commitTime = ""] = head.stdout.trim().split(" ");
      if (status && status.exitCode !== 0) {
        throw new DagshipError(`git status failed: ${tail(status.stderr, 2)}`, "run git status in the repository to see why", "infra");
      }
      const paths = parseStatusZ(status?.stdout ?? "");
      return {
        root: top.stdout.trim(),
        revision,
        commitTime,
        dirtyPaths: query.dirty === false ? [] : paths.dirty,
        ...query.ignored ? { ignoredPaths: paths.ignored } : {},
        ...remotes ? { remoteUrl: remoteUrl(remotes.stdout) } : {}
      };
    },
    async changedSince(ref) {
      const known = await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
      if (known.exitCode !== 0) {
        throw new DagshipError(
          `git does not know '${ref}' in ${dir}`,
          "name a branch, tag or commit that exists locally; in GitHub Actions use actions/checkout with fetch-depth: 0 (or fetch the base branch)",
          "usage"
        );
      }
      const lists = await Promise.all([
        git(["diff", "--name-only", "-z", "--relative", `${ref}...HEAD`]),
        git(["diff", "--name-only", "-z", "--relative", "HEAD"]),
        git(["ls-files", "--others", "--exclude-standard", "-z"])
      ]);
      const failed = lists.find((l) => l.exitCode !== 0);
      if (failed) throw new DagshipError(`git diff failed: ${tail(failed.stderr, 2)}`, `check that ${ref} shares history with HEAD`, "infra");
      return [...new Set(lists.flatMap((l) => l.stdout.split("\0").filter(Boolean)))].sort();
    }
  };
}
function statusArgs(ignored) {
  const args = ["status", "--porcelain=v1", "-z", "--untracked-files=all"];
  return ignored ? [...args, "--ignored=traditional", "--", "."] : args;
}
function parseStatusZ(output) {
  const fields = output.split("\0");
  const dirty = [];
  const ignored = [];
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] ?? "";
    if (entry.length < 4) continue;
    (entry.startsWith("!! ") ? ignored : dirty).push(entry.slice(3));
    if (entry[0] === "R" || entry[0] === "C") i++;
  }
  return { dirty, ignored };
}
function parsePorcelainZ(output) {
  return parseStatusZ(output).dirty;
}
function remoteUrl(configLines) {
  const remotes = [];
  const rewrites = [];
  for (const line of configLines.split("\n")) {
    const space = line.indexOf(" ");
    if (space < 0) continue;
    const [key, value] = [line.slice(0, space), line.slice(space + 1).trim()];
    const remote = /^remote\.(.+)\.url$/.exec(key);
    if (remote) remotes.push([remote[1], value]);
    else if (/^url\..+\.insteadof$/.test(key)) rewrites.push([value, key.slice("url.".length, -".insteadof".length)]);
  }
  const byName = [...remotes].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  const url = (remotes.find(([name]) => name === "origin") ?? byName[0])?.[1];
  if (!url) return void 0;
  const rewrite = rewrites.filter(([prefix]) => url.startsWith(prefix)).sort((a, b) => b[0].length - a[0].length)[0];
  return rewrite ? rewrite[1] + url.slice(rewrite[0].length) : url;
}

export {
  gitRepo,
  parseStatusZ,
  parsePorcelainZ,
  remoteUrl
};
