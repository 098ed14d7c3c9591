import { main } from './main.js';

await main(process.argv);
// A request to a server that never answered may still hold a socket open until its own deadline: the
// outcome is decided, so it must not keep the process (and a CI job) waiting.
setTimeout(() => process.exit(), 1_000).unref();
