import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeys, keyId, loadPublicKey } from '../../src/attest/index.js';
import { DagshipError, reasonOf } from '../../src/errors.js';

/** Writes an ECDSA P-256 key pair: `<prefix>.key` (the CI secret) and `<prefix>.pub` (deploy's configuration). */
export async function keygen(prefix: string): Promise<number> {
  const [privatePath, publicPath] = [`${prefix}.key`, `${prefix}.pub`];
  const folder = path.dirname(path.resolve(privatePath));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new DagshipError(
      `cannot write ${privatePath}: the folder ${folder} does not exist`,
      `create it first (mkdir -p ${path.dirname(privatePath)}), or pick an --output prefix in a folder that exists`,
      'usage',
    );
  }
  const existing = [privatePath, publicPath].filter((p) => existsSync(p));
  if (existing.length) throw new DagshipError(`${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}`, 'pick another --output prefix; dagship never overwrites a key', 'usage');
  const { privateKey, publicKey } = generateKeys();
  writeKey(privatePath, privateKey, 0o600);
  try {
    writeKey(publicPath, publicKey, 0o644);
  } catch (err) {
    // Half a pair is no use, and the private half should not sit around.
    rmSync(privatePath, { force: true });
    throw err;
  }
  process.stdout.write(
    [
      `wrote ${privatePath} (private: store it as the CI secret DAGSHIP_SIGNING_KEY, then delete this file)`,
      `wrote ${publicPath} (public, key id ${keyId(loadPublicKey(publicKey))}: give it to deploy with --public-key or DAGSHIP_PUBLIC_KEY, and to cosign verify-attestation --key)`,
      '',
    ].join('\n'),
  );
  return 0;
}

/** `wx`: a key that appeared since the check above is still never overwritten. */
function writeKey(file: string, content: string, mode: number): void {
  try {
    writeFileSync(file, content, { mode, flag: 'wx' });
  } catch (err) {
    throw new DagshipError(`cannot write ${file}: ${reasonOf(err)}`, 'pick an --output prefix in a folder you can write to', 'usage', { cause: err });
  }
}
