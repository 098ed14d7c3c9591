import { existsSync, writeFileSync } from 'node:fs';
import { generateKeys, keyId, loadPublicKey } from '../../src/attest/index.js';
import { DagshipError } from '../../src/errors.js';

/** Writes an Ed25519 key pair: `<prefix>.key` (the CI secret) and `<prefix>.pub` (deploy's configuration). */
export async function keygen(prefix: string): Promise<number> {
  const [privatePath, publicPath] = [`${prefix}.key`, `${prefix}.pub`];
  const existing = [privatePath, publicPath].filter((p) => existsSync(p));
  if (existing.length) throw new DagshipError(`${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}`, 'pick another --output prefix; dagship never overwrites a key', 'usage');
  const { privateKey, publicKey } = generateKeys();
  writeFileSync(privatePath, privateKey, { mode: 0o600 });
  writeFileSync(publicPath, publicKey);
  process.stdout.write(
    [
      `wrote ${privatePath} (private: store it as the CI secret DAGSHIP_SIGNING_KEY, then delete this file)`,
      `wrote ${publicPath} (public, key id ${keyId(loadPublicKey(publicKey))}: give it to deploy with --public-key or DAGSHIP_PUBLIC_KEY)`,
      '',
    ].join('\n'),
  );
  return 0;
}
