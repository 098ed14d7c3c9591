// Apart from exec.ts so that commands which only format output do not load execa.

/** Replaces every secret in `text` with ***. */
export function mask(text: string, secrets: string[] = []): string {
  return secrets.filter((s) => s.length > 0).reduce((out, s) => out.split(s).join('***'), text);
}

/** The last `count` non-empty lines of a command's output: the useful end of an error. */
export function tail(text: string, count = 5): string {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-count)
    .join('\n');
}

/**
 * A YAML parser error in words that never quote the file (a config or values file may hold secrets):
 * the parser's sentence when it is plain words, else its error code; with the line and column.
 */
export function yamlErrorText(error: { code: string; message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): string {
  const sentence = error.message
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/:$/, '');
  const words = /^[A-Za-z0-9 ,.'-]+$/.test(sentence) ? sentence : error.code.toLowerCase().replaceAll('_', ' ');
  const pos = error.linePos?.[0];
  return pos ? `${words} at line ${pos.line}, column ${pos.col}` : words;
}
