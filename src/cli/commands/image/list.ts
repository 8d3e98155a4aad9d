// docker images / docker image ls (cli/command/image/list.go).

import type { DockerEnv } from '../../env';
import { defineCommand, requiresMaxArgs, type BoolValue, type CommandDefinition, type ListValue, type StringValue } from '../../flags';
import { checkResponse, filterFlag, filterPairs, filtersJson, formatHelp } from './common';
import { imageWrite, type ImageSummary } from './formatter';

interface ImagesOptions {
  quiet: BoolValue;
  all: BoolValue;
  noTrunc: BoolValue;
  digests: BoolValue;
  format: StringValue;
  filter: ListValue;
  tree: BoolValue;
}

const subcommandNames = ['build', 'history', 'import', 'inspect', 'list', 'load', 'ls', 'prune', 'pull', 'push', 'rm', 'save', 'tag'];

function imagesCommand(use: string, aliases: string[], calledAsImages: boolean): CommandDefinition<DockerEnv> {
  return defineCommand<ImagesOptions, DockerEnv>({
    use,
    aliases,
    short: 'List images',
    aliasesText: 'docker image ls, docker image list, docker images',
    categoryTop: calledAsImages ? 7 : undefined,
    args: requiresMaxArgs(1),
    flags: (f) => {
      const quiet = f.bool('quiet', 'q', false, 'Only show image IDs');
      const all = f.bool('all', 'a', false, 'Show all images (default hides intermediate images)');
      const noTrunc = f.bool('no-trunc', '', false, "Don't truncate output");
      const digests = f.bool('digests', '', false, 'Show digests');
      const format = f.string('format', '', '', formatHelp);
      const filter = filterFlag(f, 'f');
      const tree = f.bool('tree', '', false, 'List multi-platform images as a tree (EXPERIMENTAL)');
      f.setAnnotation('tree', 'version', ['1.47']);
      return { quiet, all, noTrunc, digests, format, filter, tree };
    },
    run: async ({ args, options, env }) => {
      const pairs = filterPairs(options.filter.value);
      const matchName = args[0] ?? '';
      if (matchName !== '') pairs.push(['reference', matchName]);
      if (options.tree.value) {
        if (options.quiet.value) throw new Error('--quiet is not yet supported with --tree');
        if (options.noTrunc.value) throw new Error('--no-trunc is not yet supported with --tree');
        if (options.digests.value) throw new Error('--show-digest is not yet supported with --tree');
        if (options.format.value !== '') throw new Error('--format is not yet supported with --tree');
      }
      const response = await checkResponse(
        await env.client.request('GET', '/images/json', {
          query: { all: options.all.value ? '1' : undefined, filters: filtersJson(pairs) },
        }),
      );
      const images = await response.json<ImageSummary[]>();
      const format = options.format.value === '' ? 'table' : options.format.value;
      env.stdout(
        imageWrite(
          { format, quiet: options.quiet.value, digest: options.digests.value, trunc: !options.noTrunc.value, nowMs: env.now().getTime() },
          images,
        ),
      );
      if (matchName !== '' && images.length === 0 && calledAsImages && subcommandNames.includes(matchName)) {
        env.stderr(`\nNo images found matching "${matchName}": did you mean "docker image ${matchName}"?\n`);
      }
    },
  });
}

export const imagesTopCommand = (): CommandDefinition<DockerEnv> => imagesCommand('images [OPTIONS] [REPOSITORY[:TAG]]', [], true);
export const imageListCommand = (): CommandDefinition<DockerEnv> => imagesCommand('ls [OPTIONS] [REPOSITORY[:TAG]]', ['list'], false);
