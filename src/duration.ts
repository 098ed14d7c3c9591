import { DagshipError } from './errors.js';

/** What every time flag, setting and action input accepts, for messages and help. */
export const DURATION_FORMS = '90s, 5m, 1h, or a bare number of seconds';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/**
 * A duration in milliseconds: `90s`, `5m`, `1h`, `500ms`, or a bare number meaning seconds (the unit
 * Airflow's own timeouts use). Undefined when the text is none of these or not above zero.
 */
export function durationMs(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value * 1000 : undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS] : 0;
  return ms > 0 ? ms : undefined;
}

/** A duration a person typed, in milliseconds; a usage error naming `name` (the flag or input) when it is not one. */
export function parseDuration(text: string, name: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new DagshipError(`invalid ${name} '${text}'`, `use a positive duration: ${DURATION_FORMS}`, 'usage');
  return ms;
}
