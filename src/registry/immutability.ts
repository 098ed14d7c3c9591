/** What a registry can do, server-side, against a tag being moved, as far as its host name tells. */
export interface TagImmutability {
  /** The registry's kind, named from its host. */
  kind: string;
  /** True: it can refuse a tag overwrite once configured; false: it cannot; undefined: unknown from the name. */
  canEnforce: boolean | undefined;
  /** What to set (or why nothing can be), for a person. */
  advice: string;
}

const KNOWN: [RegExp, TagImmutability][] = [
  [
    /\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/,
    { kind: 'Amazon ECR', canEnforce: true, advice: 'set imageTagMutability IMMUTABLE on the repository (and the staging one may stay MUTABLE); dagship cannot read it without AWS API access' },
  ],
  [
    /-docker\.pkg\.dev$/,
    { kind: 'Google Artifact Registry', canEnforce: true, advice: 'create or update the repository with --immutable-tags; dagship cannot read it without Google Cloud API access' },
  ],
  [
    /\.azurecr\.io$/,
    {
      kind: 'Azure Container Registry',
      canEnforce: true,
      advice: 'lock pushed tags: az acr repository update --image <repo>:<tag> --write-enabled false; dagship cannot read it without Azure API access',
    },
  ],
  [
    /^ghcr\.io$/,
    {
      kind: 'GitHub Container Registry',
      canEnforce: false,
      advice: "it cannot refuse a tag overwrite: dagship's look-up just before its tag write is the only guard, and a writer in the last milliseconds can still move a tag",
    },
  ],
  [
    /^(docker\.io|registry-1\.docker\.io|index\.docker\.io)$/,
    {
      kind: 'Docker Hub',
      canEnforce: false,
      advice: "it cannot refuse a tag overwrite: dagship's look-up just before its tag write is the only guard, and a writer in the last milliseconds can still move a tag",
    },
  ],
];

/** From the host name alone: dagship never claims to know the setting itself. */
export function tagImmutability(registry: string): TagImmutability {
  const host = registry.replace(/:\d+$/, '');
  const known = KNOWN.find(([pattern]) => pattern.test(host));
  if (known) return known[1];
  return {
    kind: 'a registry of unknown kind',
    canEnforce: undefined,
    advice:
      "Harbor can refuse tag overwrites (an immutable tag rule per project); the distribution registry (registry:2) cannot, and then dagship's look-up just before its tag write is the only guard",
  };
}
