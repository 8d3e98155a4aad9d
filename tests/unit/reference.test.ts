// Image references parse, normalise, display and fail as docker's (distribution/reference v0.6).

import { describe, expect, it } from 'vitest';
import {
  familiarMatch,
  familiarName,
  familiarString,
  isNamed,
  parseAnyReference,
  parseDockerRef,
  parseNormalizedNamed,
  parseReference,
  pathMatch,
  referenceName,
  referenceString,
  tagNameOnly,
  trimNamed,
  withDigest,
  withTag,
} from '../../src/engine/images/reference';

const hex = 'f'.repeat(64);
const digest = `sha256:${hex}`;

describe('parseReference (no normalisation)', () => {
  it.each([
    // input, name, domain, tag, digest
    ['test_com', 'test_com', '', undefined, undefined],
    ['test.com:tag', 'test.com', '', 'tag', undefined],
    ['test.com:5000', 'test.com', '', '5000', undefined],
    ['test.com/repo:tag', 'test.com/repo', 'test.com', 'tag', undefined],
    ['test:5000/repo', 'test:5000/repo', 'test:5000', undefined, undefined],
    ['test:5000/repo:tag', 'test:5000/repo', 'test:5000', 'tag', undefined],
    [`test:5000/repo@${digest}`, 'test:5000/repo', 'test:5000', undefined, digest],
    [`test:5000/repo:tag@${digest}`, 'test:5000/repo', 'test:5000', 'tag', digest],
    ['lowercase:Uppercase', 'lowercase', '', 'Uppercase', undefined],
    ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com/bar/baz/quux', 'sub-dom1.foo.com', 'some-long-tag', undefined],
    ['b.gcr.io/test.example.com/my-app:test.example.com', 'b.gcr.io/test.example.com/my-app', 'b.gcr.io', 'test.example.com', undefined],
    ['xn--n3h.com/myimage:xn--n3h.com', 'xn--n3h.com/myimage', 'xn--n3h.com', 'xn--n3h.com', undefined],
    ['foo_bar.com:8080', 'foo_bar.com', '', '8080', undefined],
    ['foo/foo_bar.com:8080', 'foo/foo_bar.com', 'foo', '8080', undefined],
    ['192.168.1.1', '192.168.1.1', '', undefined, undefined],
    ['192.168.1.1:5000/repo:5050', '192.168.1.1:5000/repo', '192.168.1.1:5000', '5050', undefined],
    ['[2001:db8::1]/repo', '[2001:db8::1]/repo', '[2001:db8::1]', undefined, undefined],
    ['[2001:db8::1]:5000/repo:tag', '[2001:db8::1]:5000/repo', '[2001:db8::1]:5000', 'tag', undefined],
    ['[::1]:5000/repo', '[::1]:5000/repo', '[::1]:5000', undefined, undefined],
    [`${'a/'.repeat(127)}a:tag-puts-this-over-max`, `${'a/'.repeat(127)}a`, 'a', 'tag-puts-this-over-max', undefined],
    [`example.com/${'a'.repeat(255)}:tag`, `example.com/${'a'.repeat(255)}`, 'example.com', 'tag', undefined],
  ])('%s', (input, name, domain, tag, expectedDigest) => {
    const reference = parseReference(input);
    expect(referenceName(reference)).toBe(name);
    expect(reference.domain).toBe(domain);
    expect(reference.tag).toBe(tag);
    expect(reference.digest).toBe(expectedDigest);
    expect(referenceString(reference)).toBe(input);
  });

  it.each([
    ['', 'repository name must have at least one component'],
    [':justtag', 'invalid reference format'],
    [`@${digest}`, 'invalid reference format'],
    ['repo@sha256:ffffffffffffffffffffffffffffffffff', 'invalid checksum digest length'],
    [`validname@invaliddigest:${hex}`, 'unsupported digest algorithm'],
    ['Uppercase:tag', 'repository name must be lowercase'],
    ['test:5000/Uppercase/lowercase:tag', 'repository name must be lowercase'],
    [`domain/${'a'.repeat(256)}:tag`, 'repository name must not be more than 255 characters'],
    ['aa/asdf$$^/aa', 'invalid reference format'],
    ['[2001:db8::1]', 'invalid reference format'],
    ['[2001:db8::1]:5000', 'invalid reference format'],
    ['[fe80::1%eth0]:5000/repo', 'invalid reference format'],
    [`repo:${'t'.repeat(129)}`, 'invalid reference format'],
  ])('%s is refused: %s', (input, message) => {
    expect(() => parseReference(input)).toThrow(message);
  });
});

