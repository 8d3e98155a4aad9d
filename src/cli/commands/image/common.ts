// What the image commands share: daemon errors, docker's jsonmessage display (pull, push, load,
// import; the display itself is src/go/jsonmessage.ts), the --filter flag, registry credentials in the client's config file.

import type { ClientResponse } from '../../client';
import type { DockerEnv } from '../../env';
import { ListValue, type FlagSet } from '../../flags';
import { StatusError } from '../../flags/command';
import { parseNormalizedNamed, type ImageReference } from '../../formatter/reference';
import { JsonMessageError, displayJsonMessageStream, type DisplayOptions } from '../../../go/jsonmessage';

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

/**
 * jsonmessage.DisplayJSONMessagesStream for pull, push, load, import and build: the stream's error
 * becomes docker's StatusError (its code, or 1).
 */
export async function displayJsonMessages(
  stream: AsyncIterable<Uint8Array>,
  write: (text: string) => void,
  options: DisplayOptions,
): Promise<void> {
  try {
    await displayJsonMessageStream(stream, write, options);
  } catch (error) {
    if (error instanceof JsonMessageError) throw new StatusError(error.message, error.code || 1);
    throw error;
  }
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
  // configfile.Save: the directory is made first (0700), so login works on a fresh machine
  const path = configPath(env);
  await env.mkdirAll?.(path.slice(0, path.lastIndexOf('/')) || '/', 0o700);
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
