// The typed instructions of a Dockerfile, as buildkit's instructions package defines them. Values
// are as written (quotes kept, variables not yet expanded): expansion happens at dispatch, with the
// environment of that step (see expandCommand).

/** Where an instruction came from. */
export interface CommandBase {
  /** The instruction word as written ("RUN", "run"). */
  name: string;
  /** The instruction's source text, trimmed (what the legacy builder prints after "Step 1/3 : "). */
  code: string;
  /** 1-based lines of the instruction in the Dockerfile. */
  startLine: number;
  endLine: number;
}

/** ENV and LABEL pairs; `noDelim` marks the old `ENV key value` form. */
export interface KeyValuePair {
  key: string;
  value: string;
  noDelim: boolean;
}

/** ARG names with an optional default, and the `# name …` comment above that describes it. */
export interface KeyValuePairOptional {
  key: string;
  value?: string;
  comment: string;
}

export interface EnvCommand extends CommandBase {
  kind: 'env';
  env: KeyValuePair[];
}

export interface MaintainerCommand extends CommandBase {
  kind: 'maintainer';
  maintainer: string;
}

export interface LabelCommand extends CommandBase {
  kind: 'label';
  labels: KeyValuePair[];
  /** Labels added by `docker build --label` are not expanded. */
  noExpand?: boolean;
}

/** A file written inline with a heredoc (COPY <<EOF /dest). */
export interface SourceContent {
  path: string;
  data: string;
  expand: boolean;
}

export interface SourcesAndDest {
  destPath: string;
  sourcePaths: string[];
  sourceContents: SourceContent[];
}

export interface AddCommand extends CommandBase, SourcesAndDest {
  kind: 'add';
  chown: string;
  chmod: string;
  link: boolean;
  keepGitDir: boolean;
  checksum: string;
}

export interface CopyCommand extends CommandBase, SourcesAndDest {
  kind: 'copy';
  /** --from: a stage name or index, or an image. */
  from: string;
  chown: string;
  chmod: string;
  link: boolean;
}

export interface OnbuildCommand extends CommandBase {
  kind: 'onbuild';
  /** The trigger as stored in the image's OnBuild list ("RUN echo hi"). */
  expression: string;
}

export interface WorkdirCommand extends CommandBase {
  kind: 'workdir';
  path: string;
}

/** A heredoc body of RUN, CMD or ENTRYPOINT. */
export interface ShellInlineFile {
  name: string;
  data: string;
  chomp: boolean;
}

/**
 * A command line: exec form (`prependShell` false: the JSON array as it is) or shell form (one
 * string, to be run by the stage's SHELL, `["/bin/sh","-c"]` by default).
 */
export interface ShellDependentCmdLine {
  cmdLine: string[];
  files: ShellInlineFile[];
  prependShell: boolean;
}

export interface RunCommand extends CommandBase, ShellDependentCmdLine {
  kind: 'run';
  /** The names of the flags given (the legacy builder refuses all of them). */
  flagsUsed: string[];
  /** --mount values, unparsed. */
  mounts: string[];
  /** --network: default, none or host. */
  network: string;
  /** --device values, unparsed. */
  devices: string[];
}

export interface CmdCommand extends CommandBase, ShellDependentCmdLine {
  kind: 'cmd';
}

export interface EntrypointCommand extends CommandBase, ShellDependentCmdLine {
  kind: 'entrypoint';
}

/**
 * An image config's Healthcheck. Durations are in nanoseconds and 0 means "not set": the daemon
 * then uses healthcheckDefaults when it runs the check.
 */
export interface HealthConfig {
  /** ["NONE"], ["CMD", args…] (exec form) or ["CMD-SHELL", command]. */
  test: string[];
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

export interface HealthCheckCommand extends CommandBase {
  kind: 'healthcheck';
  health: HealthConfig;
}

export interface ExposeCommand extends CommandBase {
  kind: 'expose';
  /** Sorted as strings, as buildkit leaves them. */
  ports: string[];
}

export interface UserCommand extends CommandBase {
  kind: 'user';
  user: string;
}

export interface VolumeCommand extends CommandBase {
  kind: 'volume';
  volumes: string[];
}

export interface StopSignalCommand extends CommandBase {
  kind: 'stopsignal';
  signal: string;
}

export interface ArgCommand extends CommandBase {
  kind: 'arg';
  args: KeyValuePairOptional[];
}

export interface ShellCommand extends CommandBase {
  kind: 'shell';
  shell: string[];
}

/** Every instruction except FROM, which starts a Stage. */
export type Command =
  | EnvCommand
  | MaintainerCommand
  | LabelCommand
  | AddCommand
  | CopyCommand
  | OnbuildCommand
  | WorkdirCommand
  | RunCommand
  | CmdCommand
  | EntrypointCommand
  | HealthCheckCommand
  | ExposeCommand
  | UserCommand
  | VolumeCommand
  | StopSignalCommand
  | ArgCommand
  | ShellCommand;

/** A build stage: a FROM and the instructions up to the next FROM. */
export interface Stage {
  kind: 'stage';
  /** The lower-cased name after AS, or "". */
  name: string;
  commands: Command[];
  /** The FROM word as written. */
  origCmd: string;
  /** The image or stage to start from, as written (variables are expanded at dispatch). */
  baseName: string;
  /** --platform, or "". */
  platform: string;
  /** The `# name …` comment above the FROM. */
  comment: string;
  /** The FROM line, trimmed. */
  sourceCode: string;
  startLine: number;
  endLine: number;
}

/** The daemon's defaults for a HEALTHCHECK field left at 0 (moby's daemon/health.go). */
export const healthcheckDefaults = {
  interval: 30_000_000_000,
  timeout: 30_000_000_000,
  startPeriod: 0,
  startInterval: 5_000_000_000,
  retries: 3,
} as const;
