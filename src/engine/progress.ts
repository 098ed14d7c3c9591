// Engine API progress streams (pull, push, build, load): JSON lines, errors inside a 200 answer.

/** One line of an Engine API progress stream (pull, push, build, load). */
export interface ProgressEvent {
  id?: string;
  status?: string;
  stream?: string;
  progressDetail?: { current?: number; total?: number };
  aux?: Record<string, unknown>;
}
export type OnProgress = (event: ProgressEvent) => void;

/** An error the engine reported inside a progress stream (the HTTP status was already 200). */
export class EngineStreamError extends Error {
  override readonly name = 'EngineStreamError';
}

/** Reads a JSON-lines progress stream to its end; an error line rejects with EngineStreamError. */
export function follow(stream: NodeJS.ReadableStream, onProgress?: OnProgress): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    const events: ProgressEvent[] = [];
    let buffered = '';
    let failed = false;
    const take = (line: string) => {
      if (failed || !line.trim()) return;
      const event = parseProgressLine(line);
      if ('error' in event) {
        failed = true;
        reject(new EngineStreamError(event.error));
        return;
      }
      events.push(event);
      onProgress?.(event);
    };
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach(take);
    });
    stream.on('error', (err) => !failed && reject(err));
    stream.on('end', () => {
      take(buffered);
      if (!failed) resolve(events);
    });
  });
}

/** One progress line: an event, or the error it carries. Lines that are not JSON are kept as text. */
export function parseProgressLine(line: string): ProgressEvent | { error: string } {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { stream: line };
  }
  const detail = value.errorDetail as { message?: string } | undefined;
  if (value.error || detail?.message) return { error: String(detail?.message ?? value.error) };
  return value as ProgressEvent;
}

/** Names from `docker load` output: "Loaded image: repo:tag" and "Loaded image ID: sha256:…". */
export function loadedNames(events: ProgressEvent[]): string[] {
  return events.flatMap((e) => [...(e.stream ?? '').matchAll(/Loaded image(?: ID)?: (\S+)/g)].map((m) => m[1]!));
}
