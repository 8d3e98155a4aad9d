// What the image commands share: daemon errors, docker's jsonmessage display (pull, push, load,
// import), the --filter flag, registry credentials in the client's config file.

import type { ClientResponse } from '../../client';
import type { DockerEnv } from '../../env';
import { ListValue, type FlagSet } from '../../flags';
import { StatusError } from '../../flags/command';
import { humanSize } from '../../formatter';
import { parseNormalizedNamed, type ImageReference } from '../../formatter/reference';

const decoder = new TextDecoder();

/** Throws docker's "Error response from daemon: ..." for an error status. */
export async function checkResponse(response: ClientResponse): Promise<ClientResponse> {
  if (response.status < 400) return response;
  const text = await response.text();
  let message = text.trim();
  try {
    const parsed = JSON.parse(text) as { message?: string };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // not JSON: the text as it is
  }
  throw Object.assign(new Error(`Error response from daemon: ${message}`), { status: response.status });
}

export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { status?: number }).status === 404;
}

/** opts.FilterOpt: `-f name=value`, several allowed. */
export function filterFlag(flags: FlagSet, shorthand: string, usage = 'Filter output based on conditions provided'): ListValue {
  return flags.define(
    'filter',
    new ListValue(
      [],
      (raw) => {
        const equals = raw.indexOf('=');
        if (equals === -1) throw new Error('bad format of filter (expected name=value)');
        return `${raw.slice(0, equals).trim().toLowerCase()}=${raw.slice(equals + 1).trim()}`;
      },
      'filter',
    ),
    usage,
    { shorthand },
  );
}

/** filters.Args as the API's `filters` JSON: {"reference":{"busybox":true}}; undefined when empty. */
export function filtersJson(pairs: readonly (readonly [string, string])[]): string | undefined {
  if (pairs.length === 0) return undefined;
  const filters: Record<string, Record<string, boolean>> = {};
  for (const [name, value] of pairs) (filters[name] ??= {})[value] = true;
  return JSON.stringify(filters);
}

export function filterPairs(values: readonly string[]): [string, string][] {
  return values.map((value) => {
    const equals = value.indexOf('=');
    return [value.slice(0, equals), value.slice(equals + 1)];
  });
}

export interface JsonMessage {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
  stream?: string;
  aux?: unknown;
  errorDetail?: { code?: number; message?: string };
  error?: string;
}

const messageFields = ['status', 'id', 'progressDetail', 'progress', 'stream', 'aux', 'errorDetail', 'error'];

/** Go's encoding/json matches keys case-insensitively: {"ID": "1"} fills `id`. */
function decodeMessage(line: string): JsonMessage {
  const raw = JSON.parse(line) as Record<string, unknown>;
  const message: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const field = messageFields.find((name) => name.toLowerCase() === key.toLowerCase());
    if (field) message[field] = value;
  }
  return message as JsonMessage;
}

