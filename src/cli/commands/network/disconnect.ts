// docker network disconnect (cli/command/network/disconnect.go).

import type { DockerEnv } from '../../env';
import { defineCommand, exactArgs, type BoolValue, type CommandDefinition } from '../../flags';
import { checkResponse } from '../image/common';

export function networkDisconnectCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ force: BoolValue }, DockerEnv>({
    use: 'disconnect [OPTIONS] NETWORK CONTAINER',
    short: 'Disconnect a container from a network',
    args: exactArgs(2),
    flags: (f) => ({ force: f.bool('force', 'f', false, 'Force the container to disconnect from a network') }),
    run: async ({ args, options, env }) => {
      const [network, container] = args;
      await checkResponse(
        await env.client.request('POST', `/networks/${encodeURIComponent(network)}/disconnect`, { body: { Container: container, Force: options.force.value } }),
      );
    },
  });
}
