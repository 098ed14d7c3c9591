/**
 * How a command stops on SIGINT/SIGTERM (GitHub cancels a step with SIGINT, SIGTERM 7.5 s later, then
 * kills the process tree 2.5 s after that). The first signal aborts `stopSignal`: work that can stop at a
 * safe point (deploy) watches it and ends with a StoppedError; for everything else the registered
 * cleanups run (containers, temp folders) and the process exits 130/143. A second signal exits at once,
 * after printing the one command that recovers, when one is registered.
 */

export type StopSignalName = 'SIGINT' | 'SIGTERM';

const EXIT_CODES: Record<StopSignalName, number> = { SIGINT: 130, SIGTERM: 143 };

export const exitCodeOf = (signal: StopSignalName): number => EXIT_CODES[signal];

/** Thrown by work that stopped at a safe point after a signal; adapters exit 130/143. */
export class StoppedError extends Error {
  override readonly name = 'StoppedError';
  constructor(
    readonly signal: StopSignalName,
    message = `stopped by ${signal}`,
  ) {
    super(message);
  }
}

const controller = new AbortController();
const cleanups = new Set<() => Promise<void> | void>();
let graceful = 0;
let recovery: string | undefined;
let received: StopSignalName | undefined;
let writeLine: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

/** Aborted on the first SIGINT/SIGTERM; its reason is a StoppedError. */
export const stopSignal: AbortSignal = controller.signal;

export const stoppedBy = (): StopSignalName | undefined => received;

/** Throws the StoppedError when a signal came: call at each safe point. */
export function throwIfStopped(): void {
  if (received) throw new StoppedError(received);
}

/** Something to undo when a signal stops the command (remove a container, a folder); returns the unregister. */
export function onStop(cleanup: () => Promise<void> | void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/**
 * While `work` runs, the first signal only aborts `stopSignal`: `work` stops at its own safe point.
 * `recover` is printed if a second signal makes the process exit before that.
 */
export async function stopGracefully<T>(recover: string, work: () => Promise<T>): Promise<T> {
  graceful++;
  const before = recovery;
  recovery = recover;
  try {
    return await work();
  } finally {
    graceful--;
    recovery = before;
  }
}

let cleanupRecovery: string | undefined;

/**
 * Installs the handlers once per process (the CLI's entry point). `afterCleanup` is printed when a
 * second signal cuts the cleanups short (what removes what they could not).
 */
export function installStopHandlers(write?: (line: string) => void, afterCleanup?: string): void {
  if (write) writeLine = write;
  cleanupRecovery = afterCleanup;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void onSignal(signal));
}

async function onSignal(signal: StopSignalName): Promise<void> {
  if (received) {
    writeLine(`${signal} again: exiting now${recovery ? `; to finish what was stopped, run: ${recovery}` : ''}`);
    process.exit(exitCodeOf(received));
  }
  received = signal;
  controller.abort(new StoppedError(signal));
  if (graceful > 0) {
    writeLine(`${signal}: stopping at the next safe point (a second signal exits at once)`);
    return;
  }
  writeLine(`${signal}: cleaning up, then exiting`);
  recovery = cleanupRecovery;
  await runCleanups();
  process.exit(exitCodeOf(signal));
}

/** Runs every registered cleanup once, each bounded so that a hung one cannot keep the process alive. */
export async function runCleanups(limitMs = 5_000): Promise<void> {
  const pending = [...cleanups];
  cleanups.clear();
  await Promise.all(
    pending.map((c) =>
      Promise.race([
        Promise.resolve()
          .then(c)
          .catch(() => undefined),
        new Promise((r) => setTimeout(r, limitMs).unref()),
      ]),
    ),
  );
}
