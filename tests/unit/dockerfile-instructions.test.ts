// Typed instructions from the parser's tree: the values each instruction carries, the build stages,
// and buildkit's error texts (which moby v28's legacy builder prints as they are).

import { describe, expect, it } from 'vitest';
import {
  expandCommand,
  findStage,
  healthcheckDefaults,
  InstructionParseError,
  LocatedError,
  parseDockerfile,
  parseInstruction,
  parseInstructions,
  ShellLex,
  UnknownInstructionError,
  type Command,
  type Stage,
} from '../../src/engine/builder';

const SECOND = 1_000_000_000;

/** The typed form of a one-instruction Dockerfile. */
function one(line: string): Command | Stage {
  return parseInstruction(parseDockerfile(line).ast.children[0]);
}

/** The typed form of an instruction that is not FROM (fails the test for a stage). */
function command<K extends Command['kind']>(line: string, kind: K): Extract<Command, { kind: K }> {
  const parsed = one(line);
  if (parsed.kind !== kind) throw new Error(`${line} parsed as ${parsed.kind}`);
  return parsed as Extract<Command, { kind: K }>;
}

/** The message an instruction is rejected with. */
function rejection(line: string): string {
  try {
    one(line);
  } catch (error) {
    expect(error).toBeInstanceOf(LocatedError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(line)} to be rejected`);
}

/** The message a whole Dockerfile is rejected with by parseInstructions. */
function fileRejection(text: string): LocatedError {
  try {
    parseInstructions(parseDockerfile(text).ast);
  } catch (error) {
    expect(error).toBeInstanceOf(LocatedError);
    return error as LocatedError;
  }
  throw new Error('expected the Dockerfile to be rejected');
}

describe('FROM and stages', () => {
  it('reads the image, the stage name and --platform', () => {
    expect(one('FROM ubuntu:14.04')).toMatchObject({ kind: 'stage', baseName: 'ubuntu:14.04', name: '', platform: '', sourceCode: 'FROM ubuntu:14.04' });
    expect(one('from --platform=linux/386 busybox AS Build')).toMatchObject({ baseName: 'busybox', name: 'build', platform: 'linux/386', origCmd: 'from' });
  });

  it('rejects bad forms', () => {
    expect(rejection('FROM a b')).toBe('FROM requires either one or three arguments');
    expect(rejection('FROM')).toBe('FROM requires either one or three arguments');
    expect(rejection('FROM a AS 1x')).toBe('invalid name for build stage: "1x", name can\'t start with a number or contain symbols');
    expect(rejection('FROM --platfrom=x a')).toBe('unknown flag: --platfrom (did you mean platform?)');
    expect(rejection('FROM --plat=x a')).toBe('unknown flag: --plat');
  });

  it('splits the file into stages, with the ARGs before the first FROM as meta args', () => {
    const { metaArgs, stages } = parseInstructions(
      parseDockerfile(`# VERSION the release
ARG VERSION=1.0
# build compiles it
FROM busybox AS build
ARG VERSION
RUN echo $VERSION > /v
FROM alpine
COPY --from=build /v /v
`).ast,
    );
    expect(metaArgs.map((arg) => arg.args)).toEqual([[{ key: 'VERSION', value: '1.0', comment: 'the release' }]]);
    expect(stages.map((stage) => [stage.name, stage.baseName, stage.comment, stage.commands.map((c) => c.kind)])).toEqual([
      ['build', 'busybox', 'compiles it', ['arg', 'run']],
      ['', 'alpine', '', ['copy']],
    ]);
    expect(findStage(stages, 'BUILD')).toBe(0);
    expect(findStage(stages, 'other')).toBe(-1);
    expect(stages[0].commands[1]).toMatchObject({ code: 'RUN echo $VERSION > /v', startLine: 6, endLine: 6 });
  });

  it('needs a FROM before anything but ARG', () => {
    const error = fileRejection('ARG A\nRUN echo hi\n');
    expect(error.message).toBe('no build stage in current context');
    expect(error.startLine).toBe(2);
  });
});

describe('errors of a whole file, as the legacy builder prints them', () => {
  it('an unknown instruction (the notes misspell LABEL)', () => {
    const error = fileRejection('FROM busybox\n\nLABLE a=b\n');
    expect(error).toBeInstanceOf(InstructionParseError);
    expect(error.message).toBe('dockerfile parse error on line 3: unknown instruction: LABLE (did you mean LABEL?)');
    expect([error.startLine, error.endLine]).toEqual([3, 3]);
    expect(error.cause).toBeInstanceOf(UnknownInstructionError);
    expect(rejection('foo bar')).toBe('unknown instruction: foo (did you mean from?)');
    expect(rejection('XYZZY bar')).toBe('unknown instruction: XYZZY');
  });

  it('any other instruction error, on the line where the instruction starts', () => {
    const error = fileRejection('FROM busybox\nENV \\\n  =value\n');
    expect(error.message).toBe('dockerfile parse error on line 2: ENV names can not be blank');
    expect([error.startLine, error.endLine]).toEqual([2, 3]);
  });
});

describe('RUN, CMD, ENTRYPOINT, SHELL', () => {
  it('shell form joins continuation lines; exec form keeps the array', () => {
    const run = command('RUN apt-get update && \\\n    apt-get install -y nginx', 'run');
    expect(run).toMatchObject({ cmdLine: ['apt-get update &&     apt-get install -y nginx'], prependShell: true, files: [], network: 'default' });
    expect(command('CMD ["nginx","-g","daemon off;"]', 'cmd')).toMatchObject({ cmdLine: ['nginx', '-g', 'daemon off;'], prependShell: false });
    expect(command('ENTRYPOINT ["/bin/echo"]', 'entrypoint')).toMatchObject({ cmdLine: ['/bin/echo'], prependShell: false });
    expect(command('ENTRYPOINT []', 'entrypoint').cmdLine).toEqual([]);
    expect(command('CMD echo "hi there"', 'cmd')).toMatchObject({ cmdLine: ['echo "hi there"'], prependShell: true });
  });

  it('RUN takes heredocs and its flags', () => {
    const run = command('RUN --network=none --mount=type=cache,target=/c <<EOF\necho hi\nEOF\n', 'run');
    expect(run).toMatchObject({ cmdLine: ['<<EOF'], files: [{ name: 'EOF', data: 'echo hi\n', chomp: false }], network: 'none', mounts: ['type=cache,target=/c'] });
    expect(run.flagsUsed).toEqual(['network', 'mount']);
    expect(rejection('RUN --network=bogus x')).toBe('invalid network mode "bogus"');
    expect(rejection('RUN --security=insecure x')).toBe('unknown flag: --security');
    expect(rejection('RUN --network x')).toBe('missing a value on flag: --network');
  });

  it('SHELL must be a JSON array', () => {
    expect(command('SHELL ["/bin/bash", "-c"]', 'shell').shell).toEqual(['/bin/bash', '-c']);
    expect(rejection('SHELL /bin/bash -c')).toBe('SHELL requires the arguments to be in JSON form');
    expect(rejection('SHELL []')).toBe('SHELL requires at least one argument');
  });
});

describe('ENV, LABEL, ARG', () => {
  it('ENV takes name=value pairs or the old `ENV name value`', () => {
    expect(command('ENV abc=bye def=$abc', 'env').env).toEqual([
      { key: 'abc', value: 'bye', noDelim: false },
      { key: 'def', value: '$abc', noDelim: false },
    ]);
    expect(command('ENV PATH /usr/bin:$PATH', 'env').env).toEqual([{ key: 'PATH', value: '/usr/bin:$PATH', noDelim: true }]);
    expect(rejection('ENV =value')).toBe('ENV names can not be blank');
    expect(rejection('ENV')).toBe('ENV requires at least one argument');
    expect(rejection('LABEL')).toBe('LABEL requires at least one argument');
    expect(command('LABEL a=b "c d"="e f"', 'label').labels).toEqual([
      { key: 'a', value: 'b', noDelim: false },
      { key: '"c d"', value: '"e f"', noDelim: false },
    ]);
  });

  it('ENV uses the old values of the variables within one instruction when expanded', () => {
    const lex = new ShellLex('\\');
    const env = new Map([['abc', 'hello']]);
    const expanded = expandCommand(command('ENV abc=bye def=$abc', 'env'), (word) => lex.processWord(word, env));
    expect(expanded).toMatchObject({ env: [{ key: 'abc', value: 'bye' }, { key: 'def', value: 'hello' }] });
  });

  it('ARG declares names with optional defaults', () => {
    expect(command('ARG a b=2 c=', 'arg').args).toEqual([
      { key: 'a', comment: '' },
      { key: 'b', value: '2', comment: '' },
      { key: 'c', value: '', comment: '' },
    ]);
    expect(rejection('ARG')).toBe('ARG requires at least one argument');
    expect(rejection('ARG =x')).toBe('ARG names can not be blank');
  });
});

describe('ADD and COPY', () => {
  it('take sources, a destination and their flags', () => {
    expect(command('COPY hom* /mydir/', 'copy')).toMatchObject({ sourcePaths: ['hom*'], destPath: '/mydir/', sourceContents: [], from: '', chown: '', link: false });
    expect(command('COPY --chown=1:1 --chmod=644 --from=build --link a b /dest/', 'copy')).toMatchObject({
      sourcePaths: ['a', 'b'],
      destPath: '/dest/',
      chown: '1:1',
      chmod: '644',
      from: 'build',
      link: true,
    });
    expect(command('COPY ["my file", "/dir/"]', 'copy')).toMatchObject({ sourcePaths: ['my file'], destPath: '/dir/' });
    expect(command('ADD --keep-git-dir --checksum=sha256:abc x.tar /', 'add')).toMatchObject({ keepGitDir: true, checksum: 'sha256:abc', sourcePaths: ['x.tar'] });
  });

  it('write heredocs as files', () => {
    expect(command('COPY <<EOF <<-\'RAW\' foo.txt /bar/\nhello $X\nEOF\n\tas is\nRAW\n', 'copy')).toMatchObject({
      sourcePaths: ['foo.txt'],
      destPath: '/bar/',
      sourceContents: [
        { path: 'EOF', data: 'hello $X\n', expand: true },
        { path: 'RAW', data: 'as is\n', expand: false },
      ],
    });
  });

  it('reject what buildkit rejects', () => {
    expect(rejection('COPY a')).toBe('COPY requires at least two arguments, but only one was provided. Destination could not be determined');
    expect(rejection('ADD a')).toBe('ADD requires at least two arguments, but only one was provided. Destination could not be determined');
    expect(rejection('COPY /foo <<EOF\nEOF')).toBe('COPY cannot accept a heredoc as a destination');
    expect(rejection('COPY --chmown=1 a b')).toBe('unknown flag: --chmown (did you mean chown?)');
    expect(rejection('COPY --parents a b/')).toBe('unknown flag: --parents');
    expect(rejection('COPY --link=maybe a b')).toBe('expecting boolean value for flag --link, not: maybe');
    expect(rejection('COPY --from=a --from=b x y')).toBe('duplicate flag specified: --from');
    // "When using COPY with more than one source file, the destination must be a directory and end
    // with a /" is the legacy builder's dispatch check, not a parse error
    expect(() => one('COPY a b /not-a-dir')).not.toThrow();
  });
});

describe('the other instructions', () => {
  it('WORKDIR, USER, STOPSIGNAL, MAINTAINER take exactly one argument', () => {
    expect(command('WORKDIR /test', 'workdir').path).toBe('/test');
    expect(command('WORKDIR relative/dir', 'workdir').path).toBe('relative/dir');
    expect(command('USER docker:root', 'user').user).toBe('docker:root');
    expect(command('STOPSIGNAL SIGKILL', 'stopsignal').signal).toBe('SIGKILL');
    expect(command('MAINTAINER Jane <jane@example.com>', 'maintainer').maintainer).toBe('Jane <jane@example.com>');
    for (const word of ['WORKDIR', 'USER', 'STOPSIGNAL', 'MAINTAINER']) expect(rejection(word)).toBe(`${word} requires exactly one argument`);
    expect(rejection('MAINTAINER --boo joe@example.com')).toBe('unknown flag: --boo');
  });

  it('EXPOSE keeps the ports sorted as strings; VOLUME takes JSON or words', () => {
    expect(command('EXPOSE 80 443/udp', 'expose').ports).toEqual(['443/udp', '80']);
    expect(command('VOLUME ["/a","/b"]', 'volume').volumes).toEqual(['/a', '/b']);
    expect(command('VOLUME /data', 'volume').volumes).toEqual(['/data']);
    expect(command('VOLUME /x /y', 'volume').volumes).toEqual(['/x', '/y']);
    expect(rejection('VOLUME [" "]')).toBe('VOLUME specified can not be an empty string');
    expect(rejection('EXPOSE')).toBe('EXPOSE requires at least one argument');
    expect(rejection('VOLUME')).toBe('VOLUME requires at least one argument');
  });

  it('ONBUILD keeps its trigger and refuses ONBUILD, FROM and MAINTAINER', () => {
    expect(command('ONBUILD RUN echo hi', 'onbuild').expression).toBe('RUN echo hi');
    expect(command('onbuild COPY <<EOF /x\nhello\nEOF\n', 'onbuild').expression).toBe('COPY <<EOF /x\nhello\nEOF');
    expect(rejection('ONBUILD ONBUILD RUN touch foobar')).toBe('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
    expect(rejection('ONBUILD FROM scratch')).toBe("FROM isn't allowed as an ONBUILD trigger");
    expect(rejection('ONBUILD maintainer me')).toBe("MAINTAINER isn't allowed as an ONBUILD trigger");
    expect(rejection('ONBUILD')).toBe('ONBUILD requires at least one argument');
  });
});

describe('HEALTHCHECK', () => {
  it('reads CMD in both forms and its duration flags (0 = the daemon default)', () => {
    expect(command('HEALTHCHECK --interval=5s --timeout=3s CMD curl -f http://localhost/ || exit 1', 'healthcheck').health).toEqual({
      test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'],
      interval: 5 * SECOND,
      timeout: 3 * SECOND,
      startPeriod: 0,
      startInterval: 0,
      retries: 0,
    });
    expect(command('HEALTHCHECK --start-period=1m30s --start-interval=500ms --retries=5 cmd ["/check", "-q"]', 'healthcheck').health).toEqual({
      test: ['CMD', '/check', '-q'],
      interval: 0,
      timeout: 0,
      startPeriod: 90 * SECOND,
      startInterval: SECOND / 2,
      retries: 5,
    });
    expect(command('HEALTHCHECK NONE', 'healthcheck').health.test).toEqual(['NONE']);
    expect(healthcheckDefaults).toEqual({ interval: 30 * SECOND, timeout: 30 * SECOND, startPeriod: 0, startInterval: 5 * SECOND, retries: 3 });
  });

  it('rejects bad types, commands and flags with buildkit\'s texts', () => {
    expect(rejection('HEALTHCHECK')).toBe('HEALTHCHECK requires at least one argument');
    expect(rejection('HEALTHCHECK NONE x')).toBe('HEALTHCHECK NONE takes no arguments');
    expect(rejection('HEALTHCHECK CMD')).toBe('Missing command after HEALTHCHECK CMD');
    expect(rejection('HEALTHCHECK CONNECT TCP 7000')).toBe('Unknown type "CONNECT" in HEALTHCHECK (try CMD)');
    expect(rejection('HEALTHCHECK --interval=1ns CMD x')).toBe('Interval "interval" cannot be less than 1ms');
    expect(rejection('HEALTHCHECK --timeout=-1s CMD x')).toBe('Interval "timeout" cannot be less than 1ms');
    expect(rejection('HEALTHCHECK --interval=5x CMD x')).toBe('time: unknown unit "x" in duration "5x"');
    expect(rejection('HEALTHCHECK --interval=5 CMD x')).toBe('time: missing unit in duration "5"');
    expect(rejection('HEALTHCHECK --interval=abc CMD x')).toBe('time: invalid duration "abc"');
    expect(rejection('HEALTHCHECK --retries=-1 CMD x')).toBe('--retries cannot be negative (-1)');
    expect(rejection('HEALTHCHECK --retries=abc CMD x')).toBe('strconv.ParseInt: parsing "abc": invalid syntax');
    expect(rejection('HEALTHCHECK --retries=3000000000 CMD x')).toBe('strconv.ParseInt: parsing "3000000000": value out of range');
    expect(rejection('HEALTHCHECK --intervall=5s CMD x')).toBe('unknown flag: --intervall (did you mean interval?)');
  });
});

describe('expandCommand', () => {
  const lex = new ShellLex('\\');
  const env = new Map([['HOME', '/root'], ['SRC', 'app'], ['U', 'nobody']]);
  const expand = (word: string): string => lex.processWord(word, env);

  it('expands the fields buildkit expands and leaves the rest', () => {
    expect(expandCommand(command('WORKDIR $HOME/test', 'workdir'), expand)).toMatchObject({ path: '/root/test' });
    expect(expandCommand(command('COPY --chown=$U ${SRC}/* "$HOME/dir/"', 'copy'), expand)).toMatchObject({ chown: 'nobody', sourcePaths: ['app/*'], destPath: '/root/dir/' });
    expect(expandCommand(command('USER $U', 'user'), expand)).toMatchObject({ user: 'nobody' });
    expect(expandCommand(command('VOLUME ["$HOME/data"]', 'volume'), expand)).toMatchObject({ volumes: ['/root/data'] });
    expect(expandCommand(command('LABEL "x y"="$SRC z"', 'label'), expand)).toMatchObject({ labels: [{ key: 'x y', value: 'app z' }] });
    expect(expandCommand(command('ARG A=$HOME B', 'arg'), expand)).toMatchObject({ args: [{ key: 'A', value: '/root' }, { key: 'B' }] });
    const run = command('RUN echo $HOME', 'run');
    expect(expandCommand(run, expand)).toBe(run);
  });
});
