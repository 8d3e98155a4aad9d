// The flag parser and command tree against texts recorded from the real docker 28.2.2 client
// (help layouts, flag errors, argument errors, exit codes).

import { describe, expect, it } from 'vitest';
import {
  addHelpFlag,
  defineCommand,
  execute,
  exactArgs,
  FlagError,
  FlagSet,
  formatDuration,
  noArgs,
  parseDuration,
  requiresMinArgs,
  requiresRangeArgs,
  type CliStreams,
  type CommandDefinition,
} from '../../src/cli/flags';

interface Captured extends CliStreams {
  out: string;
  err: string;
  seen: { command?: string; args?: readonly string[]; options?: unknown };
}

function streams(): Captured {
  const captured: Captured = {
    out: '',
    err: '',
    seen: {},
    stdout: (text) => {
      captured.out += text;
    },
    stderr: (text) => {
      captured.err += text;
    },
  };
  return captured;
}

const formatHelp = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`;

// Command definitions shaped like docker's (the real ones will live in src/cli/commands).
const ps = defineCommand<Record<string, unknown>, Captured>({
  use: 'ps [OPTIONS]',
  aliases: ['list', 'ps'],
  short: 'List containers',
  aliasesText: 'docker container ls, docker container list, docker container ps, docker ps',
  args: noArgs,
  flags: (f) => ({
    quiet: f.bool('quiet', 'q', false, 'Only display container IDs'),
    size: f.bool('size', 's', false, 'Display total file sizes'),
    all: f.bool('all', 'a', false, 'Show all containers (default shows just running)'),
    noTrunc: f.bool('no-trunc', '', false, "Don't truncate output"),
    latest: f.bool('latest', 'l', false, 'Show the latest created container (includes all states)'),
    last: f.int('last', 'n', -1, 'Show n last created containers (includes all states)'),
    format: f.string('format', '', '', formatHelp),
    filter: f.custom<string[]>('filter', 'f', 'filter', [], 'Filter output based on conditions provided', (raw, current) => {
      if (!raw.includes('=')) throw new Error('bad format of filter (expected name=value)');
      return [...current, raw];
    }),
  }),
  run: ({ env, args, options, command }) => {
    env.seen = { command: command.path, args, options };
  },
});
const ls = defineCommand<unknown, Captured>({ ...ps.spec, use: 'ls [OPTIONS]' });

const rm = defineCommand<Record<string, unknown>, Captured>({
  use: 'rm [OPTIONS] CONTAINER [CONTAINER...]',
  aliases: ['remove'],
  short: 'Remove one or more containers',
  aliasesText: 'docker container rm, docker container remove, docker rm',
  args: requiresMinArgs(1),
  flags: (f) => ({
    volumes: f.bool('volumes', 'v', false, 'Remove anonymous volumes associated with the container'),
    link: f.bool('link', 'l', false, 'Remove the specified link'),
    force: f.bool('force', 'f', false, 'Force the removal of a running container (uses SIGKILL)'),
  }),
  run: ({ env, args, options, command }) => {
    env.seen = { command: command.path, args, options };
  },
});

const run = defineCommand<Record<string, unknown>, Captured>({
  use: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create and run a new container from an image',
  aliasesText: 'docker container run, docker run',
  categoryTop: 1,
  args: requiresMinArgs(1),
  interspersed: false,
  flags: (f) => ({
    detach: f.bool('detach', 'd', false, 'Run container in background and print container ID'),
    interactive: f.bool('interactive', 'i', false, 'Keep STDIN open even if not attached'),
    tty: f.bool('tty', 't', false, 'Allocate a pseudo-TTY'),
    rm: f.bool('rm', '', false, 'Automatically remove the container and its associated anonymous volumes when it exits'),
    name: f.string('name', '', '', 'Assign a name to the container'),
    hostname: f.string('hostname', 'h', '', 'Container host name'),
    env: f.list('env', 'e', 'Set environment variables'),
    publish: f.list('publish', 'p', "Publish a container's port(s) to the host"),
    label: f.list('label', 'l', 'Set meta data on a container'),
    memory: f.bytes('memory', 'm', 0, 'Memory limit'),
    stopTimeout: f.int('stop-timeout', '', 0, 'Timeout (in seconds) to stop a container'),
    healthInterval: f.duration('health-interval', '', 0n, 'Time between running the check (ms|s|m|h) (default 0s)'),
    blkioWeight: f.uint16('blkio-weight', '', 0, 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)'),
    sysctl: f.map('sysctl', '', 'Sysctl options'),
    dns: f.stringSlice('dns-search', '', [], 'Set custom DNS search domains'),
  }),
  run: ({ env, args, options, command }) => {
    env.seen = { command: command.path, args, options };
  },
});

const port = defineCommand<undefined, Captured>({
  use: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
  short: 'List port mappings or a specific mapping for the container',
  args: requiresRangeArgs(1, 2),
  run: () => undefined,
});
const rename = defineCommand<undefined, Captured>({ use: 'rename CONTAINER NEW_NAME', short: 'Rename a container', args: exactArgs(2), run: () => undefined });

const container = defineCommand<undefined, Captured>({
  use: 'container',
  short: 'Manage containers',
  subcommands: [ls, rm, run],
});
const images = defineCommand<undefined, Captured>({ use: 'images [OPTIONS] [REPOSITORY[:TAG]]', short: 'List images', categoryTop: 7, run: () => undefined });

const docker: CommandDefinition<Captured> = defineCommand<undefined, Captured>({
  use: 'docker [OPTIONS] COMMAND [ARG...]',
  short: 'A self-sufficient runtime for containers',
  version: 'Docker version 28.2.2, build e6534b4\n',
  persistentFlags: addHelpFlag,
  flags: (f) => {
    f.string('config', '', '/root/.docker', 'Location of client config files');
    f.string('context', 'c', '', 'Name of the context to use to connect to the daemon (overrides DOCKER_HOST env var and default context set with "docker context use")');
    f.bool('debug', 'D', false, 'Enable debug mode');
    f.list('host', 'H', 'Daemon socket to connect to');
    f.string('log-level', 'l', 'info', 'Set the logging level ("debug", "info", "warn", "error", "fatal")');
    f.bool('tls', '', false, 'Use TLS; implied by --tlsverify');
    f.string('tlscacert', '', '/root/.docker/ca.pem', 'Trust certs signed only by this CA');
    f.string('tlscert', '', '/root/.docker/cert.pem', 'Path to TLS certificate file');
    f.string('tlskey', '', '/root/.docker/key.pem', 'Path to TLS key file');
    f.bool('tlsverify', '', false, 'Use TLS and verify the remote');
    f.bool('version', 'v', false, 'Print version information and quit');
    return undefined;
  },
  subcommands: [container, run, ps, images, port, rename, rm],
});

async function docker_(...argv: string[]): Promise<{ code: number; out: string; err: string; seen: Captured['seen'] }> {
  const io = streams();
  const code = await execute(docker, argv, io);
  return { code, out: io.out, err: io.err, seen: io.seen };
}

function valueOf(options: unknown, key: string): unknown {
  return ((options as Record<string, { value: unknown }>)[key]).value;
}

describe('help output', () => {
  it('docker ps --help matches docker 28.2.2 byte for byte', async () => {
    const result = await docker_('ps', '--help');
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      "Usage:  docker ps [OPTIONS]\n\nList containers\n\nAliases:\n  docker container ls, docker container list, docker container ps, docker ps\n\nOptions:\n  -a, --all             Show all containers (default shows just running)\n  -f, --filter filter   Filter output based on conditions provided\n      --format string   Format output using a custom template:\n                        'table':            Print output in table format\n                        with column headers (default)\n                        'table TEMPLATE':   Print output in table format\n                        using the given Go template\n                        'json':             Print in JSON format\n                        'TEMPLATE':         Print output using the given\n                        Go template.\n                        Refer to https://docs.docker.com/go/formatting/\n                        for more information about formatting output with\n                        templates\n  -n, --last int        Show n last created containers (includes all\n                        states) (default -1)\n  -l, --latest          Show the latest created container (includes all\n                        states)\n      --no-trunc        Don't truncate output\n  -q, --quiet           Only display container IDs\n  -s, --size            Display total file sizes\n",
    );
  });

  it('docker rm --help matches', async () => {
    const result = await docker_('rm', '--help');
    expect(result.out).toBe(
      'Usage:  docker rm [OPTIONS] CONTAINER [CONTAINER...]\n\nRemove one or more containers\n\nAliases:\n  docker container rm, docker container remove, docker rm\n\nOptions:\n  -f, --force     Force the removal of a running container (uses SIGKILL)\n  -l, --link      Remove the specified link\n  -v, --volumes   Remove anonymous volumes associated with the container\n',
    );
  });

  it('ps -h prints the deprecation notice then help on stdout', async () => {
    const result = await docker_('ps', '-h');
    expect(result.out.startsWith('Flag shorthand -h has been deprecated, use --help\nUsage:  docker ps [OPTIONS]\n')).toBe(true);
    expect(result.err).toBe('');
  });

  it('run keeps -h for --hostname and still answers --help', async () => {
    const hostname = await docker_('run', '-h', 'box', 'busybox');
    expect(valueOf(hostname.seen.options, 'hostname')).toBe('box');
    const help = await docker_('run', '--help');
    expect(help.out).toContain('  -h, --hostname string');
    expect(help.out).toContain('      --blkio-weight uint16');
    expect(help.out).toContain('(default 0)');
    expect(help.out).toContain('      --sysctl map                 Sysctl options (default map[])');
    expect(help.out).toContain('      --dns-search strings');
    expect(help.out).not.toContain('--help');
  });

  it('a management command without arguments prints its help on stderr and exits 0', async () => {
    const result = await docker_('container');
    expect(result.code).toBe(0);
    expect(result.out).toBe('');
    expect(result.err).toBe(
      "Usage:  docker container COMMAND\n\nManage containers\n\nCommands:\n  ls          List containers\n  rm          Remove one or more containers\n  run         Create and run a new container from an image\n\nRun 'docker container COMMAND --help' for more information on a command.\n",
    );
  });

  it('the root help groups common, management and other commands and lists global options', async () => {
    const result = await docker_('--help');
    expect(result.code).toBe(0);
    expect(result.out).toBe(
      `Usage:  docker [OPTIONS] COMMAND

