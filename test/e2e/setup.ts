import { connectDocker } from '../../src/engine/index.js';
import { connectRegistry } from '../../src/registry/index.js';
import { infra } from './infra.js';

/** Fails the e2e run up front, with the reason, when the infrastructure is not there. */
export default async function setup(): Promise<void> {
  const env = infra();
  await connectDocker().info();
  await connectRegistry(env.registry).ping();
  await connectRegistry(env.authRegistry).ping();
  await connectRegistry(env.tokenRegistry).ping();
}
