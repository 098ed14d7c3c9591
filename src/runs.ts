import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * Which dagship run a container belongs to. Every container dagship starts carries these labels, so
 * `dagship doctor` can tell the leftovers of a killed run (SIGKILL, a runner that vanished) from the
 * containers of a run still going on the same engine.
 */
export const RUN_LABELS = {
  command: 'io.dagship.command',
  host: 'io.dagship.host',
  pid: 'io.dagship.pid',
  /** The process's start time (clock ticks since boot, /proc/<pid>/stat): a reused pid is another process. */
  pidStart: 'io.dagship.pid-start',
} as const;

/** No dagship container runs this long (lint's tools stop at 10 min, check's at its deadline). */
export const STALE_AFTER_MS = 6 * 3600_000;

let command = 'dagship';

/** Set once by the CLI: the command whose containers these are. */
export function setRunCommand(name: string): void {
  command = name;
}

export function runLabels(): Record<string, string> {
  return {
    [RUN_LABELS.command]: command,
    [RUN_LABELS.host]: hostname(),
    [RUN_LABELS.pid]: String(process.pid),
    [RUN_LABELS.pidStart]: processStart(process.pid) ?? '',
  };
}

let started = 0;

/** A unique name that says whose container it is: dagship-check-12345-1-3f9a. */
export function runContainerName(): string {
  return `dagship-${command}-${process.pid}-${++started}-${randomBytes(2).toString('hex')}`;
}

/** Field 22 of /proc/<pid>/stat; undefined where there is no /proc (macOS) or no such process. */
export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export interface RunProbe {
  host: string;
  /** The process's start time, or undefined when no such process runs. */
  started(pid: number): string | undefined | 'unknown';
}

/** This machine: a live process of another user counts as alive (kill -0 answers EPERM). */
export const thisMachine: RunProbe = {
  host: hostname(),
  started(pid) {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
    }
    return processStart(pid) ?? 'unknown';
  },
};

/**
 * Why a container is a leftover of a dead run, or undefined while its run may still be going: on this
 * host its process is gone or the pid now belongs to another process; elsewhere only age can tell.
 */
export function leftoverReason(labels: Record<string, string>, ageMs: number, probe: RunProbe = thisMachine): string | undefined {
  const pid = Number(labels[RUN_LABELS.pid]);
  const host = labels[RUN_LABELS.host];
  if (host === probe.host && Number.isInteger(pid) && pid > 0) {
    const started = probe.started(pid);
    if (started === undefined) return `its dagship process ${pid} is gone`;
    const recorded = labels[RUN_LABELS.pidStart];
    if (recorded && started !== 'unknown' && started !== recorded) return `pid ${pid} is now another process`;
    return undefined;
  }
  if (ageMs > STALE_AFTER_MS) return `started ${Math.round(ageMs / 3600_000)} h ago${host ? ` on ${host}` : ''}`;
  return undefined;
}
