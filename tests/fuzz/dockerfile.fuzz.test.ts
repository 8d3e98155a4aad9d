// Fuzzing the Dockerfile front end: the parser (lines, continuations, directives, heredocs, JSON
// forms), the typed instructions (flags, durations, stage names) and the shell-word lexer that
// expands them. Inputs are buildkit's own testfiles (when ../shared/conformance is present) and
// Dockerfiles of our own, mutated; every input either parses or fails with the builder's error
// (LocatedError for the parser and instructions, ShellExpansionError for expansion), never a crash.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandCommand, LocatedError, parseDockerfile, parseInstructions, ShellExpansionError, ShellLex } from '../../src/engine/builder';
import { projectRoot } from '../../src/node/artifacts';
import { check, expectInputError, mutated } from './budget';

const ownSeeds = [
  'FROM busybox\nRUN echo hi\n',
  '# syntax=docker/dockerfile:1\n# escape=`\nFROM busybox AS base\nRUN echo `\n  hi\nCOPY --from=base --chown=1:1 /a /b\n',
  'FROM busybox\nARG A=1 B\nENV X=${A:-two} Y="$B" Z=\'q\'\nLABEL a=b "c d"=e\nWORKDIR /w/$X\n',
  'FROM busybox\nHEALTHCHECK --interval=5s --timeout=1m --retries=3 --start-period=2s CMD ["true"]\nHEALTHCHECK NONE\n',
  'FROM busybox\nRUN <<EOF\necho a\nEOF\nCOPY <<-EOT /x\n\tcontent\n\tEOT\n',
  'FROM busybox\nEXPOSE 80/tcp 90-91/udp $P\nVOLUME ["/data", "/v"]\nUSER 1:1\nSTOPSIGNAL SIGKILL\nSHELL ["/bin/sh", "-c"]\n',
  'FROM busybox\nONBUILD RUN echo x\nENTRYPOINT ["sh", "-c"]\nCMD echo ${HOME:+set} ${X#a} ${X%%b} ${X/a/b} ${X:?missing}\n',
  'FROM --platform=linux/386 busybox:1.36@sha256:' + 'a'.repeat(64) + ' AS one\nFROM one\nADD --chmod=644 --checksum=sha256:00 http://x/y /z\nRUN --mount=type=cache,target=/c --network=none true\n',
  'ARG V=1\nFROM busybox:$V\nMAINTAINER me\nENV a b c\n',
];

function conformanceSeeds(): string[] {
  const dir = join(projectRoot, '../shared/conformance/buildkit-v0.22.0');
  const seeds: string[] = [];
  for (const sub of ['testfiles', 'testfiles-negative']) {
    const root = join(dir, sub);
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root)) {
      const file = join(root, name, 'Dockerfile');
      if (existsSync(file)) seeds.push(readFileSync(file, 'utf8'));
    }
  }
  return seeds;
}

const seeds = [...ownSeeds, ...conformanceSeeds()];
const dockerfileAlphabet = ['\n', '\\', '`', '\\\n', '$', '${', '}', ':-', ':+', ':?', '#', '%', '/', '"', "'", '[', ']', ',', '=', '<<', '<<-', 'EOF', '--', ' ', '\t', '\r', 'FROM ', 'RUN ', 'ONBUILD ', 'HEALTHCHECK ', 'CMD ', '# escape=`\n', '# syntax=x\n', '\ufeff', '--interval=', 's', 'ms', 'h', '-1', '9999999999999999999'];
const dockerfiles = mutated(seeds, dockerfileAlphabet);

/** What the build does with a Dockerfile before running anything: parse, type, expand every word. */
function frontEnd(text: string): void {
  const parsed = parseDockerfile(text);
  const { stages, metaArgs } = parseInstructions(parsed.ast);
  const lex = new ShellLex(parsed.escapeToken);
  const env = new Map([['A', 'a b'], ['HOME', '/root'], ['X', 'abab']]);
  for (const arg of metaArgs) for (const pair of arg.args) expect(typeof pair.key).toBe('string');
  for (const stage of stages) {
    lex.processWord(stage.baseName, env);
    for (const command of stage.commands) {
      expandCommand(command, (word) => lex.processWord(word, env));
      if (command.kind === 'expose') for (const port of command.ports) lex.processWords(port, env);
    }
  }
}

describe('fuzz: Dockerfile front end', () => {
  it('mutated Dockerfiles parse, or fail with the builder’s located or expansion error', async () => {
    await check(
      'dockerfile',
      fc.property(dockerfiles, (text) => {
        try {
          frontEnd(text);
        } catch (error) {
          expectInputError(error, [LocatedError, ShellExpansionError]);
          if (error instanceof LocatedError) expect(error.message).not.toMatch(/^(undefined|null)/);
        }
      }),
      400,
    );
  });

  it('arbitrary text never crashes the parser', async () => {
    await check(
      'dockerfile-text',
      fc.property(fc.string({ unit: fc.constantFrom('a', 'F', ' ', '\n', '\\', '`', '#', '"', '[', ']', '<', '-', '=', '$', '{', '}', 'RUN', 'FROM', 'ONBUILD', 'EOF'), maxLength: 60 }), (text) => {
        try {
          frontEnd(text);
        } catch (error) {
          expectInputError(error, [LocatedError, ShellExpansionError]);
        }
      }),
      400,
    );
  });

  it('shell words expand or fail with ShellExpansionError, for both escape tokens', async () => {
    const word = fc.string({ unit: fc.constantFrom('a', ' ', '$', '{', '}', ':', '-', '+', '?', '#', '%', '/', '\\', '`', '"', "'", 'X', 'A', '*', '[', ']'), maxLength: 30 });
    await check(
      'shell-lex',
      fc.property(word, fc.constantFrom('\\', '`'), fc.boolean(), fc.boolean(), (text, escape, rawQuotes, skipUnset) => {
        const lex = new ShellLex(escape);
        lex.rawQuotes = rawQuotes;
        lex.skipUnsetEnv = skipUnset;
        const env = new Map([['A', 'a b'], ['X', 'abab']]);
        try {
          expect(typeof lex.processWord(text, env)).toBe('string');
          for (const w of lex.processWords(text, env)) expect(typeof w).toBe('string');
        } catch (error) {
          expectInputError(error, [ShellExpansionError]);
          expect((error as Error).message).toMatch(/^failed to process /);
        }
      }),
      1000,
    );
  });
});
