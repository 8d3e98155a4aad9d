// docker push (cli/command/image/push.go).

import type { DockerEnv } from '../../env';
import { defineCommand, exactArgs, type CommandDefinition } from '../../flags';
import { checkResponse, displayJsonMessages, registryAuthHeader, parseReference } from './common';

export function pushCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ all: { value: boolean }; quiet: { value: boolean } }, DockerEnv>({
    use: 'push [OPTIONS] NAME[:TAG]',
    short: 'Upload an image to a registry',
    aliasesText: 'docker image push, docker push',
    categoryTop: 6,
    args: exactArgs(1),
    flags: (f) => {
      const all = f.bool('all-tags', 'a', false, 'Push all tags of an image to the repository');
      f.bool('disable-content-trust', '', true, 'Skip image signing');
      f.string(
        'platform',
        '',
        '',
        "Push a platform-specific manifest as a single-platform image to the registry.\nImage index won't be pushed, meaning that other manifests, including attestations won't be preserved.\n'os[/arch[/variant]]': Explicit platform (eg. linux/amd64)",
      );
      const quiet = f.bool('quiet', 'q', false, 'Suppress verbose output');
      return { all, quiet };
    },
    run: async ({ args, options, env }) => {
      const reference = parseReference(args[0]);
      const nameOnly = reference.tag === undefined && reference.digest === undefined;
      if (options.all.value && !nameOnly) throw new Error("tag can't be used with --all-tags/-a");
      if (!options.all.value && nameOnly) {
        reference.tag = 'latest';
        if (!options.quiet.value) env.stdout('Using default tag: latest\n');
      }
      const response = await checkResponse(
        await env.client.request('POST', `/images/${encodeURIComponent(`${reference.domain}/${reference.path}`)}/push`, {
          query: { tag: reference.tag ?? '' },
          headers: { 'X-Registry-Auth': await registryAuthHeader(env, reference.domain) },
        }),
      );
      await displayJsonMessages(response.stream(), options.quiet.value ? () => {} : (text) => env.stdout(text), {
        terminal: env.stdoutIsTerminal,
        columns: env.columns,
      });
      if (options.quiet.value) {
        let text = `${reference.domain}/${reference.path}`;
        if (reference.tag) text += `:${reference.tag}`;
        env.stdout(`${text}\n`);
      }
    },
  });
}