A self-sufficient runtime for containers

Common Commands:
  run         Create and run a new container from an image
  images      List images

Management Commands:
  container   Manage containers

Commands:
  ps          List containers
  port        List port mappings or a specific mapping for the container
  rename      Rename a container
  rm          Remove one or more containers

Global Options:
      --config string      Location of client config files (default
                           "/root/.docker")
  -c, --context string     Name of the context to use to connect to the
                           daemon (overrides DOCKER_HOST env var and
                           default context set with "docker context use")
  -D, --debug              Enable debug mode
  -H, --host list          Daemon socket to connect to
  -l, --log-level string   Set the logging level ("debug", "info",
                           "warn", "error", "fatal") (default "info")
      --tls                Use TLS; implied by --tlsverify
      --tlscacert string   Trust certs signed only by this CA (default
                           "/root/.docker/ca.pem")
      --tlscert string     Path to TLS certificate file (default
                           "/root/.docker/cert.pem")
      --tlskey string      Path to TLS key file (default
                           "/root/.docker/key.pem")
      --tlsverify          Use TLS and verify the remote
  -v, --version            Print version information and quit

Run 'docker COMMAND --help' for more information on a command.

For more help on how to use Docker, head to https://docs.docker.com/go/guides/
`,
    );
  });

  it('docker without arguments prints the root help on stderr', async () => {
    const result = await docker_();
    expect(result.code).toBe(0);
    expect(result.err.startsWith('Usage:  docker [OPTIONS] COMMAND\n')).toBe(true);
  });

  it('docker help ps and unknown help topics', async () => {
    expect((await docker_('help', 'ps')).out.startsWith('Usage:  docker ps [OPTIONS]\n')).toBe(true);
    const unknown = await docker_('help', 'foo');
    expect(unknown).toMatchObject({ code: 1, err: 'unknown help topic: foo\n' });
  });

  it('-v prints the version', async () => {
    expect(await docker_('-v')).toMatchObject({ code: 0, out: 'Docker version 28.2.2, build e6534b4\n' });
  });

  it('wraps at the terminal width', async () => {
    const io = streams();
    io.columns = 120;
    await execute(docker, ['ps', '--help'], io);
    expect(io.out).toContain("      --format string   Format output using a custom template:\n                        'table':            Print output in table format with column headers (default)\n");
  });
});

describe('errors and exit codes', () => {
  const cases: [string[], number, string][] = [
    [['foo'], 1, "docker: unknown command: docker foo\n\nRun 'docker --help' for more information\n"],
    [['container', 'foo'], 1, "docker: unknown command: docker container foo\n\nUsage:  docker container\n\nRun 'docker container --help' for more information\n"],
    [['rm'], 1, "docker: 'docker rm' requires at least 1 argument\n\nUsage:  docker rm [OPTIONS] CONTAINER [CONTAINER...]\n\nSee 'docker rm --help' for more information\n"],
    [['rm', '--'], 1, "docker: 'docker rm' requires at least 1 argument\n\nUsage:  docker rm [OPTIONS] CONTAINER [CONTAINER...]\n\nSee 'docker rm --help' for more information\n"],
    [['run', '-dit'], 1, "docker: 'docker run' requires at least 1 argument\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'docker run --help' for more information\n"],
    [['run', '--bogus'], 125, "unknown flag: --bogus\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n"],
    [['--bogus', 'ps'], 125, "unknown flag: --bogus\n\nUsage:  docker [OPTIONS] COMMAND [ARG...]\n\nRun 'docker --help' for more information\n"],
    [['ps', '-z'], 125, "unknown shorthand flag: 'z' in -z\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
    [['ps', '-D'], 125, "unknown shorthand flag: 'D' in -D\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
    [['run', '-m', 'abc', 'busybox'], 125, "invalid argument \"abc\" for \"-m, --memory\" flag: invalid size: 'abc'\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n"],
    [['ps', '-n', 'abc'], 125, "invalid argument \"abc\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
    [['rm', '--force=maybe', 'x'], 125, "invalid argument \"maybe\" for \"-f, --force\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax\n\nUsage:  docker rm [OPTIONS] CONTAINER [CONTAINER...]\n\nRun 'docker rm --help' for more information\n"],
    [['ps', '--last'], 125, "flag needs an argument: --last\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
    [['ps', '-n'], 125, "flag needs an argument: 'n' in -n\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
    [['ps', '---x'], 125, "bad flag syntax: ---x\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
    [['ps', '--=x'], 125, "bad flag syntax: --=x\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
    [['ps', '--filter'], 125, "flag needs an argument: --filter\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
    [['ps', '-an', '3', 'extra'], 1, "docker: 'docker ps' accepts no arguments\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
    [['container', 'ls', '-q', 'extra'], 1, "docker: 'docker container ls' accepts no arguments\n\nUsage:  docker container ls [OPTIONS]\n\nRun 'docker container ls --help' for more information\n"],
    [['port'], 1, "docker: 'docker port' requires at least 1 and at most 2 arguments\n\nUsage:  docker port CONTAINER [PRIVATE_PORT[/PROTO]]\n\nRun 'docker port --help' for more information\n"],
    [['rename', 'a'], 1, "docker: 'docker rename' requires 2 arguments\n\nUsage:  docker rename CONTAINER NEW_NAME\n\nRun 'docker rename --help' for more information\n"],
    [['ps', '--filter', 'nope'], 125, "invalid argument \"nope\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\n\nUsage:  docker ps [OPTIONS]\n\nRun 'docker ps --help' for more information\n"],
    [['run', '--stop-timeout', '99999999999999999999', 'x'], 125, "invalid argument \"99999999999999999999\" for \"--stop-timeout\" flag: strconv.ParseInt: parsing \"99999999999999999999\": value out of range\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n"],
    [['run', '--blkio-weight', '70000', 'x'], 125, "invalid argument \"70000\" for \"--blkio-weight\" flag: strconv.ParseUint: parsing \"70000\": value out of range\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n"],
    [['run', '--health-interval', '5', 'x'], 125, "invalid argument \"5\" for \"--health-interval\" flag: time: missing unit in duration \"5\"\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n"],
  ];
  it.each(cases)('docker %j exits %i', async (argv, code, stderr) => {
    const result = await docker_(...argv);
    expect(result.err).toBe(stderr);
    expect(result.code).toBe(code);
    expect(result.out).toBe('');
  });
});

describe('parsing', () => {
  it('stops at the image for docker run (interspersed off) and keeps the command flags', async () => {
    const { seen } = await docker_('run', '-d', '--name', 'web', 'busybox', 'echo', '-n', '--rm', 'hi');
    expect(seen.args).toEqual(['busybox', 'echo', '-n', '--rm', 'hi']);
    expect(valueOf(seen.options, 'detach')).toBe(true);
    expect(valueOf(seen.options, 'rm')).toBe(false);
    expect(valueOf(seen.options, 'name')).toBe('web');
  });

  it('reads combined shorts, attached values, = forms and repeated lists', async () => {
    const { seen } = await docker_('run', '-dit', '-p8080:80', '-p', '127.0.0.1:53:53/udp', '--rm=false', '-e', 'A=1', '--env=B', '-m=512m', '--sysctl', 'a=1', '--sysctl', 'a=2', '--dns-search', 'x.com,"y,z.com"', 'busybox');
    const options = seen.options;
    expect([valueOf(options, 'detach'), valueOf(options, 'interactive'), valueOf(options, 'tty')]).toEqual([true, true, true]);
    expect(valueOf(options, 'publish')).toEqual(['8080:80', '127.0.0.1:53:53/udp']);
    expect(valueOf(options, 'rm')).toBe(false);
    expect(valueOf(options, 'env')).toEqual(['A=1', 'B']);
    expect(valueOf(options, 'memory')).toBe(536870912);
    expect(valueOf(options, 'sysctl')).toEqual(new Map([['a', '2']]));
    expect(valueOf(options, 'dns')).toEqual(['x.com', 'y,z.com']);
  });

  it('takes flags anywhere for interspersed commands, and -- ends them', async () => {
    const { seen } = await docker_('rm', 'a', '-f', 'b', '--', '-v');
    expect(seen.args).toEqual(['a', 'b', '-v']);
    expect(valueOf(seen.options, 'force')).toBe(true);
    expect(valueOf(seen.options, 'volumes')).toBe(false);
  });

  it('runs the same definition through its aliases', async () => {
    expect((await docker_('container', 'list', '-a')).seen.command).toBe('docker container ls');
    expect((await docker_('container', 'remove', 'x')).seen.command).toBe('docker container rm');
    expect((await docker_('-D', 'ps')).seen.command).toBe('docker ps');
  });

  it('reports a changed flag and keeps defaults otherwise', () => {
    const flags = new FlagSet('t');
    const last = flags.int('last', 'n', -1, '');
    flags.parse(['-n5', 'x']);
    expect(last.value).toBe(5);
    expect(flags.changed('last')).toBe(true);
    expect(flags.args).toEqual(['x']);
    expect(() => flags.parse(['--nope'])).toThrow(FlagError);
  });

  it('prints the deprecation of a flag', () => {
    const flags = new FlagSet('t');
    flags.bool('old', '', false, '');
    flags.markDeprecated('old', 'use --new');
    flags.parse(['--old']);
    expect(flags.notices).toEqual(['Flag --old has been deprecated, use --new\n']);
    expect(flags.usages()).toBe('');
  });
});

describe('durations', () => {
  it.each([
    ['1h30m', 5_400_000_000_000n, '1h30m0s'],
    ['1.5s', 1_500_000_000n, '1.5s'],
    ['100ms', 100_000_000n, '100ms'],
    ['-2us', -2_000n, '-2µs'],
    ['0', 0n, '0s'],
    ['3m7.25s', 187_250_000_000n, '3m7.25s'],
  ])('%s', (text, nanos, formatted) => {
    expect(parseDuration(text)).toBe(nanos);
    expect(formatDuration(nanos)).toBe(formatted);
  });

  it('rejects with Go texts', () => {
    expect(() => parseDuration('abc')).toThrow('time: invalid duration "abc"');
    expect(() => parseDuration('5')).toThrow('time: missing unit in duration "5"');
    expect(() => parseDuration('5x')).toThrow('time: unknown unit "x" in duration "5x"');
  });
});