/** jsonmessage.JSONProgress.String(): the bar the CLI draws on a terminal. */
function progressString(detail: JsonMessage['progressDetail'], width: number): string {
  const current = detail?.current ?? 0;
  const total = detail?.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize(current).padStart(8);
  let percentage = Math.floor(Math.floor((current / total) * 100) / 2);
  if (percentage > 50) percentage = 50;
  let bar = '';
  if (width > 110) bar = `[${'='.repeat(percentage)}>${' '.repeat(Math.max(0, 50 - percentage))}] `;
  let numbers = `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  if (current > total) numbers = humanSize(current).padStart(8);
  return bar + numbers;
}

/**
 * jsonmessage.DisplayJSONMessagesStream: each message on its line; on a terminal, progress lines
 * of an id are redrawn in place; off a terminal, lines with a progress bar are left out.
 * Throws the stream's error (docker prints it and exits with its code, or 1).
 */
export async function displayJsonMessages(
  stream: AsyncIterable<Uint8Array>,
  write: (text: string) => void,
  options: { terminal: boolean; columns?: number; onAux?: (aux: unknown) => void },
): Promise<void> {
  const ids = new Map<string, number>();
  let buffered = '';
  const handle = (message: JsonMessage): void => {
    if (message.aux !== undefined) {
      options.onAux?.(message.aux);
      return;
    }
    const terminal = options.terminal;
    let diff = 0;
    const hasProgress = message.progressDetail !== undefined || message.progress !== undefined;
    if (message.id && hasProgress) {
      let line = ids.get(message.id);
      if (line === undefined) {
        line = ids.size;
        ids.set(message.id, line);
        if (terminal) write('\n');
      }
      diff = ids.size - line;
      if (terminal && diff > 0) write(`\x1b[${diff}A`);
    } else {
      ids.clear();
    }
    if (message.error !== undefined || message.errorDetail !== undefined) {
      const text = message.errorDetail?.message ?? message.error ?? '';
      throw new StatusError(text, message.errorDetail?.code || 1);
    }
    let out = '';
    let endl = '';
    const progress = progressString(message.progressDetail, options.columns ?? 80);
    if (terminal && message.stream === undefined && hasProgress) {
      out += '\x1b[2K\r';
      endl = '\r';
    } else if (hasProgress && progress !== '') {
      if (message.id && terminal && diff > 0) write(`\x1b[${diff}B`);
      return;
    }
    if (message.id) out += `${message.id}: `;
    if (hasProgress && terminal) out += `${message.status ?? ''} ${progress}${endl}`;
    else if (message.stream !== undefined) out += `${message.stream}${endl}`;
    else out += `${message.status ?? ''}${endl}\n`;
    write(out);
    if (message.id && terminal && diff > 0) write(`\x1b[${diff}B`);
  };
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== '') handle(decodeMessage(line));
    }
  }
  if (buffered.trim() !== '') handle(decodeMessage(buffered));
}

// ---- credentials ---------------------------------------------------------------------------------

export const indexServer = 'https://index.docker.io/v1/';

interface ConfigFile {
  auths?: Record<string, { auth?: string }>;
  [key: string]: unknown;
}

export function configPath(env: DockerEnv): string {
  const dir = env.environment.DOCKER_CONFIG ?? `${env.environment.HOME ?? '/root'}/.docker`;
  return `${dir}/config.json`;
}

export async function readConfig(env: DockerEnv): Promise<ConfigFile> {
  try {
    return JSON.parse(decoder.decode(await env.readFile(configPath(env)))) as ConfigFile;
  } catch {
    return {};
  }
}

export async function writeConfig(env: DockerEnv, config: ConfigFile): Promise<void> {
  await env.writeFile(configPath(env), new TextEncoder().encode(`${JSON.stringify(config, null, '\t')}\n`));
}

/** The registry a reference's domain logs in to, as the config file keys it. */
export function authServer(domain: string): string {
  return domain === 'docker.io' ? indexServer : domain;
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The X-Registry-Auth header for a registry: base64url JSON of the stored credentials. */
export async function registryAuthHeader(env: DockerEnv, domain: string): Promise<string> {
  const config = await readConfig(env);
  const server = authServer(domain);
  const stored = config.auths?.[server]?.auth;
  if (!stored) return 'e30=';
  const plain = atob(stored);
  const colon = plain.indexOf(':');
  const json = JSON.stringify({ username: plain.slice(0, colon), password: plain.slice(colon + 1), serveraddress: server });
  return base64(json).replace(/\+/g, '-').replace(/\//g, '_');
}

export function encodeBasicAuth(username: string, password: string): string {
  return base64(`${username}:${password}`);
}

interface LineReader {
  iterator: AsyncIterator<Uint8Array>;
  buffered: string;
  done: boolean;
}
const lineReaders = new WeakMap<object, LineReader>();

/**
 * Reads one line from stdin (the prompts of login and prune). The stream is read with one iterator
 * kept per stdin, so what follows the line stays there for the next prompt.
 */
export async function readLine(env: DockerEnv): Promise<string> {
  const stdin = env.stdin;
  if (!stdin) return '';
  let reader = lineReaders.get(stdin);
  if (!reader) {
    reader = { iterator: stdin[Symbol.asyncIterator](), buffered: '', done: false };
    lineReaders.set(stdin, reader);
  }
  for (;;) {
    const newline = reader.buffered.indexOf('\n');
    if (newline !== -1) {
      const line = reader.buffered.slice(0, newline);
      reader.buffered = reader.buffered.slice(newline + 1);
      return line.replace(/\r$/, '');
    }
    if (reader.done) {
      const rest = reader.buffered;
      reader.buffered = '';
      return rest;
    }
    const next = await reader.iterator.next();
    if (next.done) reader.done = true;
    else reader.buffered += decoder.decode(next.value, { stream: true });
  }
}

/** Reads all of stdin. */
export async function readAll(stream: AsyncIterable<Uint8Array> | undefined): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream ?? []) {
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

/** prompt.Confirm: asks and reads y/N from stdin. */
export async function confirm(env: DockerEnv, message: string): Promise<boolean> {
  env.stdout(`${message} [y/N] `);
  return (await readLine(env)).trim().toLowerCase() === 'y';
}

export { formatHelp, inspectFormatHelp } from '../format-help';

/** reference.ParseNormalizedNamed with docker's message for an uppercase repository name. */
export function parseReference(text: string): ImageReference {
  try {
    return parseNormalizedNamed(text);
  } catch (error) {
    if ((error as Error).message === 'invalid reference format: repository name must be lowercase') {
      const slash = text.indexOf('/');
      const first = slash === -1 ? '' : text.slice(0, slash);
      const hasDomain = first.includes('.') || first.includes(':') || first === 'localhost';
      let remote = hasDomain ? text.slice(slash + 1) : text;
      if (!hasDomain && !remote.includes('/')) remote = `library/${remote}`;
      remote = remote.split(/[:@]/)[0];
      throw new Error(`invalid reference format: repository name (${remote}) must be lowercase`);
    }
    throw error;
  }
}
