#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  run,
  tail
} from "./chunk-JD33ZQ6Q.js";
import {
  DagshipError
} from "./chunk-MPMYMDUM.js";

// src/git.ts
function gitRepo(dir) {
  const git = async (args) => run("git", args, { cwd: dir });
  return {
    async state() {
      const top = await git(["rev-parse", "--show-toplevel"]);
      if (top.exitCode !== 0) return void 0;
      const head = await git(["log", "-1", "--format=%H %cI"]);
      if (head.exitCode !== 0) {
        throw new DagshipError(
          `the git repository at ${top.stdout} has no commits yet`,
          "commit the DAG repository first: dagship tags and labels images by commit",
          "usage"
        );
      }
      const [revision = "", commitTime = ""] = head.stdout.trim().split(" ");
      const status = await git(["status", "--porcelain=v1", "-z", "--untracked-files=all"]);
      if (status.exitCode !== 0) {
        throw new DagshipError(`git status failed: ${tail(status.stderr, 2)}`, "run git status in the repository to see why", "infra");
      }
      return { root: top.stdout.trim(), revision, commitTime, dirtyPaths: parsePorcelainZ(status.stdout) };
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
function parsePorcelainZ(output) {
  const fields = output.split("\0");
  const paths = [];
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] ?? "";
    if (entry.length < 4) continue;
    paths.push(entry.slice(3));
    if (entry[0] === "R" || entry[0] === "C") i++;
  }
  return paths;
}

export {
  gitRepo
};
