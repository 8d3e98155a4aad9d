// go-units, Go float formatting, the tab writer, the Go template subset and the ps formatter,
// against texts from docker/cli's own tests and from the real docker 28.2.2 client.

import { renderInspect } from '../../src/cli/commands/image/inspect';
import { describe, expect, it } from 'vitest';
import {
  bytesSize,
  containerStatus,
  containerWrite,
  displayablePorts,
  ellipsis,
  formatG,
  fromHumanSize,
  goMap,
  humanDuration,
  humanSize,
  humanSizeWithPrecision,
  ramInBytes,
  renderFormat,
  HeaderContext,
  tabulate,
  Template,
  truncateId,
  familiarString,
  type ContainerSummary,
} from '../../src/cli/formatter';

describe('go-units', () => {
  it.each([
    [0, '0B'],
    [999, '999B'],
    [999_999, '1e+03kB'],
    [4_260_000, '4.26MB'],
    [192_000_000, '192MB'],
    [12_345, '12.3kB'],
    [1125, '1.12kB'], // an exact tie rounds half to even, as Go does
    [1135, '1.14kB'],
    [3072, '3.07kB'],
  ])('HumanSizeWithPrecision(%d, 3) = %s', (size, text) => {
    expect(humanSizeWithPrecision(size, 3)).toBe(text);
  });

  it('HumanSize and BytesSize', () => {
    expect(humanSize(1000)).toBe('1kB');
    expect(humanSize(1024)).toBe('1.024kB');
    expect(humanSize(1e6)).toBe('1MB');
    expect(bytesSize(8 * 1024 * 1024)).toBe('8MiB');
    expect(bytesSize(16_653_647_872)).toBe('15.51GiB');
    expect(bytesSize(0)).toBe('0B');
  });

  it.each([
    ['32m', 33_554_432],
    ['1g', 1_073_741_824],
    ['512k', 524_288],
    ['512m', 536_870_912],
    ['1.5GiB', 1_610_612_736],
    ['10', 10],
    ['10b', 10],
    ['1 kb', 1024],
  ])('RAMInBytes(%s)', (text, bytes) => {
    expect(ramInBytes(text)).toBe(bytes);
  });

  it('RAMInBytes errors', () => {
    expect(() => ramInBytes('abc')).toThrow("invalid size: 'abc'");
    expect(() => ramInBytes('10x')).toThrow("invalid suffix: 'x'");
    expect(() => ramInBytes('10kbb')).toThrow("invalid suffix: 'kbb'");
    expect(() => ramInBytes('-1')).toThrow("invalid size: '-1'");
    expect(() => ramInBytes('1..2m')).toThrow('strconv.ParseFloat: parsing "1..2": invalid syntax');
    expect(fromHumanSize('44kB')).toBe(44_000);
  });

  const second = 1000;
  const minute = 60 * second;
  const hour = 60 * minute;
  const day = 24 * hour;
  it.each([
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [second, '1 second'],
    [59 * second, '59 seconds'],
    [minute, 'About a minute'],
    [119 * second, 'About a minute'],
    [2 * minute, '2 minutes'],
    [59 * minute, '59 minutes'],
    [hour, 'About an hour'],
    [89 * minute, 'About an hour'],
    [90 * minute, '2 hours'],
    [47 * hour, '47 hours'],
    [48 * hour, '2 days'],
    [13 * day, '13 days'],
    [14 * day, '2 weeks'],
    [59 * day, '8 weeks'],
    [60 * day, '2 months'],
    [729 * day, '24 months'],
    [730 * day, '2 years'],
  ])('HumanDuration(%d ms) = %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('Go float formatting', () => {
  it.each([
    [1e6, -1, '1e+06'],
    [123456, -1, '123456'],
    [0.5, -1, '0.5'],
    [0.00001, -1, '1e-05'],
    [999.999, 3, '1e+03'],
    [4.26, 3, '4.26'],
    [100, 3, '100'],
    [0, 3, '0'],
    [1.5, 4, '1.5'],
  ])('%%.*g of %d with precision %d = %s', (value, precision, text) => {
    expect(formatG(value, precision)).toBe(text);
  });
});

describe('tab writer', () => {
  it('pads columns to the widest cell plus 3, at least 10, last column unpadded', () => {
    expect(tabulate('A\tBB\tC\nlonger value\tx\tlast\n')).toBe('A              BB        C\nlonger value   x         last\n');
  });

  it('ends a column block at a line with fewer cells', () => {
    expect(tabulate('a\tb\nsingle\nccccccccccccc\td\n')).toBe('a         b\nsingle\nccccccccccccc   d\n');
  });

  it('measures wide characters as two columns', () => {
    expect(tabulate('名前\tx\nab\ty\n')).toBe('名前      x\nab        y\n');
  });

  it('keeps empty cells aligned', () => {
    expect(tabulate('A\t\tC\nx\t\tz\n')).toBe('A                   C\nx                   z\n');
  });
});

describe('templates', () => {
  const run = (source: string, data: unknown): string => Template.parse(source).execute(data);

  it('fields, nested fields, maps and methods', () => {
    const data = { Name: 'web', State: { Status: 'running', Pid: 42 }, Labels: goMap({ b: '2', a: '1' }), Ports: ['80/tcp', '443/tcp'] };
    expect(run('{{.Name}} {{.State.Status}} {{.State.Pid}}', data)).toBe('web running 42');
    expect(run('{{.Labels}} {{.Ports}} {{index .Labels "a"}} {{index .Labels "zz"}}|{{.Labels.zz}}', data)).toBe('map[a:1 b:2] [80/tcp 443/tcp] 1 |<no value>');
    expect(run('{{json .}}', data)).toBe('{"Name":"web","State":{"Status":"running","Pid":42},"Labels":{"a":"1","b":"2"},"Ports":["80/tcp","443/tcp"]}');
    expect(run('{{json .State.Status}}', data)).toBe('"running"');
  });

  it('functions docker adds', () => {
    expect(run('{{lower "ABC"}} {{upper "abc"}} {{title "hello world"}} {{join (split "a:b:c" ":") ","}}', null)).toBe('abc ABC Hello World a,b,c');
    expect(run('[{{pad "x" 2 1}}][{{pad "" 2 1}}] {{truncate "abcdef" 3}} {{truncate "ab" 3}}', null)).toBe('[  x ][] abc ab');
    expect(run('{{split "a:b" ":"}}', null)).toBe('[a b]');
  });

  it('if / else if / else, comparisons, and/or/not', () => {
    const tpl = '{{if eq .S "a"}}A{{else if ne .N 2}}notTwo{{else}}two{{end}}';
    expect(run(tpl, { S: 'a', N: 2 })).toBe('A');
    expect(run(tpl, { S: 'b', N: 3 })).toBe('notTwo');
    expect(run(tpl, { S: 'b', N: 2 })).toBe('two');
    expect(run('{{if and .A (not .B)}}y{{end}}{{or .B "fallback"}}{{if lt 1 2}}<{{end}}{{if ge 2 2}}>={{end}}{{if eq .S "x" "y"}}any{{end}}', { A: true, B: '', S: 'y' })).toBe('yfallback<>=any');
  });

  it('range with variables, else, break and continue; with; println; printf; len', () => {
    expect(run('{{range $i, $p := .}}{{$i}}={{$p}};{{end}}', ['a', 'b'])).toBe('0=a;1=b;');
    expect(run('{{range .}}x{{else}}empty{{end}}', [])).toBe('empty');
    expect(run('{{range .}}{{if eq . 2}}{{continue}}{{end}}{{if eq . 4}}{{break}}{{end}}{{.}}{{end}}', [1, 2, 3, 4, 5])).toBe('13');
    expect(run('{{range $k, $v := .}}{{$k}}:{{$v}} {{end}}', goMap({ z: 1, a: 2 }))).toBe('a:2 z:1 ');
    expect(run('{{with .A}}{{.}}{{else}}none{{end}}|{{with .B}}{{.}}{{else}}none{{end}}', { A: 'set', B: '' })).toBe('set|none');
    expect(run('{{println "a" 1}}{{printf "%-5s|%3d|%q" "ab" 7 "q"}} {{len .}}', ['x', 'y'])).toBe('a 1\nab   |  7|"q" 2');
    expect(run('{{$x := "v"}}{{$x}}{{$x = "w"}}{{$x}} {{$}}', 'root')).toBe('vw root');
  });

  it('trim markers and comments', () => {
    expect(run('a  {{- "b" -}}  c {{/* note */}}d{{- /* x */ -}} e', null)).toBe('abc de');
  });

  it('parse errors in Go text', () => {
    expect(() => Template.parse('{{InvalidFunction}}')).toThrow('template: :1: function "InvalidFunction" not defined');
    expect(() => Template.parse('{{.Foo')).toThrow('template: :1: unclosed action');
    expect(() => Template.parse('{{end}}')).toThrow('template: :1: unexpected {{end}}');
    expect(() => Template.parse('{{if .A}}x')).toThrow('template: :1: unexpected EOF');
    expect(() => Template.parse('{{$x}}')).toThrow('template: :1: undefined variable "$x"');
    expect(() => Template.parse('{{"abc}}')).toThrow('template: :1: unterminated quoted string');
    expect(() => Template.parse('{{range}}{{end}}')).toThrow('template: :1: missing value for range');
  });

  it('execution errors in Go text', () => {
    expect(() => run('{{nil}}', null)).toThrow('template: :1:2: executing "" at <nil>: nil is not a command');
    expect(() => run('x {{.Missing}}', { A: 1 })).toThrow('template: :1:4: executing "" at <.Missing>: can\'t evaluate field Missing in type struct');
    // a chain of fields is at its first added field, as Go's parser places it (docker: `:1:8` for .Actor.Attributes)
    expect(() => run('{{.Actor.Attributes.name}}', { Actor: { Attributes: 'x' } })).toThrow('template: :1:8: executing "" at <.Actor.Attributes.na...>: can\'t evaluate field name in type string');
    expect(() => run('{{$.A.B}}', { A: {} })).toThrow('template: :1:3: executing "" at <$.A.B>: can\'t evaluate field B in type struct');
    // a named template (docker version's) names itself in its errors
    expect(() => Template.parse('{{.A.B}}', undefined, 'version').execute({ A: 1 })).toThrow('template: version:1:4: executing "version" at <.A.B>: can\'t evaluate field B in type int');
    expect(() => Template.parse('{{.Foo', undefined, 'version')).toThrow('template: version:1: unclosed action');
    expect(() => run('{{join .A ","}}', { A: 'str' })).toThrow('template: :1:7: executing "" at <.A>: wrong type for value; expected []string; got string');
    expect(() => run('{{lower}}', null)).toThrow('template: :1:2: executing "" at <lower>: wrong number of args for lower: want 1 got 0');
    expect(() => run('{{index . 5}}', [1])).toThrow('error calling index: index out of range: 5');
  });
});

describe('formatter context', () => {
  const nowMs = Date.UTC(2025, 0, 2, 12, 0, 0);
  const unixTime = nowMs / 1000 - 24 * 3600;
  const containers: ContainerSummary[] = [
    { Id: 'containerID1', Names: ['/foobar_baz'], Image: 'ubuntu', Command: '', Created: unixTime, State: 'running', Status: '' },
    { Id: 'containerID2', Names: ['/foobar_bar'], Image: 'ubuntu', Command: '', Created: unixTime, State: 'running', Status: '' },
  ];
  const write = (format: string, quiet = false, size = false): string => containerWrite({ format, quiet, size, trunc: false, nowMs }, containers);

  // The cases of docker/cli's TestContainerContextWrite.
  it('tables', () => {
    expect(write('table', false, true)).toBe(
      'CONTAINER ID   IMAGE     COMMAND   CREATED        STATUS    PORTS     NAMES        SIZE\ncontainerID1   ubuntu    ""        24 hours ago                       foobar_baz   0B\ncontainerID2   ubuntu    ""        24 hours ago                       foobar_bar   0B\n',
    );
    expect(write('table {{.Image}}')).toBe('IMAGE\nubuntu\nubuntu\n');
    expect(write('table {{.Image}}', true)).toBe('containerID1\ncontainerID2\n');
    expect(write('table {{.State}}', false, true)).toBe('STATE\nrunning\nrunning\n');
    expect(write('table {{split .Image ":"}}')).toBe('IMAGE\n[ubuntu]\n[ubuntu]\n');
  });

  it('raw and custom formats', () => {
    const createdAt = '2025-01-01 12:00:00 +0000 UTC';
    expect(write('raw', false, true)).toBe(
      `container_id: containerID1\nimage: ubuntu\ncommand: ""\ncreated_at: ${createdAt}\nstate: running\nstatus:\nnames: foobar_baz\nlabels:\nports:\nsize: 0B\n\ncontainer_id: containerID2\nimage: ubuntu\ncommand: ""\ncreated_at: ${createdAt}\nstate: running\nstatus:\nnames: foobar_bar\nlabels:\nports:\nsize: 0B\n\n`,
    );
    expect(write('raw', true)).toBe('container_id: containerID1\ncontainer_id: containerID2\n');
    expect(write('{{.Image}}')).toBe('ubuntu\nubuntu\n');
  });

  it('errors are wrapped as docker prints them', () => {
    expect(() => write('{{InvalidFunction}}')).toThrow('template parsing error: template: :1: function "InvalidFunction" not defined');
    expect(() => write('{{nil}}')).toThrow('template parsing error: template: :1:2: executing "" at <nil>: nil is not a command');
    expect(() => write('{{.Foo}}')).toThrow(
      'template parsing error: template: :1:2: executing "" at <.Foo>: can\'t evaluate field Foo in type *formatter.ContainerContext',
    );
  });

  it('json renders every field, sorted', () => {
    const line = write('json').split('\n')[0];
    expect(line).toBe(
      '{"Command":"\\"\\"","CreatedAt":"2025-01-01 12:00:00 +0000 UTC","ID":"containerID1","Image":"ubuntu","Labels":"","LocalVolumes":"0","Mounts":"","Names":"foobar_baz","Networks":"","Platform":null,"Ports":"","RunningFor":"24 hours ago","Size":"0B","State":"running","Status":""}',
    );
  });

  it('the observed ps table of the reference', () => {
    const now = Date.UTC(2025, 5, 1, 12, 0, 0);
    const ago = (seconds: number): number => now / 1000 - seconds;
    const rows: ContainerSummary[] = [
      {
        Id: 'a1b2c3d4e5f6'.padEnd(64, '0'), Names: ['/web'], Image: 'nginx:latest', Command: '/docker-entrypoint.sh nginx -g daemon off;', Created: ago(70),
        State: 'running', Status: 'Up 5 seconds',
        Ports: [{ PrivatePort: 443, Type: 'tcp' }, { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }, { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }],
      },
      { Id: 'b'.repeat(64), Names: ['/old_job'], Image: 'busybox', Command: 'echo hi', Created: ago(180), State: 'exited', Status: 'Exited (0) 3 minutes ago' },
      { Id: 'c'.repeat(64), Names: ['/paused_one'], Image: 'd'.repeat(64), ImageID: 'sha256:' + 'd'.repeat(64), Command: 'sh', Created: ago(3 * 86400), State: 'paused', Status: 'Up 2 hours (Paused)' },
      { Id: 'd'.repeat(64), Names: ['/fresh'], Image: 'alpine:3.20', Command: '', Created: ago(3), State: 'created', Status: 'Created' },
    ];
    expect(containerWrite({ format: '', trunc: true, nowMs: now }, rows)).toBe(
      `CONTAINER ID   IMAGE          COMMAND                  CREATED              STATUS                     PORTS                                              NAMES
a1b2c3d4e5f6   nginx:latest   "/docker-entrypoint.…"   About a minute ago   Up 5 seconds               443/tcp, 0.0.0.0:8080->80/tcp, [::]:8080->80/tcp   web
bbbbbbbbbbbb   busybox        "echo hi"                3 minutes ago        Exited (0) 3 minutes ago                                                      old_job
cccccccccccc   dddddddddddd   "sh"                     3 days ago           Up 2 hours (Paused)                                                           paused_one
dddddddddddd   alpine:3.20    ""                       3 seconds ago        Created                                                                       fresh
`,
    );
  });

  it('custom header labels', () => {
    const header = new HeaderContext([['Name', 'NAME']]);
    expect(renderFormat('table {{.Name}}\t{{.Label "com.example.my-label"}}', header, [{ Name: 'x', Label: (k: string) => k.length }])).toBe(
      'NAME      my label\nx         20\n',
    );
  });
});

describe('display helpers', () => {
  it.each([
    [['9988/tcp'], [{ PrivatePort: 9988, Type: 'tcp' }]],
    [['0.0.0.0:0->9988/tcp'], [{ IP: '0.0.0.0', PrivatePort: 9988, Type: 'tcp' }]],
    [['[::]:0->9988/tcp'], [{ IP: '::', PrivatePort: 9988, Type: 'tcp' }]],
    [['9988/tcp'], [{ PrivatePort: 9988, PublicPort: 8899, Type: 'tcp' }]],
    [['[::1]:9988->9988/tcp'], [{ IP: '::1', PrivatePort: 9988, PublicPort: 9988, Type: 'tcp' }]],
    [['9988/udp, 9988/udp'], [{ PrivatePort: 9988, Type: 'udp' }, { PrivatePort: 9988, Type: 'udp' }]],
    [['1.2.3.4:9998-9999->9998-9999/udp'], [{ IP: '1.2.3.4', PublicPort: 9998, PrivatePort: 9998, Type: 'udp' }, { IP: '1.2.3.4', PublicPort: 9999, PrivatePort: 9999, Type: 'udp' }]],
    [['80-82/tcp'], [{ PrivatePort: 82, Type: 'tcp' }, { PrivatePort: 80, Type: 'tcp' }, { PrivatePort: 81, Type: 'tcp' }]],
  ])('ports %j', ([expected], ports) => {
    expect(displayablePorts(ports)).toBe(expected);
  });

  it('Ellipsis, TruncateID and familiar names', () => {
    expect(ellipsis('/docker-entrypoint.sh nginx', 20)).toBe('/docker-entrypoint.…');
    expect(ellipsis('short', 20)).toBe('short');
    expect(ellipsis('你好你好你好', 5)).toBe('你好…');
    expect(ellipsis('abc', 1)).toBe('a');
    expect(truncateId('sha256:' + 'e'.repeat(64))).toBe('eeeeeeeeeeee');
    expect(familiarString('docker.io/library/busybox:latest')).toBe('busybox:latest');
    expect(familiarString('nginx@sha256:' + 'a'.repeat(64))).toBe('nginx');
    expect(familiarString('localhost:5000/app:1')).toBe('localhost:5000/app:1');
    expect(familiarString('a'.repeat(64))).toBeUndefined();
  });

  it('status strings take now as a parameter', () => {
    const now = 1_000_000_000;
    expect(containerStatus({ status: 'running', startedAtMs: now - 120_000, finishedAtMs: 0, exitCode: 0 }, now)).toBe('Up 2 minutes');
    expect(containerStatus({ status: 'running', startedAtMs: now - 5_000, finishedAtMs: 0, exitCode: 0, health: 'starting' }, now)).toBe('Up 5 seconds (health: starting)');
    expect(containerStatus({ status: 'paused', startedAtMs: now - 2 * 3_600_000, finishedAtMs: 0, exitCode: 0 }, now)).toBe('Up 2 hours (Paused)');
    expect(containerStatus({ status: 'exited', startedAtMs: 1, finishedAtMs: now - 5_000, exitCode: 0 }, now)).toBe('Exited (0) 5 seconds ago');
    expect(containerStatus({ status: 'restarting', startedAtMs: 1, finishedAtMs: now - 1_000, exitCode: 3 }, now)).toBe('Restarting (3) 1 second ago');
    expect(containerStatus({ status: 'created', startedAtMs: 0, finishedAtMs: 0, exitCode: 0 }, now)).toBe('Created');
  });
});

describe('inspect templates: the typed pass, then the raw JSON (docker/cli TemplateInspector)', () => {
  const container = { Id: 'abc', HostConfig: { CpuShares: 512, Dns: ['1.1.1.1'] }, Config: { Labels: { a: 'b' } } };
  it('knows the Go field names and the JSON keys', () => {
    expect(renderInspect('{{.ID}} {{.HostConfig.CPUShares}} {{.HostConfig.DNS}} {{.Config.Labels.a}}', [container])).toBe('abc 512 [1.1.1.1] b\n');
    expect(renderInspect('{{.Id}} {{.HostConfig.CpuShares}} {{.HostConfig.Dns}} {{.Config.Labels.a}}', [container])).toBe('abc 512 [1.1.1.1] b\n');
    expect(renderInspect('{{json .HostConfig}}', [container])).toBe('{"CpuShares":512,"Dns":["1.1.1.1"]}\n');
  });
  it("sees every field of Config with Go's zero value, though the JSON omits the empty ones (image inspect of busybox)", () => {
    const image = { Id: 'sha256:x', Config: { Env: ['PATH=/bin'], Cmd: ['sh'], Labels: { b: '2', a: '1' } } };
    expect(renderInspect('{{.Config.Entrypoint}}|{{json .Config.Entrypoint}}|{{.Config.Volumes}}|{{json .Config.Volumes}}|{{.Config.User}}|{{.Config.Cmd}}', [image])).toBe('[]|null|map[]|null||[sh]\n');
    expect(renderInspect('{{json .Config}}', [image])).toBe('{"Env":["PATH=/bin"],"Cmd":["sh"],"Labels":{"a":"1","b":"2"}}\n');
    expect(renderInspect('{{if .Config.Entrypoint}}e{{else}}none{{end}} {{len .Config.Shell}}', [image])).toBe('none 0\n');
  });
  it("fails with the raw pass's missingkey=error text", () => {
    expect(() => renderInspect('{{.Nope}}', [container])).toThrow('template parsing error: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"');
    // Each pass knows only one of the names, as with docker 28.2.2.
    expect(() => renderInspect('{{.ID}} {{.Id}}', [container])).toThrow('template parsing error: template: :1:2: executing "" at <.ID>: map has no entry for key "ID"');
    // Go's chain is at its second field: docker 28.2.2 says :1:13 here
    expect(() => renderInspect('{{.HostConfig.Nope}}', [container])).toThrow('template parsing error: template: :1:13: executing "" at <.HostConfig.Nope>: map has no entry for key "Nope"');
  });
});
