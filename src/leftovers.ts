import type { DockerEngine, RunContainer } from './engine/index.js';
import { leftoverReason, RUN_LABELS, thisMachine, type RunProbe } from './runs.js';

export interface Leftover {
  container: RunContainer;
  /** Why its run is judged dead. */
  reason: string;
}

export interface RunContainers {
  leftovers: Leftover[];
  /** Containers of runs that may still be going (never touched). */
  live: RunContainer[];
}

/** The engine's dagship containers, split into leftovers of dead runs and those of runs still going. */
export async function findRunContainers(docker: DockerEngine, now = Date.now(), probe: RunProbe = thisMachine): Promise<RunContainers> {
  const leftovers: Leftover[] = [];
  const live: RunContainer[] = [];
  for (const container of await docker.runContainers()) {
    const reason = leftoverReason(container.labels, now - container.createdAt.getTime(), probe);
    if (reason) leftovers.push({ container, reason });
    else live.push(container);
  }
  return { leftovers, live };
}

/** "dagship-check-4242-1-ab12 (check, running): its dagship process 4242 is gone" */
export function describeLeftover({ container, reason }: Leftover): string {
  return `${container.name} (${container.labels[RUN_LABELS.command] ?? 'dagship'}, ${container.state}): ${reason}`;
}
