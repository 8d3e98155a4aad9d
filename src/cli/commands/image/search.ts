// docker search (cli/command/registry/search.go).

import type { DockerEnv } from '../../env';
import { defineCommand, exactArgs, type BoolValue, type CommandDefinition, type IntValue, type ListValue, type StringValue } from '../../flags';
import { checkResponse, filterFlag, filterPairs, filtersJson } from './common';
import { searchWrite, type SearchResult } from './formatter';

export function searchCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ noTrunc: BoolValue; filter: ListValue; limit: IntValue; format: StringValue }, DockerEnv>({
    use: 'search [OPTIONS] TERM',
    short: 'Search Docker Hub for images',
    categoryTop: 10,
    args: exactArgs(1),
    flags: (f) => {
      const noTrunc = f.bool('no-trunc', '', false, "Don't truncate output");
      const filter = filterFlag(f, 'f');
      const limit = f.int('limit', '', 0, 'Max number of search results');
      const format = f.string('format', '', '', 'Pretty-print search using a Go template');
      return { noTrunc, filter, limit, format };
    },
    run: async ({ args, options, env }) => {
      const pairs = filterPairs(options.filter.value);
      if (pairs.some(([name]) => name === 'is-automated')) {
        env.stderr('WARNING: the "is-automated" filter is deprecated, and searching for "is-automated=true" will not yield any results in future.\n');
      }
      const response = await checkResponse(
        await env.client.request('GET', '/images/search', {
          query: { term: args[0], limit: options.limit.value > 0 ? String(options.limit.value) : undefined, filters: filtersJson(pairs) },
          headers: { 'X-Registry-Auth': 'e30=' },
        }),
      );
      env.stdout(searchWrite({ format: options.format.value, trunc: !options.noTrunc.value }, await response.json<SearchResult[]>()));
    },
  });
}
