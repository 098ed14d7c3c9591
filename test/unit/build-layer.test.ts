import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { contextRules, selectFiles } from '../../src/image/context.js';
import { contentDigest, writeLayer, type LayerSpec } from '../../src/image/layer.js';

const commitTime = new Date('2026-01-02T03:04:05Z');

function tree(files: Record<string, string>, modes: Record<string, number> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'dagship-layer-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
    chmodSync(path.join(root, name), modes[name] ?? 0o644);
  }
  return root;
}

function spec(root: string, parents: LayerSpec['parents'] = {}): LayerSpec {
  return { name: 'dags', target: '/opt/airflow/dags', files: selectFiles(root, 'dags', contextRules(root)).files, mtime: commitTime, parents };
}

async function entries(file: string): Promise<tar.Header[]> {
  const headers: tar.Header[] = [];
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    headers.push(header);
    stream.on('end', next);
    stream.resume();
  });
  const done = new Promise<void>((resolve) => extract.on('finish', () => resolve()));
  extract.end(readFileSync(file));
  await done;
  return headers;
}

describe('writeLayer', () => {
  const files = { 'dags/b.py': 'b = 2\n', 'dags/a.py': 'a = 1\n', 'dags/common/__init__.py': '', 'dags/run.sh': 'echo hi\n' };

  it('writes parents as the image has them, then the target and its content sorted, owned 50000:0 with the commit time', async () => {
    const root = tree(files, { 'dags/run.sh': 0o775 });
    const layer = await writeLayer(spec(root, { '/opt/airflow': { uid: 50000, gid: 0, mode: 0o775 } }), mkdtempSync(path.join(tmpdir(), 'out-')));
    const headers = await entries(layer.file);
    expect(headers.map((h) => [h.name, h.type, h.uid, h.gid, h.mode.toString(8)])).toEqual([
      ['opt/', 'directory', 0, 0, '755'],
      ['opt/airflow/', 'directory', 50000, 0, '775'],
      ['opt/airflow/dags/', 'directory', 50000, 0, '755'],
      ['opt/airflow/dags/a.py', 'file', 50000, 0, '644'],
      ['opt/airflow/dags/b.py', 'file', 50000, 0, '644'],
      ['opt/airflow/dags/common/', 'directory', 50000, 0, '755'],
      ['opt/airflow/dags/common/__init__.py', 'file', 50000, 0, '644'],
      ['opt/airflow/dags/run.sh', 'file', 50000, 0, '755'],
    ]);
    expect(new Set(headers.map((h) => h.mtime?.toISOString()))).toEqual(new Set([commitTime.toISOString()]));
    expect(headers.every((h) => !h.uname && !h.gname)).toBe(true);
    expect(layer.diffId).toBe(`sha256:${createHash('sha256').update(readFileSync(layer.file)).digest('hex')}`);
  });

  it('gives the same bytes whatever the files’ mtimes, group-write bits or creation order', async () => {
    const first = tree(files, { 'dags/run.sh': 0o755 });
    const second = tree(Object.fromEntries(Object.entries(files).reverse()), { 'dags/run.sh': 0o700, 'dags/a.py': 0o664 });
    utimesSync(path.join(second, 'dags/a.py'), new Date('2001-01-01'), new Date('2001-01-01'));
    const out = mkdtempSync(path.join(tmpdir(), 'out-'));
    const [a, b] = [await writeLayer(spec(first), path.join(out)), await writeLayer({ ...spec(second), name: 'other' }, out)];
    expect(a.diffId).toBe(b.diffId);
    expect(contentDigest([a])).toBe(contentDigest([b]));
  });

  it('changes when one byte of one file changes, and the content digest with it', async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'out-'));
    const a = await writeLayer(spec(tree(files)), out);
    const b = await writeLayer({ ...spec(tree({ ...files, 'dags/b.py': 'b = 3\n' })), name: 'changed' }, out);
    expect(a.diffId).not.toBe(b.diffId);
    expect(contentDigest([a])).not.toBe(contentDigest([b]));
  });

  it('keeps symlinks as links and computes the digest sha256sum would', async () => {
    const root = tree({ 'dags/a.py': 'a = 1\n' });
    symlinkSync('a.py', path.join(root, 'dags/link.py'));
    const layer = await writeLayer(spec(root), mkdtempSync(path.join(tmpdir(), 'out-')));
    const link = (await entries(layer.file)).find((h) => h.name.endsWith('link.py'));
    expect(link).toMatchObject({ type: 'symlink', linkname: 'a.py' });
    const line = `${createHash('sha256').update('a = 1\n').digest('hex')}  /opt/airflow/dags/a.py\n`;
    expect(contentDigest([layer])).toBe(`sha256:${createHash('sha256').update(line).digest('hex')}`);
  });
});
