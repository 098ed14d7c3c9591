#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  pushImage
} from "./chunk-U3IEJCZ2.js";
import {
  connectRegistry
} from "./chunk-55SI5XW5.js";
import "./chunk-6QQE5BCR.js";
import "./chunk-MPU4A5NT.js";
import "./chunk-KI6M5PBK.js";
import {
  withBuildFlags
} from "./chunk-XQKWLKOQ.js";
import {
  gitRepo
} from "./chunk-V7QBZOY7.js";
import {
  loadSettings
} from "./chunk-534TERUE.js";
import {
  setOutput
} from "./chunk-ZBQHUFCK.js";
import {
  connectDocker
} from "./chunk-544YBR7N.js";
import "./chunk-PICL6GY7.js";
import {
  terminalLogger
} from "./chunk-MSPDIVQH.js";
import "./chunk-PKJVO3JP.js";
import {
  resolveCredentials
} from "./chunk-YMHZUKT3.js";
import "./chunk-WDFNAZ3S.js";
import "./chunk-M5D5RXX2.js";
import "./chunk-FFWHJTTK.js";
import {
  REPOSITORY_SETTING
} from "./chunk-O4JILTWT.js";
import "./chunk-VTW57CTW.js";
import "./chunk-DDMSHZPD.js";
import "./chunk-NJNJ5BY3.js";
import {
  parseDuration
} from "./chunk-HHFAD5KM.js";
import "./chunk-4L3VKM7L.js";
import {
  DagshipError
} from "./chunk-EDJIWXRY.js";

// cli/commands/push.ts
async function push(repoPath, flags) {
  const options = withBuildFlags(loadSettings(repoPath, flags), flags);
  const timeoutMs = parseDuration(flags.pushTimeout ?? "30m", "--push-timeout");
  const explicit = await explicitCredentials(flags);
  const log = terminalLogger(Boolean(flags.verbose));
  log.debug(`push starts ${Math.round(performance.now())} ms after the process`);
  const outcome = await pushImage(
    { options, image: flags.image, allowDirty: flags.allowDirty, timeoutMs, deadlineName: `--push-timeout ${flags.pushTimeout ?? "30m"}` },
    {
      engine: connectDocker(),
      git: gitRepo(options.root),
      credentialsFor: (registry) => resolveCredentials(registry, { explicit, cwd: options.root }),
      registry: (host, credentials, deadline) => connectRegistry(host, fetch, { credentials, deadline, source: REPOSITORY_SETTING })
    },
    log
  );
  if (outcome.tags.length > 1) log.info(`tags: ${outcome.tags.join(", ")}`);
  setOutput("reference", outcome.reference);
  setOutput("digest", outcome.reference.split("@")[1] ?? "");
  process.stdout.write(`${outcome.reference}
`);
  return 0;
}
async function explicitCredentials(flags) {
  if (!flags.passwordStdin) {
    if (flags.username) throw new DagshipError("--username needs --password-stdin", 'pipe the password in: echo "$TOKEN" | dagship push --username me --password-stdin', "usage");
    return void 0;
  }
  if (!flags.username) throw new DagshipError("--password-stdin needs --username", "name the registry user: --username me --password-stdin", "usage");
  if (process.stdin.isTTY) throw new DagshipError("--password-stdin reads the password from stdin, but stdin is a terminal", 'pipe it in: echo "$TOKEN" | dagship push --username me --password-stdin', "usage");
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  const password = Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
  if (!password) throw new DagshipError("--password-stdin read an empty password", "pipe the password in on stdin", "usage");
  return { username: flags.username, password };
}
export {
  push
};
