import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

/** A project the index serves: each version one pure-Python wheel with `VALUE = '<version>'`. */
export interface Project {
  versions: { version: string; requires?: string[] }[];
  /** Hold the project's page this long before answering (a slow index). */
  delayMs?: number;
}

export interface PackageIndex {
  /** http://127.0.0.1:<port>/simple, without credentials. */
  url: string;
  /** The same with user:password@. */
  urlWithCredentials: string;
  port: number;
  /** Each request's path and whether it carried the right credentials. */
  requests: { path: string; authorised: boolean }[];
  close(): Promise<void>;
}

/** A PEP 503 simple index on 127.0.0.1 that answers 401 to any request without the right Basic auth. */
export async function startPackageIndex(user: string, password: string, projects: Record<string, Project>): Promise<PackageIndex> {
  const wheels = new Map<string, Buffer>();
  const pages = new Map<string, string>();
  for (const [name, project] of Object.entries(projects)) {
    const links = project.versions.map(({ version, requires }) => {
      const file = `${name.replaceAll('-', '_')}-${version}-py3-none-any.whl`;
      const wheel = buildWheel(name, version, requires ?? []);
      wheels.set(file, wheel);
      return `<a href="/files/${file}#sha256=${createHash('sha256').update(wheel).digest('hex')}">${file}</a>`;
    });
    pages.set(name, `<!DOCTYPE html><html><body>${links.join('\n')}</body></html>`);
  }
  const expected = Buffer.from(`Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
  const requests: PackageIndex['requests'] = [];
  const server = http.createServer((req, res) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    const authorised = given.length === expected.length && timingSafeEqual(given, expected);
    requests.push({ path: req.url ?? '', authorised });
    if (!authorised) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="private"' }).end('unauthorised');
      return;
    }
    const page = /^\/simple\/([^/]+)\/?$/.exec(req.url ?? '');
    const file = /^\/files\/([^/#?]+)$/.exec(req.url ?? '');
    if (page && pages.has(page[1]!)) {
      const answer = () => res.writeHead(200, { 'Content-Type': 'text/html' }).end(pages.get(page[1]!));
      const delay = projects[page[1]!]!.delayMs;
      if (delay) setTimeout(answer, delay).unref();
      else answer();
      return;
    }
    if (file && wheels.has(file[1]!)) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(wheels.get(file[1]!));
      return;
    }
    res.writeHead(404).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/simple`,
    urlWithCredentials: `http://${user}:${password}@127.0.0.1:${port}/simple`,
    port,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A wheel is a zip with the package, METADATA, WHEEL and RECORD (hashes pip may check). */
function buildWheel(name: string, version: string, requires: string[]): Buffer {
  const module = name.replaceAll('-', '_');
  const info = `${module}-${version}.dist-info`;
  const files: [string, string][] = [
    [`${module}/__init__.py`, `VALUE = '${version}'\n`],
    [`${info}/METADATA`, ['Metadata-Version: 2.1', `Name: ${name}`, `Version: ${version}`, ...requires.map((r) => `Requires-Dist: ${r}`), ''].join('\n')],
    [`${info}/WHEEL`, 'Wheel-Version: 1.0\nGenerator: dagship-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n'],
  ];
  const record = files.map(([path, text]) => `${path},sha256=${createHash('sha256').update(text).digest('base64url')},${Buffer.byteLength(text)}`);
  files.push([`${info}/RECORD`, `${[...record, `${info}/RECORD,,`].join('\n')}\n`]);
  return storedZip(files.map(([path, text]) => [path, Buffer.from(text)]));
}

/** A zip of uncompressed entries: local headers, then the central directory, then its end record. */
function storedZip(entries: [string, Buffer][]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [path, data] of entries) {
    const name = Buffer.from(path);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x21, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    central.push(entry, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
