// docker pull (cli/command/image/pull.go).

import type { DockerEnv } from '../../env';
import { defineCommand, exactArgs, type CommandDefinition } from '../../flags';
import { checkResponse, displayJsonMessages, registryAuthHeader, parseReference } from './common';

export interface PullOptions {
  all: { value: boolean };
  quiet: { value: boolean };
  platform: { value: string };
}

function referenceString(reference: { domain: string; path: string; tag?: string; digest?: string }): string {
  let text = `${reference.domain}/${reference.path}`;
  if (reference.tag !== undefined) text += `:${reference.tag}`;
  if (reference.digest !== undefined) text += `@${reference.digest}`;
  return text;
}

/** Pulls an image, writing docker's progress to `write` (used by run and create too). */
export async function pullImage(env: DockerEnv, remote: string, options: { all?: boolean; quiet?: boolean; write?: (text: string) => void; terminal?: boolean }): Promise<string> {
  const reference = parseReference(remote);
  const nameOnly = reference.tag === undefined && reference.digest === undefined;
  if (options.all && !nameOnly) throw new Error("tag can't be used with --all-tags/-a");
  const write = options.write ?? ((text: string) => env.stdout(text));
  if (!options.all && nameOnly) {
    reference.tag = 'latest';
    if (!options.quiet) write('Using default tag: latest\n');
  }
  const tag = reference.digest ?? (options.all ? '' : (reference.tag ?? ''));
  const response = await checkResponse(
    await env.client.request('POST', '/images/create', {
      query: { fromImage: `${reference.domain}/${reference.path}`, tag },
      headers: { 'X-Registry-Auth': await registryAuthHeader(env, reference.domain) },
    }),
  );
  await displayJsonMessages(response.stream(), options.quiet ? () => {} : write, {
    terminal: options.terminal ?? env.stdoutIsTerminal,
    columns: env.columns,
  });
  return referenceString(reference);
}

export function pullCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<PullOptions, DockerEnv>({
    use: 'pull [OPTIONS] NAME[:TAG|@DIGEST]',
    short: 'Download an image from a registry',
    aliasesText: 'docker image pull, docker pull',
    categoryTop: 5,
    args: exactArgs(1),
    flags: (f) => {
      const all = f.bool('all-tags', 'a', false, 'Download all tagged images in the repository');
      f.bool('disable-content-trust', '', true, 'Skip image verification');
      const platform = f.string('platform', '', '', 'Set platform if server is multi-platform capable');
      f.setAnnotation('platform', 'version', ['1.32']);
      const quiet = f.bool('quiet', 'q', false, 'Suppress verbose output');
      return { all, quiet, platform };
    },
    run: async ({ args, options, env }) => {
      const reference = await pullImage(env, args[0], { all: options.all.value, quiet: options.quiet.value });
      env.stdout(`${reference}\n`);
    },
  });
}
