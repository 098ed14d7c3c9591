/**
 * The core reports progress through this, never through @actions/core, so it runs the same under
 * `npx dagship` and inside an action. Adapters decide how a group looks (GitHub `::group::`, a heading).
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  group<T>(title: string, work: () => Promise<T>): Promise<T>;
}

/** A Logger that writes nothing: for library callers and tests that only want results. */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  group: (_title, work) => work(),
};
