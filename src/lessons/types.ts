// The contract between lesson content (lessons/NN-part/NN-lesson/lesson.ts) and the tutorial runtime.
// A lesson sees the learner's machine only through LessonEnv: engine state as Engine API JSON, commands
// run on the host outside the learner's terminal, the guest's files, and the docker commands the
// learner ran. Checks never reach into engine internals, so lessons survive refactors of the engine.

export type Lang = 'zh' | 'en';

/** Text written for both languages (each for its readers, not translated line by line). */
export interface Localized {
  zh: string;
  en: string;
}

export interface ShellResult {
  stdout: string;
  stderr: string;
  status: number;
}

/** One `docker ...` the learner ran in the guest (typed, pasted, or through a Run button). */
export interface DockerCommandRecord {
  /** The arguments after `docker` (e.g. ['run', '--rm', 'busybox', 'echo', 'hi']). */
  argv: readonly string[];
  /** The exit status docker returned. */
  status: number;
  /** What docker printed on stderr (error texts, for hints); at most the last 4 KiB. */
  stderr: string;
  /** When it ended (ms since the epoch). */
  endedAt: number;
}

export interface LessonEnv {
  /** The lesson's language (a check's failure message may use it; prefer returning Localized). */
  readonly lang: Lang;
  /**
   * An Engine API call, as the docker CLI would make it: `api('GET', '/containers/json?all=1')`.
   * Returns the HTTP status and the parsed JSON body (undefined for an empty body).
   */
  api<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** Runs a shell script on the Docker host (the guest), outside the learner's terminal. */
  sh(script: string): Promise<ShellResult>;
  /** A file of the guest as text, or undefined when it does not exist. */
  readFile(path: string): Promise<string | undefined>;
  /** Every docker command the learner ran since the lesson started, oldest first. */
  commands(): readonly DockerCommandRecord[];
}

/** What a check returns: true when the step is done, otherwise what is still missing. */
export type CheckResult = true | { missing: Localized };

export interface Hint {
  /** When this hint applies, looking at the learner's last docker command (and the machine). */
  when: (last: DockerCommandRecord | undefined, env: LessonEnv) => boolean | Promise<boolean>;
  text: Localized;
}

/**
 * What the learner would type, as the Run buttons type it: one or more lines, each typed into the
 * terminal followed by Enter; the next line is typed once the previous one has finished (the shell
 * prompt came back). `input` lines are typed while the previous command is still running (for
 * `docker run -it`, `docker attach`): the runtime waits for `waitFor` in the terminal output first.
 */
export type SolutionLine =
  | string
  | {
      input: string;
      waitFor?: string;
      /** Press Enter after `input` (default true); false for keys such as Ctrl-C ('\x03') or docker's detach keys ('\x10\x11'). */
      enter?: boolean;
    };

export interface Step {
  /** Passes when the machine is in the state the step asks for. Must fail before the solution runs. */
  check: (env: LessonEnv) => Promise<CheckResult>;
  /** The commands that solve the step (the "Show solution" text and what the solution bot runs). */
  solution: readonly SolutionLine[];
  /** Hints for mistakes actually made: docker's error text or exit status mapped to an explanation. */
  hints?: readonly Hint[];
  /** An optional challenge: the lesson counts as finished without it. */
  optional?: boolean;
}

export interface LessonDefinition {
  /**
   * Commands run on the host (via env.sh, not in the terminal) when the lesson starts, so the lesson
   * begins from a known state whatever came before (e.g. `docker rm -f web 2>/dev/null; true`).
   */
  setup?: string;
  /** The steps, keyed by the ids of the markdown's `## Title {#id}` sections, in the same order. */
  steps: Readonly<Record<string, Step>>;
}

/** Identity helper that gives lesson.ts files their types. */
export function defineLesson(lesson: LessonDefinition): LessonDefinition {
  return lesson;
}
