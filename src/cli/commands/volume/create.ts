// docker volume create (cli/command/volume/create.go).

import type { DockerEnv } from '../../env';
import { defineCommand, requiresMaxArgs, type CommandDefinition, type FlagSet, type ListValue, type MapValue, type StringValue } from '../../flags';
import { validateLabel } from '../../opts';
import { checkResponse } from '../image/common';
import type { Volume } from '../../../api';

/** The swarm-only flags: docker hides them when the daemon is not a swarm manager. */
function clusterFlags(f: FlagSet): void {
  const hide = (name: string) => {
    f.setAnnotation(name, 'version', ['1.42']);
    f.setAnnotation(name, 'swarm', ['manager']);
    f.markHidden(name);
  };
  f.string('group', '', '', 'Cluster Volume group (cluster volumes)');
  hide('group');
  f.string('scope', '', 'single', 'Cluster Volume access scope ("single", "multi")');
  hide('scope');
  f.string('sharing', '', 'none', 'Cluster Volume access sharing ("none", "readonly", "onewriter", "all")');
  hide('sharing');
  f.string('availability', '', 'active', 'Cluster Volume availability ("active", "pause", "drain")');
  hide('availability');
  f.string('type', '', 'block', 'Cluster Volume access type ("mount", "block")');
  hide('type');
  f.map('secret', '', 'Cluster Volume secrets');
  hide('secret');
  f.bytes('limit-bytes', '', 0, 'Minimum size of the Cluster Volume in bytes');
  hide('limit-bytes');
  f.bytes('required-bytes', '', 0, 'Maximum size of the Cluster Volume in bytes');
  hide('required-bytes');
  f.list('topology-required', '', 'A topology that the Cluster Volume must be accessible from');
  hide('topology-required');
  f.list('topology-preferred', '', 'A topology that the Cluster Volume would be preferred in');
  hide('topology-preferred');
}

const CLUSTER_FLAGS = ['group', 'scope', 'sharing', 'availability', 'type', 'secrets', 'limit-bytes', 'required-bytes'];

export function volumeCreateCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ driver: StringValue; name: StringValue; opt: MapValue; label: ListValue }, DockerEnv>({
    use: 'create [OPTIONS] [VOLUME]',
    short: 'Create a volume',
    args: requiresMaxArgs(1),
    flags: (f) => {
      const driver = f.string('driver', 'd', 'local', 'Specify volume driver name');
      const name = f.string('name', '', '', 'Specify volume name');
      f.markHidden('name');
      const opt = f.map('opt', 'o', 'Set driver specific options');
      const label = f.list('label', '', 'Set metadata for a volume', validateLabel);
      clusterFlags(f);
      return { driver, name, opt, label };
    },
    run: async ({ args, options, flags, env }) => {
      let name = options.name.value;
      if (args.length === 1) {
        if (name !== '') throw new Error('conflicting options: cannot specify a volume-name through both --name and as a positional arg');
        name = args[0];
      }
      if (CLUSTER_FLAGS.some((flag) => flags.lookup(flag) !== undefined && flags.changed(flag))) {
        throw new Error('Error response from daemon: cluster volumes are not available in Dockside (there is no swarm)');
      }
      const labels: Record<string, string> = {};
      for (const label of options.label.value) {
        const equals = label.indexOf('=');
        if (equals === -1) labels[label] = '';
        else labels[label.slice(0, equals)] = label.slice(equals + 1);
      }
      const response = await checkResponse(
        await env.client.request('POST', '/volumes/create', {
          body: { Driver: options.driver.value, DriverOpts: Object.fromEntries(options.opt.value), Labels: labels, Name: name },
        }),
      );
      const volume = await response.json<Volume>();
      env.stdout(`${volume.Name}\n`);
    },
  });
}
