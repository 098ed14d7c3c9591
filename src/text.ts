// Apart from exec.ts so that commands which only format output do not load execa.

/** Replaces every secret in `text` with ***. */
export function mask(text: string, secrets: string[] = []): string {
  return secrets.filter((s) => s.length > 0).reduce((out, s) => out.split(s).join('***'), text);
}

/** The last `count` non-empty lines of a command's output: the useful end of an error. */
export function tail(text: string, count = 5): string {
  return text.split('\n').filter((l) => l.trim() !== '').slice(-count).join('\n');
}
