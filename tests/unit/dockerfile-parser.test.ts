// The Dockerfile parser against buildkit v0.22.0's own testfiles (read in place from
// ../shared/conformance, skipped with a message when absent) and against cases of our own:
// directives, continuation lines, heredocs, flags and line numbers.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  chainValues,
  dumpAst,
  formatWarnings,
  heredocsFromLine,
  LocatedError,
  parseDockerfile,
  parseHeredoc,
  type Node,
} from '../../src/engine/builder/parser';
import { parseWords, splitCommand } from '../../src/engine/builder/parser/line-parsers';
import { conformance } from '../helpers/requirements';

const { dir: conformanceDir, present } = conformance('buildkit-v0.22.0', 'buildkit parser testfiles');

const cases = (folder: string): string[] => (present ? readdirSync(join(conformanceDir, folder)).sort() : []);

/** The error a parse throws (fails the test if it does not throw). */
function parseError(text: string): LocatedError {
  try {
    parseDockerfile(text);
  } catch (error) {
    expect(error).toBeInstanceOf(LocatedError);
    return error as LocatedError;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

const dump = (text: string): string => dumpAst(parseDockerfile(text).ast);
const instructions = (text: string): Node[] => parseDockerfile(text).ast.children;

describe.skipIf(!present)('buildkit v0.22.0 testfiles', () => {
  it('has the 33 cases', () => {
    expect(cases('testfiles')).toHaveLength(33);
  });

  it.each(cases('testfiles'))('%s dumps as its result file', (name) => {
    const dockerfile = readFileSync(join(conformanceDir, 'testfiles', name, 'Dockerfile'), 'utf8');
    const expected = readFileSync(join(conformanceDir, 'testfiles', name, 'result'), 'utf8');
    const actual = `${dumpAst(parseDockerfile(dockerfile).ast)}\n`;
    expect(actual.split('\n')).toEqual(expected.split('\n'));
  });

  it.each(cases('testfiles-negative'))('%s is rejected with an error', (name) => {
    const dockerfile = readFileSync(join(conformanceDir, 'testfiles-negative', name, 'Dockerfile'), 'utf8');
    expect(parseError(dockerfile).message).not.toBe('');
  });
});

describe('rejected files', () => {
  it('says why, and where', () => {
    expect(parseError('').message).toBe('file with no instructions');
    expect(parseError('# only a comment\n\n').message).toBe('file with no instructions');
    const env = parseError('FROM busybox\n\nENV name\n');
    expect(env.message).toBe('ENV must have two arguments');
    expect([env.startLine, env.endLine]).toEqual([3, 3]);
    expect(parseError('CMD ["a", ["b"]]').message).toBe('when using JSON array syntax, arrays must be comprised of strings only');
    expect(parseError('FROM a\nLABEL a=b c\n').message).toBe('Syntax error - can\'t find = in "c". Must be of the form: name=value');
  });

  it('stops at a line longer than 64 KiB as bufio.Scanner does', () => {
    const error = parseError(`FROM image\nLABEL test=${'a'.repeat(65536)}\n`);
    expect(error.message).toBe('dockerfile line greater than max allowed size of 65535');
    expect(() => parseDockerfile(`FROM image\nLABEL t=${'a'.repeat(65535 - 9)}\n`)).not.toThrow();
  });
});

describe('directives', () => {
  it('are read only at the very top', () => {
    const result = parseDockerfile('# syntax=docker/dockerfile:1\n# check=skip=all\n# escape=`\nFROM busybox\nRUN echo a `\n  b\n');
    expect(result.escapeToken).toBe('`');
    expect(result.directives).toEqual([
      { name: 'syntax', value: 'docker/dockerfile:1', line: 1 },
      { name: 'check', value: 'skip=all', line: 2 },
      { name: 'escape', value: '`', line: 3 },
    ]);
    expect(dump('# escape=`\nFROM busybox\nRUN echo a `\n  b\n')).toBe('(from "busybox")\n(run "echo a   b")');
  });

  it('after a comment, a blank line or an unknown directive are comments', () => {
    for (const before of ['# a comment\n', '\n', '# foo=bar\n', 'FROM x\n']) {
      const result = parseDockerfile(`${before}# escape=\`\nFROM busybox\nRUN a \\\n b\n`);
      expect(result.escapeToken).toBe('\\');
      expect(result.ast.children.at(-1)?.original).toBe('RUN a  b');
    }
  });

  it('keys are case-insensitive, spacing is free, the value is trimmed', () => {
    expect(parseDockerfile('#   ESCAPE   =   `   \nFROM x\n').escapeToken).toBe('`');
  });

  it('can not be repeated and only take \\ or ` as the escape token', () => {
    const twice = parseError('# escape=`\n# escape=\\\nFROM x\n');
    expect(twice.message).toBe('only one escape parser directive can be used');
    expect(twice.startLine).toBe(1); // buildkit counts from 0 for directive errors
    expect(parseError('# escape=x\nFROM x\n').message).toBe("invalid escape token 'x' does not match ` or \\");
  });

  it('are not comments of the first instruction; a byte-order mark is dropped', () => {
    const [from] = instructions('\ufeff# syntax=x\n# the base\nFROM busybox\n');
    expect(from.prevComment).toEqual(['the base']);
  });
});

describe('continuation lines', () => {
  it('drop comment and blank lines inside an instruction', () => {
    expect(dump('FROM a\nRUN echo \\\n# comment\n\n  hello\n')).toBe('(from "a")\n(run "echo   hello")');
  });

  it('are not continued by an escaped escape token', () => {
    expect(dump('FROM a\nENV P C:\\\\\nRUN x\n')).toBe('(from "a")\n(env "P" "C:\\\\\\\\" "")\n(run "x")');
  });

  it('may end the file', () => {
    expect(dump('FROM a\nRUN echo \\')).toBe('(from "a")\n(run "echo")');
  });

  it('warn when a continued instruction has empty lines, as buildkit does', () => {
    const result = parseDockerfile(`
FROM alpine:3.6

RUN valid \\
    continuation

RUN something \\

    following \\

    more

RUN another \\

    thing

RUN non-indented \\
# this is a comment
   after-comment

RUN indented \\
    # this is an indented comment
    comment
	`);
    expect(result.warnings.map((warning) => [warning.short, warning.line])).toEqual([
      ['Empty continuation line found in: RUN something     following     more', 11],
      ['Empty continuation line found in: RUN another     thing', 15],
    ]);
    expect(result.warnings[0].detail).toBe('Empty continuation lines will become errors in a future release');
    expect(formatWarnings(result.warnings)).toBe(
      '[WARNING]: Empty continuation line found in: RUN something     following     more\n' +
        '[WARNING]: Empty continuation line found in: RUN another     thing\n' +
        '[WARNING]: Empty continuation lines will become errors in a future release.\n',
    );
    expect(formatWarnings([])).toBe('');
  });
});

describe('arguments', () => {
  it('split flags off the front, resolving quotes and escapes in them', () => {
    expect(splitCommand('COPY --chown=1:1 --from="my stage" a b/', '\\')).toEqual({ command: 'COPY', flags: ['--chown=1:1', '--from=my stage'], args: 'a b/' });
    expect(splitCommand('RUN -- --not-a-flag', '\\')).toEqual({ command: 'RUN', flags: [], args: '--not-a-flag' });
    expect(splitCommand('  run   echo  hi  ', '\\')).toEqual({ command: 'run', flags: [], args: 'echo  hi' });
    expect(dump('HEALTHCHECK --interval=5s --timeout=3s CMD curl -f http://localhost/ || exit 1')).toBe(
      '(healthcheck ["--interval=5s" "--timeout=3s"] "CMD" "curl -f http://localhost/ || exit 1")',
    );
  });

  it('keep quotes in words (parseWords)', () => {
    expect(parseWords('foo bar \'abc xyz\'', '\\')).toEqual(['foo', 'bar', "'abc xyz'"]);
    expect(parseWords('foo\\ bar', '\\')).toEqual(['foo\\ bar']);
    expect(parseWords('föo bàr "âbc xÿz"', '\\')).toEqual(['föo', 'bàr', '"âbc xÿz"']);
  });

  it('fall back from invalid JSON to the shell form, and keep unknown instructions', () => {
    expect(dump("FROM a\nCMD ['single', 'quotes']\nENTRYPOINT [\"a\",]")).toBe('(from "a")\n(cmd "[\'single\', \'quotes\']")\n(entrypoint "[\\"a\\",]")');
    expect(instructions('FROM a\nRUN ["a", "b"]')[1].attributes.json).toBe(true);
    expect(dump('FROM a\nLABLE a=b\n')).toBe('(from "a")\n(lable "")');
  });

  it('nest the instruction of ONBUILD', () => {
    const [, onbuild] = instructions('FROM a\nONBUILD --flag RUN --mount=x echo hi\n');
    expect(onbuild.flags).toEqual(['--flag']);
    expect(onbuild.next?.children[0].value).toBe('RUN');
    expect(onbuild.next?.children[0].flags).toEqual(['--mount=x']);
    expect(dumpAst(parseDockerfile('ONBUILD ONBUILD RUN x').ast)).toBe('(onbuild (onbuild (run "x")))');
  });

  it('parse ENV and LABEL pairs in both forms', () => {
    const [, env] = instructions('FROM a\nENV abc=bye def="$abc x"\n');
    expect(chainValues(env)).toEqual(['abc', 'bye', '=', 'def', '"$abc x"', '=']);
    const [, legacy] = instructions('FROM a\nENV PATH /usr/local/bin:$PATH with spaces\n');
    expect(chainValues(legacy)).toEqual(['PATH', '/usr/local/bin:$PATH with spaces', '']);
  });
});

describe('heredocs', () => {
  it('attach their bodies to RUN, COPY and ADD', () => {
    const [, run, copy] = instructions(`FROM alpine
RUN <<EOF bash
set -e
echo "$HOME"
EOF
COPY <<-'ONE' <<TWO /dest/
\tone $X
\tONE
two
TWO
CMD echo done
`);
    expect(run.heredocs).toEqual([{ name: 'EOF', fileDescriptor: 0, expand: true, chomp: false, content: 'set -e\necho "$HOME"\n' }]);
    expect([run.startLine, run.endLine]).toEqual([2, 5]);
    expect(copy.heredocs).toEqual([
      { name: 'ONE', fileDescriptor: 0, expand: false, chomp: true, content: '\tone $X\n' },
      { name: 'TWO', fileDescriptor: 0, expand: true, chomp: false, content: 'two\n' },
    ]);
    expect([copy.startLine, copy.endLine]).toEqual([6, 10]);
    expect(dump('FROM a\nRUN <<EOF\n# not a comment\nEOF\n')).toBe('(from "a")\n(run "<<EOF")');
  });

  it('are read as buildkit reads their terminator words', () => {
    const names = (line: string): [string, boolean, number][] => heredocsFromLine(line).map((h) => [h.name, h.expand, h.fileDescriptor]);
    expect(names('RUN <<EOF')).toEqual([['EOF', true, 0]]);
    // the lexer keeps blanks after `<<` in the word, not after `<<-`: so this opens none (buildkit's
    // own TestHeredocsFromLine lists it but only checks the heredocs it gets, none)
    expect(names('RUN <<- EOF')).toEqual([]);
    expect(names('RUN << -EOF')).toEqual([['-EOF', true, 0]]);
    expect(names("RUN <<'EOF'")).toEqual([['EOF', false, 0]]);
    expect(names('RUN 4<<EOF <<EOF2')).toEqual([['EOF', true, 4], ['EOF2', true, 0]]);
    expect(names("RUN <<eo'f'")).toEqual([['eof', false, 0]]);
    expect(names("RUN <<eo\\'f")).toEqual([["eo'f", true, 0]]);
    expect(names("RUN '<<EOF'")).toEqual([]);
    expect(names('RUN "<<EOF"')).toEqual([]);
    expect(names('RUN <<  EOF  > foo')).toEqual([['EOF', true, 0]]);
    for (const word of ['<<EOF', "<<'EOF'", '<<"EOF"', '<<-EOF', '<<EO"F"', '<< EOF', '<<- EOF']) expect(parseHeredoc(word)?.name).toBe('EOF');
    for (const word of ['', 'EOF', '<<', '<<-', '<EOF', '<<<EOF', '<<EOF sh']) expect(parseHeredoc(word)).toBeUndefined();
    for (const word of ["<<'EOF", '<<"EOF', "<<EOF'", '<<EOF"']) expect(() => parseHeredoc(word)).toThrow();
  });

  it('are not looked for in JSON form or other instructions', () => {
    const nodes = instructions('FROM a\nRUN ["<<EOF"]\nUSER <<INVALID\nINVALID\n');
    expect(nodes.map((node) => node.heredocs.length)).toEqual([0, 0, 0, 0]);
    expect(nodes.map((node) => node.value)).toEqual(['FROM', 'RUN', 'USER', 'INVALID']);
  });

  it('work under ONBUILD', () => {
    const [, onbuild] = instructions('FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n');
    expect(onbuild.heredocs.map((h) => h.content)).toEqual(['echo hi\n']);
  });

  it('must be terminated', () => {
    const error = parseError('FROM a\nRUN <<EOF\necho hi\n');
    expect(error.message).toBe('unterminated heredoc');
    expect([error.startLine, error.endLine]).toEqual([2, 3]);
  });
});

describe('line numbers', () => {
  it('cover each instruction from its first line to its last, as buildkit counts them', () => {
    const result = parseDockerfile(`# escape=\\



FROM brimstone/ubuntu:14.04


# TORUN -v /var/run/docker.sock:/var/run/docker.sock


ENV GOPATH \\
/go



# a comment
RUN apt-get update \\
\t&& apt-get install -y git \\


    && apt-get clean \\
    # a comment inside
\t&& rm -rf /var/lib/apt/lists



`);
    expect([result.ast.startLine, result.ast.endLine]).toEqual([5, 23]);
    expect(result.ast.children.map((node) => [node.startLine, node.endLine])).toEqual([[5, 5], [11, 12], [17, 23]]);
  });
});
