// Fuzzing Go's text/template as docker's --format runs it: templates docker's documentation and
// our lessons use, mutated, and templates built from the language's tokens, parsed and executed
// against a container-like value. Every input renders or fails with TemplateError (Go's
// "template: ..." text, which docker prints after "template parsing error: "), never a crash.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Template, TemplateError } from '../../src/cli/formatter/template';
import { goMap } from '../../src/cli/formatter/govalue';
import { check, expectInputError, mutated } from './budget';

const seeds = [
  'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedAt}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}',
  '{{json .}}',
  '{{.Name}} {{.State.Status}} {{.State.Pid}}',
  '{{range .Mounts}}{{.Source}} -> {{.Destination}}{{"\\n"}}{{end}}',
  '{{index .Labels "a"}}|{{.Labels.zz}}',
  '{{if eq .State.Status "running"}}up{{else if ne .State.Pid 0}}odd{{else}}down{{end}}',
  '{{range $i, $p := .Ports}}{{$i}}={{$p}};{{else}}none{{end}}',
  '{{with .State}}{{.Status}}{{end}} {{len .Ports}} {{printf "%-5s|%3d|%q" .Name 7 "q"}}',
  '{{lower .Name}} {{upper "x"}} {{title "a b"}} {{join (split "a:b" ":") ","}} {{pad "x" 2 1}} {{truncate .Name 2}}',
  '{{- /* comment */ -}} {{$x := .Name}}{{$x = "w"}}{{$x}} {{$}}',
  '{{range .Ports}}{{if eq . "443/tcp"}}{{break}}{{end}}{{.}}{{continue}}{{end}}',
  '{{slice .Name 1 2}} {{index .Ports 0}} {{and 1 0}} {{or 0 "" "z"}} {{not true}} {{lt 1 2.5}}',
  '{{.Config.Env}} {{json .Config}} {{println .Name 1 nil}}',
];
const alphabet = ['{{', '}}', '{{-', '-}}', ' ', '.', '$', '$x', ':=', '=', '|', '(', ')', '"', '`', "'a'", 'end', 'if', 'else', 'range', 'with', 'break', 'continue', 'define', 'template', 'block', 'nil', 'true', '1', '-1', '0x10', '1e9', '2.5', 'index', 'slice', 'printf', '"%d"', '"%!"', 'json', 'len', 'eq', 'lt', 'call', 'html', 'js', 'urlquery', '/*', '*/', ',', '\n', 'Name', 'Ports', 'Nope', '.State.Pid'];
const tokens = fc.array(fc.constantFrom(...alphabet), { maxLength: 16 }).map((parts) => parts.join(''));

const data = {
  ID: 'abc123',
  Name: 'web',
  State: { Status: 'running', Pid: 42, Running: true },
  Ports: ['80/tcp', '443/tcp'],
  Labels: goMap({ a: '1', b: '2' }),
  Mounts: [{ Source: '/var/lib/docker/volumes/v/_data', Destination: '/data' }],
  Config: { Env: ['PATH=/bin'], Cmd: null },
};

function render(source: string): void {
  try {
    const output = Template.parse(source).execute(data);
    expect(typeof output).toBe('string');
  } catch (error) {
    expectInputError(error, [TemplateError]);
    expect((error as Error).message).toMatch(/template: |error calling |wrong number of args|invalid|unterminated|unexpected/);
  }
}

describe('fuzz: Go templates (--format)', () => {
  it('mutated docker templates render or fail with TemplateError', async () => {
    await check('template-mutated', fc.property(mutated(seeds, alphabet), render), 1000);
  });

  it('templates from the language’s tokens render or fail with TemplateError', async () => {
    await check('template-tokens', fc.property(tokens, render), 1000);
  });
});
