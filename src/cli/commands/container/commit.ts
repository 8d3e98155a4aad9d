// docker commit (docker/cli container/commit.go).

import { defineCommand, requiresRangeArgs, type BoolValue, type ListValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { callJson } from './util';
import { parseReference } from '../image/common';
import type { IdResponse } from '../../../api';

export function commitCommand() {
  return defineCommand<{ pause: BoolValue; comment: StringValue; author: StringValue; changes: ListValue }, DockerEnv>({
    use: 'commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
    short: "Create a new image from a container's changes",
    aliasesText: 'docker container commit, docker commit',
    args: requiresRangeArgs(1, 2),
    interspersed: false,
    flags: (flags) => {
      const pause = flags.bool('pause', 'p', true, 'Pause container during commit');
      const comment = flags.string('message', 'm', '', 'Commit message');
      const author = flags.string('author', 'a', '', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")');
      const changes = flags.list('change', 'c', 'Apply Dockerfile instruction to the created image');
      return { pause, comment, author, changes };
    },
    run: async ({ args, options, env }) => {
      let repo = '';
      let tag = '';
      if (args[1]) {
        // the API client's ContainerCommit: ParseNormalizedNamed, no digest, the tag defaults to latest
        const reference = parseReference(args[1]);
        if (reference.digest !== undefined) throw new Error('refusing to create a tag with a digest reference');
        repo = `${reference.domain}/${reference.path}`;
        tag = reference.tag ?? 'latest';
      }
      const result = await callJson<IdResponse>(env, 'POST', '/commit', {
        query: {
          author: options.author.value,
          changes: options.changes.value.length > 0 ? options.changes.value : undefined,
          comment: options.comment.value,
          container: args[0],
          pause: options.pause.value ? undefined : '0',
          repo,
          tag,
        },
      });
      env.stdout(`${result.Id}\n`);
    },
  });
}
