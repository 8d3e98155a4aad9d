// docker tag (cli/command/image/tag.go).

import type { DockerEnv } from '../../env';
import { defineCommand, exactArgs, type CommandDefinition } from '../../flags';
import { checkResponse, parseReference } from './common';

export function tagCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<undefined, DockerEnv>({
    use: 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
    short: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
    aliasesText: 'docker image tag, docker tag',
    args: exactArgs(2),
    interspersed: false,
    run: async ({ args, env }) => {
      const [source, target] = args;
      const reference = parseReference(target);
      if (reference.digest !== undefined) throw new Error('refusing to create a tag with a digest reference');
      await checkResponse(
        await env.client.request('POST', `/images/${encodeURIComponent(source)}/tag`, {
          query: { repo: `${reference.domain}/${reference.path}`, tag: reference.tag ?? 'latest' },
        }),
      );
    },
  });
}
