import { createHash } from 'node:crypto';
import type { ImageDetails } from '../engine/images.js';

export interface ConfigInput {
  /** The image the new layers go on: the base, or the base with the requirements layers. */
  parent: Pick<ImageDetails, 'config' | 'layers' | 'os' | 'architecture' | 'variant'>;
  /** How many of the parent's layers are the base image's (the rest are the requirements step's). */
  baseLayerCount: number;
  layers: { diffId: string; createdBy: string }[];
  /** Merged over the parent's labels. */
  labels: Record<string, string>;
  /** Environment variables set over the parent's (same name: replaced in place; new: appended). */
  env?: Record<string, string>;
  /** ISO 8601: the commit time, never the wall clock. */
  created: string;
}

export interface ImageConfig {
  json: string;
  /** sha256 of `json`: on a graph-driver engine, the image ID. */
  digest: string;
}

/**
 * The runtime settings an image config carries (OCI image spec plus Docker's Healthcheck/OnBuild/Shell),
 * in a fixed order. Anything else the engine reports (Hostname, Attach*, Image …) is build-time noise
 * that differs between engines and would make the same content a different image.
 */
const RUNTIME_KEYS = ['User', 'ExposedPorts', 'Env', 'Entrypoint', 'Cmd', 'Volumes', 'WorkingDir', 'Labels', 'StopSignal', 'Healthcheck', 'OnBuild', 'Shell', 'ArgsEscaped'];

/** The history line of the requirements step's one layer (see requirements.ts). */
export const REQUIREMENTS_STEP = 'dagship: pip install -r requirements.txt';
const REQUIREMENT_STEPS = [REQUIREMENTS_STEP];

/** The image config JSON, byte-for-byte the same for the same input. */
export function imageConfig(input: ConfigInput): ImageConfig {
  const runtime: Record<string, unknown> = {};
  for (const key of RUNTIME_KEYS) {
    const value =
      key === 'Labels'
        ? sortedLabels({ ...((input.parent.config.Labels as Record<string, string> | null) ?? {}), ...input.labels })
        : key === 'Env'
          ? withEnv((input.parent.config.Env as string[] | null | undefined) ?? undefined, input.env ?? {})
          : input.parent.config[key];
    if (value !== undefined && value !== null && !(typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)) runtime[key] = value;
  }
  const created = utc(input.created);
  const parentLayers = input.parent.layers;
  const history = [
    ...parentLayers.map((_, i) => ({ created_by: i < input.baseLayerCount ? 'base image layer' : (REQUIREMENT_STEPS[i - input.baseLayerCount] ?? 'requirements') })),
    ...input.layers.map((l) => ({ created, created_by: l.createdBy })),
  ];
  const config = {
    architecture: input.parent.architecture,
    ...(input.parent.variant ? { variant: input.parent.variant } : {}),
    config: runtime,
    created,
    history,
    os: input.parent.os,
    rootfs: { type: 'layers', diff_ids: [...parentLayers, ...input.layers.map((l) => l.diffId)] },
  };
  const json = JSON.stringify(config);
  return { json, digest: `sha256:${createHash('sha256').update(json).digest('hex')}` };
}

function withEnv(env: string[] | undefined, changes: Record<string, string>): string[] | undefined {
  const left = { ...changes };
  const kept = (env ?? []).map((e) => {
    const name = e.slice(0, e.indexOf('='));
    if (!(name in left)) return e;
    const value = left[name];
    delete left[name];
    return `${name}=${value}`;
  });
  const all = [...kept, ...Object.entries(left).map(([k, v]) => `${k}=${v}`)];
  return env === undefined && all.length === 0 ? undefined : all;
}

function sortedLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** 2026-01-02T03:04:05+02:00 → 2026-01-02T01:04:05Z: one spelling of an instant. */
export function utc(time: string): string {
  const date = new Date(time);
  if (Number.isNaN(date.getTime())) throw new Error(`not a time: ${time}`);
  return date.toISOString().replace(/\.000Z$/, 'Z');
}
