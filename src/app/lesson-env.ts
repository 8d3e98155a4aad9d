// LessonEnv over the running machine (the engine and its guest), the same in the page and in Node (the
// solution bot): api() answers through the engine's in-process Engine API handler, sh() and readFile()
// run on the guest through the agent (outside the learner's terminal), commands() is the record of the
// docker commands run in the guest (DocksideEngine.onDockerCommand). It is also the LessonHost of a
// LessonSession: it says when something happened (a docker command ended, an engine event, the shell
// prompt came back, a file was written).

import type { ApiRequest } from '../api/transport';
import type { ActivityKind, LessonHost } from '../lessons/session';
import type { DockerCommandRecord, Lang, LessonEnv, ShellResult } from '../lessons/types';
import type { Guest } from '../vm/guest';
import type { DocksideEngine } from './engine';
import { shellQuote, type ConsoleCommand, type GuestConsole } from './guest-console';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** docker's API version prefix, as the CLI sends it. */
const API_PREFIX = '/v1.47';
/** Set in the environment of sh() scripts: their docker commands are not the learner's. */
const CANNOT_CONNECT = /Cannot connect to the Docker daemon at unix:\/\/\/var\/run\/docker\.sock\. Is the docker daemon running\?/;
const READING_ACTIONS = /^(exec_create|exec_start|exec_die|exec_detach|archive-path|top|resize)\b/;
export const BY_LESSON = 'DOCKSIDE_LESSON_SCRIPT';

export interface MachineEnvOptions {
  engine: DocksideEngine;
  guest: Guest;
  /** The learner's terminal: its prompt coming back triggers checks. */
  console?: GuestConsole;
  lang?: Lang;
}

async function collect(body: Uint8Array | AsyncIterable<Uint8Array> | undefined): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  if (body instanceof Uint8Array) return body;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

export class MachineLessonEnv implements LessonEnv, LessonHost {
  private language: Lang;
  private records: DockerCommandRecord[] = [];
  private readonly listeners = new Set<(kind: ActivityKind) => void>();
  private readonly off: (() => void)[] = [];

  constructor(private readonly options: MachineEnvOptions) {
    this.language = options.lang ?? 'en';
    const { engine, console } = options;
    this.off.push(
      engine.onDockerCommand((record, { environment }) => {
        if (environment[BY_LESSON] !== undefined) return; // a check's or setup's own docker command
        this.records.push(record);
        this.emit('docker-command');
      }),
      engine.daemon.events.subscribe((event) => {
        // Reading actions (a check's `docker exec`, `docker cp` from a container) change nothing to
        // check, and a check that reacted to its own exec would check forever.
        if (READING_ACTIONS.test(event.Action)) return;
        this.emit('engine-event');
      }),
    );
    if (console) {
      this.off.push(
        console.onCommand((command) => this.unreached(command)),
        console.onPrompt(() => this.emit('prompt')),
        console.onFileWritten(() => this.emit('file-written')),
      );
    }
  }

  get env(): LessonEnv {
    return this;
  }

  get lang(): Lang {
    return this.language;
  }

  setLang(lang: Lang): void {
    this.language = lang;
  }

  dispose(): void {
    for (const off of this.off.splice(0)) off();
    this.listeners.clear();
  }

  // ---- LessonEnv ----

  /**
   * An Engine API call through the engine's handler (the engine's state even while `service docker
   * stop` has closed the guest's sockets; checks that are about the daemon running use sh()). Streamed
   * bodies are read to their end, so do not call endpoints that follow (events, logs -f).
   */
  async api<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const [pathname, search = ''] = path.split('?', 2);
    const bytes = body === undefined ? new Uint8Array(0) : encoder.encode(JSON.stringify(body));
    const request: ApiRequest = {
      method,
      path: `${API_PREFIX}${pathname}`,
      query: new URLSearchParams(search),
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: async () => bytes,
      bodyStream: async function* () {
        yield bytes;
      },
    };
    const response = await this.options.engine.daemon.router.handle(request);
    const text = decoder.decode(await collect(response.body));
    let parsed: unknown = undefined;
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, body: parsed as T };
  }

  async sh(script: string): Promise<ShellResult> {
    const result = await this.options.guest.run(`export ${BY_LESSON}=1\n${script}`);
    return { stdout: decoder.decode(result.stdout), stderr: decoder.decode(result.stderr), status: result.status };
  }

  async readFile(path: string): Promise<string | undefined> {
    const quoted = shellQuote(path);
    const result = await this.options.guest.run(`[ -f ${quoted} ] && cat -- ${quoted}`); // no docker in it
    return result.status === 0 ? decoder.decode(result.stdout) : undefined;
  }

  commands(): readonly DockerCommandRecord[] {
    return this.records;
  }

  /**
   * A `docker …` typed while the daemon is stopped never reaches the engine: the guest's client cannot
   * connect, prints docker's "Cannot connect to the Docker daemon …" and exits 1 (vm-images/docker-client).
   * The terminal's transcript is then the only witness, so the record is made from it: argv split
   * as the shell would for plain words and quotes, status 1, and what the terminal showed.
   */
  private unreached(command: ConsoleCommand): void {
    if (this.options.engine.isRunning || !CANNOT_CONNECT.test(command.output)) return;
    const words = shellWords(command.line);
    if (words?.[0] !== 'docker') return;
    this.records.push({ argv: words.slice(1), status: 1, stderr: command.output.slice(-4096), endedAt: command.endedAt });
    this.emit('docker-command');
  }

  // ---- LessonHost ----

  clearCommands(): void {
    this.records = [];
  }

  onActivity(listener: (kind: ActivityKind) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(kind: ActivityKind): void {
    for (const listener of [...this.listeners]) listener(kind);
  }
}

/**
 * A simple command line's words as sh would split them (blanks, single and double quotes, backslash);
 * undefined for anything with shell syntax beyond that (pipes, redirections, substitutions, `;`).
 */
export function shellWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return undefined;
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = '';
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1])) text += line[++j];
        else if ('$`'.includes(line[j])) return undefined;
        else text += line[j];
      }
      if (j >= line.length) return undefined;
      word = (word ?? '') + text;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      word = (word ?? '') + line[++i];
    } else if ('|&;<>()$`*?[#~'.includes(c)) {
      return undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
