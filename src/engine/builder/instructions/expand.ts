// Variable expansion of a parsed instruction, as buildkit's Expand methods do it at dispatch: each
// word is expanded on its own with the environment of that step, so within one instruction every
// variable has the value it had before it (`ENV abc=bye def=$abc` gives def the old abc).

import type { Command, KeyValuePair, SourcesAndDest } from './commands';

/** Expands one word (typically `word => lex.processWord(word, env)`). */
export type WordExpander = (word: string) => string;

function expandPairs(pairs: readonly KeyValuePair[], expand: WordExpander): KeyValuePair[] {
  return pairs.map((pair) => ({ key: expand(pair.key), value: expand(pair.value), noDelim: pair.noDelim }));
}

function expandSources<T extends SourcesAndDest>(command: T, expand: WordExpander): T {
  return { ...command, sourcePaths: command.sourcePaths.map(expand), destPath: expand(command.destPath) };
}

/**
 * A copy of `command` with the fields buildkit expands (SupportsSingleWordExpansion): ENV and
 * LABEL keys and values, ADD/COPY sources, destination, --chown, --chmod (ADD: --checksum),
 * WORKDIR, USER, VOLUME, STOPSIGNAL, ARG names and defaults. Other instructions come back as they
 * are: RUN, CMD and ENTRYPOINT are left to the shell; EXPOSE splits words (processWords) and FROM
 * expands with the meta args only, both in the dispatcher. Heredoc bodies (ExpandRaw) are not
 * expanded here: the legacy builder does not.
 */
export function expandCommand(command: Command, expand: WordExpander): Command {
  switch (command.kind) {
    case 'env':
      return { ...command, env: expandPairs(command.env, expand) };
    case 'label':
      return command.noExpand ? command : { ...command, labels: expandPairs(command.labels, expand) };
    case 'add':
      return expandSources({ ...command, chown: expand(command.chown), chmod: expand(command.chmod), checksum: expand(command.checksum) }, expand);
    case 'copy':
      return expandSources({ ...command, chown: expand(command.chown), chmod: expand(command.chmod) }, expand);
    case 'workdir':
      return { ...command, path: expand(command.path) };
    case 'user':
      return { ...command, user: expand(command.user) };
    case 'volume':
      return { ...command, volumes: command.volumes.map(expand) };
    case 'stopsignal':
      return { ...command, signal: expand(command.signal) };
    case 'arg':
      return {
        ...command,
        args: command.args.map((arg) => ({ ...arg, key: expand(arg.key), ...(arg.value === undefined ? {} : { value: expand(arg.value) }) })),
      };
    default:
      return command;
  }
}
