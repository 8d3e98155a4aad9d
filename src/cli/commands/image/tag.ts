// docker tag (cli/command/image/tag.go).

import type { DockerEnv } from '../../env';
import { defineCommand, exactArgs, type CommandDefinition } from '../../flags';
import { checkResponse, parseReference } from './common';
import { goQuote } from '../../../go/strconv';

export function tagCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<undefined, DockerEnv>({
    use: 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
    short: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
    aliasesText: 'docker image tag, docker tag',
    args: exactArgs(2),
    interspersed: false,
    run: async ({ args, env }) => {
      const [source, target] = args;
      // the API client's ImageTag checks both names first (ParseAnyReference for the source: an id is fine)
      const parse = (name: string) => {
        try {
          return parseReference(name);
        } catch (error) {
          throw new Error(`Error parsing reference: ${goQuote(name)} is not a valid repository/tag: ${(error as Error).message}`);
        }
      };
      if (!/^(sha256:)?[a-f0-9]{64}$/.test(source)) parse(source);
      const reference = parse(target);
      if (reference.digest !== undefined) throw new Error('refusing to create a tag with a digest reference');
      await checkResponse(
        await env.client.request('POST', `/images/${encodeURIComponent(source)}/tag`, {
          query: { repo: `${reference.domain}/${reference.path}`, tag: reference.tag ?? 'latest' },
        }),
      );
    },
  });
}
