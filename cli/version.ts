declare const DAGSHIP_VERSION: string | undefined;

/** Injected by the bundler from package.json; tests running the sources see a dev version. */
export const VERSION = typeof DAGSHIP_VERSION === 'string' ? DAGSHIP_VERSION : '0.0.0-dev';
