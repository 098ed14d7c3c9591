#!/usr/bin/env node
import { createRequire as __cr } from 'node:module';
import { fileURLToPath as __f2p } from 'node:url';
const require = __cr(import.meta.url);
const __filename = __f2p(import.meta.url);
const __dirname = __filename.slice(0, __filename.lastIndexOf('/'));
import {
  RUN_LABELS,
  runContainerName,
  runLabels
} from "./chunk-PICL6GY7.js";
import {
  engineApi,
  imageOperations,
  imageStoreOf,
  statusOf
} from "./chunk-M5D5RXX2.js";
import {
  onStop,
  throwIfStopped
} from "./chunk-NJNJ5BY3.js";
import {
  DagshipError,
  reasonOf
} from "./chunk-EDJIWXRY.js";

// src/engine/containers.ts
async function runContainer(api, spec) {
  const name = runContainerName();
  const unregister = onStop(() => removeContainer(api, name));
  try {
    return await createAndRun(api, spec, name);
  } finally {
    unregister();
    await removeContainer(api, name).catch(() => void 0);
  }
}
async function createAndRun(api, spec, name) {
  let id;
  try {
    ({ Id: id } = await api.json("POST", "/containers/create", {
      query: { name },
      body: {
        Image: spec.image,
        Cmd: spec.cmd,
        Entrypoint: spec.entrypoint,
        Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
        User: spec.user,
        WorkingDir: spec.workdir,
        Labels: runLabels(),
        Tty: false,
        HostConfig: {
          NetworkMode: spec.network ?? "none",
          Binds: (spec.mounts ?? []).map((m) => `${m.source}:${m.target}:${m.writable ? "rw" : "ro"}`)
        }
      }
    }));
  } catch (err) {
    if (statusOf(err) === 404) {
      throw new DagshipError(
        `image ${spec.image} is not on the Docker Engine`,
        `pull it (docker pull ${spec.image}) or build it, then run again`,
        "config",
        { cause: err }
      );
    }
    throw err;
  }
  const limit = spec.maxOutputBytes ?? 16 * 1024 * 1024;
  const stdout = new CappedBuffer(limit);
  const stderr = new CappedBuffer(limit);
  let timedOut = false;
  const stream = await api.stream("POST", `/containers/${id}/attach`, { query: { stream: true, stdout: true, stderr: true } });
  const ended = demux(stream, stdout, stderr);
  await api.send("POST", `/containers/${id}/start`).catch((err) => {
    if (statusOf(err) === 400) {
      const message = String(err.message);
      const reason = (/exec: (.*)$/m.exec(message)?.[1] ?? message).replace(/:\s*unknown\s*$/, "");
      throw new DagshipError(`cannot start ${(spec.entrypoint ?? spec.cmd).join(" ")} in image ${spec.image}: ${reason}`, "is this the right image? an Airflow image needs python on PATH", "config", { cause: err });
    }
    throw err;
  });
  const timer = spec.timeoutMs ? setTimeout(() => {
    timedOut = true;
    api.send("POST", `/containers/${id}/kill`).catch(() => void 0);
  }, spec.timeoutMs) : void 0;
  const status = await api.json("POST", `/containers/${id}/wait`);
  clearTimeout(timer);
  await ended;
  throwIfStopped();
  return {
    exitCode: status.StatusCode,
    stdout: stdout.text(),
    stderr: stderr.text(),
    timedOut,
    truncated: stdout.truncated || stderr.truncated
  };
}
async function removeContainer(api, id) {
  try {
    await api.send("DELETE", `/containers/${id}`, { query: { force: true } });
  } catch (err) {
    if (statusOf(err) !== 404) throw err;
  }
}
async function listRunContainers(api) {
  const filters = JSON.stringify({ label: [RUN_LABELS.pid] });
  const list = await api.json("GET", "/containers/json", { query: { all: true, filters } });
  return list.map((c) => ({
    id: c.Id,
    name: (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, ""),
    image: c.Image,
    state: c.State,
    createdAt: new Date(c.Created * 1e3),
    labels: c.Labels ?? {}
  }));
}
function demux(stream, stdout, stderr) {
  return new Promise((resolve, reject) => {
    let pending = Buffer.alloc(0);
    stream.on("data", (chunk) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 8) {
        const size = pending.readUInt32BE(4);
        if (pending.length < 8 + size) break;
        const payload = pending.subarray(8, 8 + size);
        if (pending[0] === 2) stderr.push(payload);
        else stdout.push(payload);
        pending = pending.subarray(8 + size);
      }
    });
    stream.on("end", () => resolve());
    stream.on("close", () => resolve());
    stream.on("error", reject);
  });
}
var CappedBuffer = class {
  constructor(limit) {
    this.limit = limit;
  }
  limit;
  chunks = [];
  size = 0;
  truncated = false;
  push(chunk) {
    const room = this.limit - this.size;
    if (chunk.length > room) this.truncated = true;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.chunks.push(kept);
    this.size += kept.length;
  }
  text() {
    return Buffer.concat(this.chunks).toString("utf8");
  }
};

// src/engine/index.ts
function dockerHost(env = process.env) {
  return env.DOCKER_HOST || "unix:///var/run/docker.sock";
}
function connectDocker(env = process.env) {
  const host = dockerHost(env);
  const api = engineApi(host);
  const unreachable = (err) => new DagshipError(
    `cannot reach the Docker Engine at ${host}: ${reasonOf(err)}`,
    "start Docker (in a dagship checkout, test/infra/up starts one), or set DOCKER_HOST to the engine, e.g. unix:///var/run/docker.sock",
    "infra",
    { cause: err }
  );
  const call = async (work) => {
    try {
      return await work();
    } catch (err) {
      if (isConnectionError(err)) throw unreachable(err);
      throw err;
    }
  };
  return {
    host,
    info: () => call(async () => {
      const [version, info] = await Promise.all([api.json("GET", "/version"), api.json("GET", "/info")]);
      return {
        host,
        version: version.Version,
        apiVersion: version.ApiVersion,
        storageDriver: String(info.Driver ?? ""),
        os: version.Os,
        arch: version.Arch,
        imageStore: imageStoreOf(info)
      };
    }),
    image: (ref) => call(async () => {
      try {
        const i = await api.json("GET", `/images/${ref}/json`);
        return { id: i.Id, tags: i.RepoTags ?? [], size: i.Size, labels: i.Config?.Labels ?? {} };
      } catch (err) {
        if (statusOf(err) === 404) return void 0;
        throw err;
      }
    }),
    run: (spec) => call(() => runContainer(api, spec)),
    runContainers: () => call(() => listRunContainers(api)),
    remove: (id) => call(() => removeContainer(api, id)),
    ...imageOperations(api, call)
  };
}
function isConnectionError(err) {
  const code = err?.code;
  return typeof code === "string" && ["ENOENT", "ECONNREFUSED", "EACCES", "ECONNRESET", "EHOSTUNREACH", "ETIMEDOUT"].includes(code);
}

export {
  connectDocker
};
