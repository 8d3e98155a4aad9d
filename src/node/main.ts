// The `dockside` command line (bin/dockside.mjs). Subcommands: sh, serve, docker.

import { parseShArgs, runSh } from './sh';
import { parseServeArgs, runServe } from './serve';
import { runDockerCommand } from './docker';

const usage = `Usage: dockside COMMAND

Commands:
  sh [-c CMD] [--cold] [--state FILE]   a shell on the Dockside guest (interactive on a TTY; runs stdin as a
                         script otherwise); --state resumes the machine saved in FILE and saves it there at the end
  serve [--host H] [--port P] [--unix PATH]   the Docker Engine API over HTTP on loopback (DOCKER_HOST)
  docker ARGS...         Dockside's docker CLI against DOCKER_HOST (default unix:///var/run/docker.sock)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'sh') {
    const options = parseShArgs(rest);
    if (typeof options === 'string') {
      process.stderr.write(`${options}\n`);
      return 2;
    }
    return runSh(options);
  }
  if (command === 'serve') {
    const options = parseServeArgs(rest);
    if (typeof options === 'string') {
      process.stderr.write(`${options}\n`);
      return 2;
    }
    return runServe(options);
  }
  if (command === 'docker') return runDockerCommand(rest);
  if (command === undefined || command === '--help' || command === '-h') {
    process.stdout.write(usage);
    return command === undefined ? 2 : 0;
  }
  process.stderr.write(`dockside: unknown command: ${command}\n${usage}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error: unknown) => {
    process.stderr.write(`dockside: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
