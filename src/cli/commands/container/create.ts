// docker create (docker/cli container/create.go): parses the container options, creates the container,
// pulling the image first when the daemon does not have it ("Unable to find image ... locally").

import { defineCommand, requiresMinArgs, StatusError, type FlagSet, type StringValue, type BoolValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { addContainerFlags, parseContainerOptions, type ContainerConfigBody, type ContainerOptions } from './opts';
import { errorFrom } from './util';
import { parseReference } from '../image/common';
import { displayJsonMessageStream } from '../../../go/jsonmessage';
import type { CreateResponse } from '../../../api';

export interface CreateOptions {
  name: StringValue;
  platform: StringValue;
  pull: StringValue;
  quiet: BoolValue;
  untrusted: BoolValue;
  useApiSocket: BoolValue;
}

export function addCreateFlags(flags: FlagSet, verb: 'running' | 'creating' = 'running'): CreateOptions {
  flags.interspersed = false;
  const name = flags.string('name', '', '', 'Assign a name to the container');
  // docker's create has a stray "|" in this text; kept so the help matches.
  const pull = flags.string('pull', '', 'missing', verb === 'running' ? 'Pull image before running ("always", "missing", "never")' : 'Pull image before creating ("always", "|missing", "never")');
  const quiet = flags.bool('quiet', 'q', false, 'Suppress the pull output');
  const useApiSocket = flags.bool('use-api-socket', '', false, 'Bind mount Docker API socket and required auth');
  flags.bool('help', '', false, 'Print usage');
  const platform = flags.string('platform', '', '', 'Set platform if server is multi-platform capable');
  const untrusted = flags.bool('disable-content-trust', '', true, 'Skip image verification');
  return { name, platform, pull, quiet, untrusted, useApiSocket };
}

export function validatePullOpt(value: string): void {
  if (!['always', 'missing', 'never', ''].includes(value)) {
    throw new Error(`invalid pull option: '${value}': must be one of "always", "missing" or "never"`);
  }
}

/** "busybox" → "busybox:latest" (reference.TagNameOnly + FamiliarString), undefined for digests and ids. */
export function taggedFamiliar(image: string): string | undefined {
  if (image.includes('@') || /^[0-9a-f]{64}$/.test(image) || image.startsWith('sha256:')) return undefined;
  const lastSlash = image.lastIndexOf('/');
  const hasTag = image.slice(lastSlash + 1).includes(':');
  let name = hasTag ? image : `${image}:latest`;
  name = name.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '').replace(/^index\.docker\.io\/library\//, '');
  return name;
}

function normalizedRepoTag(image: string): { repo: string; tag: string } {
  const tagged = taggedFamiliar(image) ?? image;
  const colon = tagged.lastIndexOf(':');
  let repo = tagged.slice(0, colon);
  const tag = tagged.slice(colon + 1);
  const first = repo.split('/')[0];
  const hasDomain = repo.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (!hasDomain) repo = repo.includes('/') ? `docker.io/${repo}` : `docker.io/library/${repo}`;
  return { repo, tag };
}

export async function pullImage(env: DockerEnv, image: string, quiet: boolean): Promise<void> {
  const { repo, tag } = normalizedRepoTag(image);
  const response = await env.client.request('POST', '/images/create', {
    query: { fromImage: repo, tag },
    headers: { 'X-Registry-Auth': 'e30=' },
  });
  if (response.status >= 400) throw await errorFrom(response);
  const write = quiet ? () => undefined : (text: string) => env.stderr(text);
  // docker draws this on stderr; its terminal state is not known apart from stdout's.
  await displayJsonMessageStream(response.stream(), write, { terminal: env.stdoutIsTerminal, columns: env.columns });
}

/** createContainer: create, and on "No such image" pull and create again. Returns the id. */
export async function createContainer(env: DockerEnv, body: ContainerConfigBody, options: CreateOptions): Promise<string> {
  validatePullOpt(options.pull.value);
  const image = String(body.config.Image);
  // createContainer's ParseAnyReference: a bad name fails here, not at the daemon
  if (!/^(sha256:)?[a-f0-9]{64}$/.test(image)) parseReference(image);
  const familiar = taggedFamiliar(image);
  const hostConfig = { ...body.hostConfig, ConsoleSize: env.stdoutIsTerminal ? [env.rows, env.columns ?? 80] : [0, 0] };
  const cidfile = String(body.hostConfig.ContainerIDFile ?? '');
  if (cidfile) {
    let exists = false;
    try {
      await env.readFile(cidfile);
      exists = true;
    } catch {
      exists = false;
    }
    if (exists) throw new Error(`container ID file found, make sure the other container isn't running or delete ${cidfile}`);
  }
  if (options.pull.value === 'always') await pullImage(env, image, options.quiet.value);
  const request = () =>
    env.client.request('POST', '/containers/create', {
      query: { name: options.name.value !== '' ? options.name.value : undefined, platform: options.platform.value !== '' ? options.platform.value : undefined },
      body: { ...body.config, HostConfig: hostConfig, NetworkingConfig: body.networkingConfig },
    });
  let response = await request();
  if (response.status === 404 && familiar !== undefined && options.pull.value === 'missing') {
    await response.bytes();
    if (!options.quiet.value) env.stderr(`Unable to find image '${familiar}' locally\n`);
    await pullImage(env, image, options.quiet.value);
    response = await request();
  }
  if (response.status >= 400) throw await errorFrom(response);
  const created = await response.json<CreateResponse>();
  const warnings = [...(created.Warnings ?? [])];
  for (const dns of (body.hostConfig.Dns as string[] | undefined) ?? []) {
    if (/^127\.|^::1$/.test(dns)) {
      warnings.push(`Localhost DNS (${dns}) may fail in containers.`);
      break;
    }
  }
  for (const warning of warnings) env.stderr(`WARNING: ${warning}\n`);
  if (cidfile) await env.writeFile(cidfile, new TextEncoder().encode(created.Id));
  return created.Id;
}

interface CreateCommandOptions {
  create: CreateOptions;
  container: ContainerOptions;
}

export function createCommand() {
  return defineCommand<CreateCommandOptions, DockerEnv>({
    use: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]',
    short: 'Create a new container',
    aliasesText: 'docker container create, docker create',
    args: requiresMinArgs(1),
    interspersed: false,
    flags: (flags) => {
      const create = addCreateFlags(flags, 'creating');
      const container = addContainerFlags(flags);
      return { create, container };
    },
    run: async ({ args, options, flags, env }) => {
      let body: ContainerConfigBody;
      try {
        validatePullOpt(options.create.pull.value);
        body = await parseContainerOptions(options.container, flags, args[0], args.slice(1), env);
      } catch (error) {
        throw withHelpStatus(error, 'create');
      }
      const id = await createContainer(env, body, options.create);
      env.stdout(`${id}\n`);
    },
  });
}

export function withHelpStatus(error: unknown, command: string): StatusError {
  const message = error instanceof Error ? error.message : String(error);
  return new StatusError(`docker: ${message}\n\nRun 'docker ${command} --help' for more information`, 125);
}
