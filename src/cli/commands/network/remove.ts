// docker network rm (cli/command/network/remove.go): each network is looked up (an ingress network
// asks for confirmation), then removed; its name is printed, or the daemon's error on stderr.

import type { DockerEnv } from '../../env';
import { StatusError, defineCommand, requiresMinArgs, type BoolValue, type CommandDefinition } from '../../flags';
import { checkResponse, confirm, isNotFound } from '../image/common';
import type { NetworkInspect } from '../../../api';

const ingressWarning =
  'WARNING! Before removing the routing-mesh network, make sure all the nodes in your swarm run the same docker engine version. ' +
  'Otherwise, removal may not be effective and functionality of newly create ingress networks will be impaired.\nAre you sure you want to continue?';

export function networkRemoveCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ force: BoolValue }, DockerEnv>({
    use: 'rm NETWORK [NETWORK...]',
    aliases: ['remove'],
    aliasesText: 'docker network rm, docker network remove',
    short: 'Remove one or more networks',
    args: requiresMinArgs(1),
    flags: (f) => ({ force: f.bool('force', 'f', false, 'Do not error if the network does not exist') }),
    run: async ({ args, options, env }) => {
      let status = 0;
      for (const name of args) {
        const path = `/networks/${encodeURIComponent(name)}`;
        const found = await env.client.request('GET', path);
        if (found.status < 400) {
          const network = await found.json<Partial<NetworkInspect>>();
          if (network.Ingress && !(await confirm(env, ingressWarning))) continue;
        } else {
          await found.bytes();
        }
        try {
          await checkResponse(await env.client.request('DELETE', path));
        } catch (error) {
          if (options.force.value && isNotFound(error)) continue;
          env.stderr(`${(error as Error).message}\n`);
          status = 1;
          continue;
        }
        env.stdout(`${name}\n`);
      }
      if (status !== 0) throw new StatusError(`exit status ${status}`, status);
    },
  });
}
