// docker login / docker logout (cli/command/registry/login.go, logout.go). Credentials go to the
// client's config file (~/.docker/config.json), as docker stores them without a credential helper.

import type { DockerEnv } from '../../env';
import { defineCommand, requiresMaxArgs, type BoolValue, type CommandDefinition, type StringValue } from '../../flags';
import { checkResponse, configPath, encodeBasicAuth, indexServer, readAll, readConfig, readLine, writeConfig } from './common';
import type { AuthResponse } from '../../../api';

interface LoginOptions {
  username: StringValue;
  password: StringValue;
  passwordStdin: BoolValue;
}

function serverKey(server: string): string {
  if (server === '' || server === 'docker.io' || server === 'index.docker.io' || server === indexServer) return indexServer;
  return server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

export function loginCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<LoginOptions, DockerEnv>({
    use: 'login [OPTIONS] [SERVER]',
    short: 'Authenticate to a registry',
    long: 'Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.',
    categoryTop: 8,
    args: requiresMaxArgs(1),
    flags: (f) => {
      const password = f.string('password', 'p', '', 'Password or Personal Access Token (PAT)');
      const passwordStdin = f.bool('password-stdin', '', false, 'Take the Password or Personal Access Token (PAT) from stdin');
      const username = f.string('username', 'u', '', 'Username');
      return { username, password, passwordStdin };
    },
    run: async ({ args, options, flags, env }) => {
      if (flags.changed('password-stdin')) {
        if (flags.changed('password')) throw new Error('conflicting options: cannot specify both --password and --password-stdin');
        if (!flags.changed('username')) throw new Error('the --password-stdin option requires --username to be set');
      }
      if (flags.changed('username') && options.username.value === '') throw new Error('username is empty');
      if (flags.changed('password') && options.password.value === '') throw new Error('password is empty');
      let username = options.username.value;
      let password = options.password.value;
      if (password !== '') env.stderr('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
      if (options.passwordStdin.value) {
        password = new TextDecoder().decode(await readAll(env.stdin)).replace(/\n$/, '').replace(/\r$/, '');
      }
      const server = serverKey(args[0] ?? '');
      if (username === '' || password === '') {
        if (!env.stdinIsTerminal) throw new Error('Error: Cannot perform an interactive login from a non TTY device');
        if (server === indexServer) {
          env.stdout(
            "Log in with your Docker ID or email address to push and pull images from Docker Hub. If you don't have a Docker ID, head over to https://hub.docker.com/ to create one.\n" +
              'You can log in with your password or a Personal Access Token (PAT). Using a limited-scope PAT grants better security and is required for organizations using SSO. Learn more at https://docs.docker.com/go/access-tokens/\n\n',
          );
        }
        if (username === '') {
          env.stdout('Username: ');
          username = (await readLine(env)).trim();
          if (username === '') throw new Error('Error: Non-null Username Required');
        }
        if (password === '') {
          env.stdout('Password: ');
          env.setRawMode(true);
          try {
            password = await readLine(env);
          } finally {
            env.setRawMode(false);
          }
          env.stdout('\n');
          if (password === '') throw new Error('Error: Password Required');
        }
      }
      const response = await checkResponse(
        await env.client.request('POST', '/auth', { body: { username, password, serveraddress: server } }),
      );
      const result = await response.json<AuthResponse>();
      const config = await readConfig(env);
      config.auths = { ...(config.auths ?? {}), [server]: { auth: encodeBasicAuth(username, password) } };
      await writeConfig(env, config);
      env.stderr(
        `\nWARNING! Your credentials are stored unencrypted in '${configPath(env)}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`,
      );
      env.stdout(`${result.Status}\n`);
    },
  });
}

export function logoutCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<undefined, DockerEnv>({
    use: 'logout [SERVER]',
    short: 'Log out from a registry',
    long: 'Log out from a registry.\nIf no server is specified, the default is defined by the daemon.',
    categoryTop: 9,
    args: requiresMaxArgs(1),
    run: async ({ args, env }) => {
      const server = serverKey(args[0] ?? '');
      env.stdout(`Removing login credentials for ${server === indexServer ? indexServer : server}\n`);
      const config = await readConfig(env);
      if (config.auths && server in config.auths) {
        delete config.auths[server];
        await writeConfig(env, config);
      }
    },
  });
}
