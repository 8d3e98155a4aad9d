// Build arguments as moby's legacy builder keeps them (builder/dockerfile/buildargs.go): --build-arg
// values, the ARGs a Dockerfile declares, the proxy variables every build may use, and the warning
// about values nobody declared.

/** Variables a build may be given without an ARG (they are not part of the cache key unless declared). */
export const builtinAllowedBuildArgs = new Set([
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
]);

export class BuildArgs {
  /** What the client gave (--build-arg X=1 → "1"; --build-arg X with X unset → null). */
  private readonly given: Map<string, string | null>;
  /** Declared with ARG in the current stage: name → default. */
  private allowed = new Map<string, string | undefined>();
  /** Declared before the first FROM. */
  private readonly meta = new Map<string, string | undefined>();
  /** Names declared anywhere (for the unused warning). */
  private readonly referenced = new Set<string>();

  constructor(given: Record<string, string | null>) {
    this.given = new Map(Object.entries(given));
  }

  /** A new stage starts without the previous stage's ARGs. */
  resetStage(): void {
    this.allowed = new Map();
  }

  addMetaArg(key: string, value: string | undefined): void {
    this.meta.set(key, value);
  }

  addArg(key: string, value: string | undefined): void {
    // ARG NAME without a default in a stage takes the meta ARG's default.
    this.allowed.set(key, value === undefined && this.meta.has(key) ? this.meta.get(key) : value);
    this.referenced.add(key);
  }

  private valueOf(key: string, fallback: string | undefined): string | undefined {
    const given = this.given.get(key);
    if (given !== undefined && given !== null) return given;
    return fallback;
  }

  /** The meta ARGs with their values: what FROM lines are expanded with. */
  allMeta(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [key, value] of this.meta) {
      const resolved = this.valueOf(key, value);
      if (resolved !== undefined) out.set(key, resolved);
    }
    return out;
  }

  /** Allowed args with values (declared ones, and builtin proxies given by the client). */
  allAllowed(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [key, value] of this.given) {
      if (builtinAllowedBuildArgs.has(key) && value !== null) out.set(key, value);
    }
    for (const [key, value] of this.allowed) {
      const resolved = this.valueOf(key, value);
      if (resolved !== undefined) out.set(key, resolved);
    }
    return out;
  }

  /** KEY=VALUE of allowed args whose names the environment does not already set. */
  filterAllowed(env: readonly string[]): string[] {
    const keys = new Set(env.map((entry) => (entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry)));
    return [...this.allAllowed()].filter(([key]) => !keys.has(key)).map(([key, value]) => `${key}=${value}`);
  }

  /** Declared or given-but-not-builtin: such args become part of RUN's cache key. */
  isReferencedOrNotBuiltin(key: string): boolean {
    return this.referenced.has(key) || !builtinAllowedBuildArgs.has(key);
  }

  /** "[Warning] One or more build-args [X Y] were not consumed\n", or undefined. */
  unusedWarning(): string | undefined {
    const left = [...this.given.keys()].filter((key) => !this.referenced.has(key) && !this.meta.has(key) && !builtinAllowedBuildArgs.has(key)).sort();
    return left.length > 0 ? `[Warning] One or more build-args [${left.join(' ')}] were not consumed\n` : undefined;
  }
}