describe('parseNormalizedNamed', () => {
  it.each([
    // input, full name, familiar name, domain, path
    ['busybox', 'docker.io/library/busybox', 'busybox', 'docker.io', 'library/busybox'],
    ['library/busybox', 'docker.io/library/busybox', 'busybox', 'docker.io', 'library/busybox'],
    ['docker.io/busybox', 'docker.io/library/busybox', 'busybox', 'docker.io', 'library/busybox'],
    ['index.docker.io/library/busybox', 'docker.io/library/busybox', 'busybox', 'docker.io', 'library/busybox'],
    ['user/repo', 'docker.io/user/repo', 'user/repo', 'docker.io', 'user/repo'],
    ['index.docker.io/fooo/bar', 'docker.io/fooo/bar', 'fooo/bar', 'docker.io', 'fooo/bar'],
    ['library/foo/bar', 'docker.io/library/foo/bar', 'library/foo/bar', 'docker.io', 'library/foo/bar'],
    ['other/library', 'docker.io/other/library', 'other/library', 'docker.io', 'other/library'],
    ['localhost/x', 'localhost/x', 'localhost/x', 'localhost', 'x'],
    ['localhost/fooo/bar', 'localhost/fooo/bar', 'localhost/fooo/bar', 'localhost', 'fooo/bar'],
    ['LOCALDOMAIN/fooo', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN/fooo', 'LOCALDOMAIN', 'fooo'],
    ['Foo/bar', 'Foo/bar', 'Foo/bar', 'Foo', 'bar'],
    ['127.0.0.1:5000/x', '127.0.0.1:5000/x', '127.0.0.1:5000/x', '127.0.0.1:5000', 'x'],
    ['example.com:8000/private/moonbase', 'example.com:8000/private/moonbase', 'example.com:8000/private/moonbase', 'example.com:8000', 'private/moonbase'],
    ['[fc00::1]:5000/docker/docker', '[fc00::1]:5000/docker/docker', '[fc00::1]:5000/docker/docker', '[fc00::1]:5000', 'docker/docker'],
    ['ubuntu-12.04-base', 'docker.io/library/ubuntu-12.04-base', 'ubuntu-12.04-base', 'docker.io', 'library/ubuntu-12.04-base'],
    ['docker---rules/docker', 'docker.io/docker---rules/docker', 'docker---rules/docker', 'docker.io', 'docker---rules/docker'],
    ['dock__er/docker', 'docker.io/dock__er/docker', 'dock__er/docker', 'docker.io', 'dock__er/docker'],
    [`docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a`, 'docker.io/library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', '1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a', 'docker.io', 'library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a'],
  ])('%s -> %s', (input, full, familiar, domain, path) => {
    const reference = parseNormalizedNamed(input);
    expect(referenceString(reference)).toBe(full);
    expect(familiarName(reference)).toBe(familiar);
    expect(reference.domain).toBe(domain);
    expect(reference.path).toBe(path);
    expect(reference.tag).toBeUndefined();
  });

  it.each([
    ['busybox:latest', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['user/repo:tag', 'docker.io/user/repo:tag', 'user/repo:tag'],
    ['127.0.0.1:5000/x:tag', '127.0.0.1:5000/x:tag', '127.0.0.1:5000/x:tag'],
    ['host:5000/repo:1.0', 'host:5000/repo:1.0', 'host:5000/repo:1.0'],
    [`busybox@${digest}`, `docker.io/library/busybox@${digest}`, `busybox@${digest}`],
    [`busybox:1.36@${digest}`, `docker.io/library/busybox:1.36@${digest}`, `busybox:1.36@${digest}`],
    [`localhost:5000/a/b:c@${digest}`, `localhost:5000/a/b:c@${digest}`, `localhost:5000/a/b:c@${digest}`],
  ])('%s keeps tag and digest: %s, shown as %s', (input, full, familiar) => {
    const reference = parseNormalizedNamed(input);
    expect(referenceString(reference)).toBe(full);
    expect(familiarString(reference)).toBe(familiar);
  });

  it('leaves a missing tag missing; tagNameOnly adds latest', () => {
    const reference = parseNormalizedNamed('busybox');
    expect(familiarString(reference)).toBe('busybox');
    expect(familiarString(tagNameOnly(reference))).toBe('busybox:latest');
    expect(referenceString(tagNameOnly(reference))).toBe('docker.io/library/busybox:latest');
    expect(familiarString(tagNameOnly(parseNormalizedNamed(`busybox@${digest}`)))).toBe(`busybox@${digest}`);
  });

  it.each([
    ['Busybox', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    ['Busybox:latest', 'invalid reference format: repository name (library/Busybox) must be lowercase'],
    ['docker/Docker', 'invalid reference format: repository name (docker/Docker) must be lowercase'],
    ['docker.io/docker/Docker', 'invalid reference format: repository name (docker/Docker) must be lowercase'],
    ['test:5000/Uppercase/lowercase:tag', 'invalid reference format: repository name (Uppercase/lowercase) must be lowercase'],
    // docker cuts at the digest's colon too, and says so
    [`Busybox@${digest}`, 'invalid reference format: repository name (library/Busybox@sha256) must be lowercase'],
    [hex, `invalid repository name (${hex}), cannot specify 64-byte hexadecimal strings`],
    ['', 'invalid reference format'],
    ['https://github.com/docker/docker', 'invalid reference format'],
    ['-docker', 'invalid reference format'],
    ['-docker/docker', 'invalid reference format'],
    ['docker-/docker', 'invalid reference format'],
    ['docker///docker', 'invalid reference format'],
    ['____/____', 'invalid reference format'],
    ['dock..er/docker', 'invalid reference format'],
    ['dock_.er/docker', 'invalid reference format'],
    ['docker/', 'invalid reference format'],
    ['[fc00::1]', 'invalid reference format'],
    ['fc00::1:5000/debian', 'invalid reference format'],
    ['[2001:db8:3:4::192.0.2.33]:5000/debian', 'invalid reference format'],
    ['busybox:', 'invalid reference format'],
    ['busybox:-x', 'invalid reference format'],
    ['busybox@sha256:abc', 'invalid reference format'],
    [`busybox@sha256:${'f'.repeat(63)}`, 'invalid checksum digest length'],
    [`${'a'.repeat(256)}/b`, 'repository name must not be more than 255 characters'],
  ])('%s is refused: %s', (input, message) => {
    let thrown: unknown;
    try {
      parseNormalizedNamed(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message).toBe(message);
  });
});

describe('parseDockerRef', () => {
  it.each([
    ['redis', 'docker.io/library/redis:latest'],
    ['redis:7', 'docker.io/library/redis:7'],
    ['docker.io/library/redis:latest', 'docker.io/library/redis:latest'],
    [`redis@${digest}`, `docker.io/library/redis@${digest}`],
    // the digest wins, the tag is dropped
    [`redis:7@${digest}`, `docker.io/library/redis@${digest}`],
    ['localhost/x', 'localhost/x:latest'],
  ])('%s -> %s', (input, expected) => {
    expect(referenceString(parseDockerRef(input))).toBe(expected);
  });
});

describe('parseAnyReference', () => {
  it('takes 64 hex characters as a sha256 id', () => {
    const reference = parseAnyReference(hex);
    expect(isNamed(reference)).toBe(false);
    expect(reference.digest).toBe(digest);
  });

  it('takes algo:hex as a digest', () => {
    expect(parseAnyReference(digest)).toEqual({ digest });
  });

  it('takes a short id as a name (the daemon then tries it as an id prefix)', () => {
    const reference = parseAnyReference('1234abcd');
    expect(isNamed(reference) && referenceString(reference)).toBe('docker.io/library/1234abcd');
  });

  it('takes a short sha256: prefix as name sha256 with a tag, as docker does', () => {
    const reference = parseAnyReference('sha256:1234abcd');
    expect(isNamed(reference) && referenceString(reference)).toBe('docker.io/library/sha256:1234abcd');
  });
});

describe('helpers', () => {
  it('withTag and withDigest validate', () => {
    const busybox = parseNormalizedNamed('busybox');
    expect(familiarString(withTag(busybox, 'v1'))).toBe('busybox:v1');
    expect(() => withTag(busybox, '-foo')).toThrow('invalid tag format');
    expect(familiarString(withDigest(busybox, digest))).toBe(`busybox@${digest}`);
    expect(() => withDigest(busybox, 'foo')).toThrow('invalid digest format');
    expect(familiarString(trimNamed(parseNormalizedNamed(`busybox:1@${digest}`)))).toBe('busybox');
  });
});

describe('familiarMatch (docker images REPOSITORY, --filter reference=)', () => {
  const busyboxLatest = parseNormalizedNamed('busybox:latest');
  const userRepo = parseNormalizedNamed('user/repo:1.0');
  const local = parseNormalizedNamed('localhost:5000/team/app:dev');
  it.each([
    ['busybox', busyboxLatest, true],
    ['busybox:latest', busyboxLatest, true],
    ['busybox:*', busyboxLatest, true],
    ['busy*', busyboxLatest, true],
    ['busybo?', busyboxLatest, true],
    ['b[a-z]sybox', busyboxLatest, true],
    ['b[^a-t]sybox', busyboxLatest, true],
    ['b[!u]sybox', busyboxLatest, true], // Go negates with ^ only: ! is a class member
    ['library/busybox', busyboxLatest, false],
    ['docker.io/library/busybox', busyboxLatest, false],
    ['*', userRepo, false],
    ['*/*', userRepo, true],
    ['user/*:1.*', userRepo, true],
    ['*/repo', userRepo, true],
    ['localhost:5000/*/*', local, true],
    ['localhost:5000/team/app:d?v', local, true],
    ['busybox\\:latest', busyboxLatest, true],
  ])('%s against %o: %s', (pattern, reference, expected) => {
    expect(familiarMatch(pattern, reference)).toBe(expected);
  });

  it.each(['[', 'a[', '[]a]', '[-a]', 'x\\', '[a-]'])('%s is a syntax error', (pattern) => {
    expect(() => pathMatch(pattern, 'a')).toThrow('syntax error in pattern');
  });

  it('follows Go path.Match on classes and escapes', () => {
    expect(pathMatch('a[/]b', 'a/b')).toBe(true);
    expect(pathMatch('a?b', 'a/b')).toBe(false);
    expect(pathMatch('[z-a]', 'q')).toBe(false);
    expect(pathMatch('[\\]]', ']')).toBe(true);
    expect(pathMatch('a.b', 'axb')).toBe(false);
  });
});
