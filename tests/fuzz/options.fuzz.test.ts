// Fuzzing the small parsers behind docker's flags and names: -p/--expose, -v/--mount, -e/--env-file/
// --label, --cpus/-m/--restart/--ulimit/--link, Go durations and sizes, and image references. The
// inputs are built from the grammar's own pieces (so most are nearly valid) plus arbitrary text;
// each parser either returns or throws docker's error (an Error with docker's text), never a
// JavaScript crash, and the well-formed round trips hold.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseEnvFile, parseExpose, parseMount, parsePortSpec, parseVolume, validateEnv, validateLabel, parseCpus, parseMemory, parseMemorySwap, parseRestartPolicy, validateRestartPolicy, parseUlimit, parseLink, convertToStandardNotation } from '../../src/cli/opts';
import { formatDuration, parseDuration } from '../../src/go/duration';
import { fromHumanSize, humanSize, ramInBytes } from '../../src/go/units';
import { parseGoDuration } from '../../src/engine/builder/instructions';
import { InvalidReferenceError, familiarString, parseAnyReference, parseDockerRef, parseNormalizedNamed, referenceString } from '../../src/engine/images/reference';
import { check, rejectsCleanly } from './budget';

/** Strings from pieces of a grammar, joined. */
const from = (pieces: readonly string[], maxLength = 8): fc.Arbitrary<string> =>
  fc.array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...pieces) }, { weight: 1, arbitrary: fc.string({ maxLength: 3 }) }), { maxLength }).map((parts) => parts.join(''));

const portPieces = ['80', '8080', '0', '65535', '65536', '-', ':', '::', '/', 'tcp', 'udp', 'sctp', 'TCP', '127.0.0.1', '[::1]', '::1', '[', ']', '1-3', '99999999999999999999', ' ', ','];
const volumePieces = ['/', 'data', ':', 'ro', 'rw', 'z', 'Z', 'nocopy', 'shared', 'rslave', 'vol', '.', '..', 'C:', '\\', ',', '~'];
const mountPieces = ['type=', 'bind', 'volume', 'tmpfs', 'image', 'npipe', ',', 'source=', 'src=', 'target=', 'dst=', 'destination=', '/data', 'readonly', 'ro=', 'true', 'false', '1', 'bind-propagation=', 'rprivate', 'bind-recursive=', 'readonly', 'writable', 'disabled', 'volume-nocopy', 'volume-label=', 'a=b', 'volume-driver=local', 'volume-opt=', 'tmpfs-size=', '10m', 'tmpfs-mode=', '1777', 'image-subpath=', 'consistency=cached', '"', '=', 'x'];
const envPieces = ['A', '=', 'b', ' ', '\t', '#', '\n', '\r\n', 'export ', '"', "'", '\ufeff', '\u0000', 'é', '$HOME'];
const numberPieces = ['0', '1', '.', '5', '-', '+', 'e', 'E', '9', '1/2', '/', '0x', 'inf', 'NaN', '_', ' ', '99999999999999999999999'];
const sizePieces = [...numberPieces, 'b', 'k', 'kb', 'kib', 'm', 'M', 'g', 'GiB', 't', 'p', 'x', 'iB'];
const durationPieces = [...numberPieces, 'ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h', 'd'];
const restartPieces = ['no', 'always', 'on-failure', 'unless-stopped', ':', '3', '-1', 'x', '+2', '99999999999999999999'];
const ulimitPieces = ['nofile', 'nproc', 'core', 'bogus', '=', ':', '1024', '-1', 'unlimited', '99999999999999999999', 'x'];
const referencePieces = ['busybox', 'library/', 'docker.io/', 'index.docker.io/', 'localhost', ':5000', '/', ':', 'latest', '@', 'sha256:', 'a'.repeat(64), 'A', '-', '_', '__', '.', 'x', '[::1]', 'UPPER', '0', '..'];

describe('fuzz: option parsers', () => {
  it('ports: -p and --expose', async () => {
    await check(
      'ports',
      fc.property(from(portPieces), (spec) => {
        rejectsCleanly(() => {
          for (const mapping of parsePortSpec(spec)) expect(mapping.port).toMatch(/^\d+\/(tcp|udp|sctp)$/);
        });
        rejectsCleanly(() => parseExpose(spec));
        rejectsCleanly(() => convertToStandardNotation([spec]));
      }),
      1000,
    );
  });

  it('volumes and mounts: -v and --mount', async () => {
    await check(
      'mounts',
      fc.property(from(volumePieces), from(mountPieces, 12), (volume, mount) => {
        rejectsCleanly(() => parseVolume(volume));
        rejectsCleanly(() => parseMount(mount, '/home/learner'));
      }),
      1000,
    );
  });

  it('env, env files and labels', async () => {
    await check(
      'env',
      fc.property(from(envPieces, 12), (text) => {
        rejectsCleanly(() => validateEnv(text, (name) => (name === 'A' ? 'a' : undefined)));
        rejectsCleanly(() => parseEnvFile('env.list', text, () => 'x'));
        rejectsCleanly(() => parseEnvFile('env.list', new TextEncoder().encode(text)));
        rejectsCleanly(() => validateLabel(text));
      }),
      1000,
    );
  });

  it('resources: --cpus, -m, --memory-swap, --restart, --ulimit, --link', async () => {
    await check(
      'resources',
      fc.property(from(sizePieces), from(restartPieces), from(ulimitPieces), (size, restart, ulimit) => {
        rejectsCleanly(() => parseCpus(size));
        rejectsCleanly(() => parseMemory(size));
        rejectsCleanly(() => parseMemorySwap(size));
        rejectsCleanly(() => validateRestartPolicy(parseRestartPolicy(restart)));
        rejectsCleanly(() => parseUlimit(ulimit));
        rejectsCleanly(() => parseLink(restart));
      }),
      1000,
    );
  });

  it('Go durations and sizes; a parsed duration prints and parses back to itself', async () => {
    await check(
      'durations-units',
      fc.property(from(durationPieces), from(sizePieces), (duration, size) => {
        rejectsCleanly(() => {
          const nanos = parseDuration(duration);
          expect(parseDuration(formatDuration(nanos))).toBe(nanos);
        });
        rejectsCleanly(() => parseGoDuration(duration));
        rejectsCleanly(() => humanSize(ramInBytes(size)));
        rejectsCleanly(() => humanSize(fromHumanSize(size)));
      }),
      1000,
    );
  });

  it('any int64 of nanoseconds formats and parses back', async () => {
    await check(
      'duration-roundtrip',
      fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (nanos) => {
        expect(parseDuration(formatDuration(nanos))).toBe(nanos);
      }),
      1000,
    );
  });
});

describe('fuzz: image references', () => {
  it('parse or fail with InvalidReferenceError; a parsed reference prints and parses back to itself', async () => {
    await check(
      'references',
      fc.property(from(referencePieces, 10), (text) => {
        rejectsCleanly(() => {
          const named = parseNormalizedNamed(text);
          // distribution/reference's own ambiguity: docker.io/localhost/x or docker.io/a.b/x print as a
          // familiar name whose first component reads as a registry; docker does the same
          const looksLikeDomain = named.domain === 'docker.io' && /^(localhost(\/|$)|[^/]*\.[^/]*\/)/.test(named.path);
          if (!looksLikeDomain) expect(referenceString(parseNormalizedNamed(familiarString(named)))).toBe(referenceString(named));
          expect(referenceString(parseNormalizedNamed(referenceString(named)))).toBe(referenceString(named));
        }, [InvalidReferenceError]);
        rejectsCleanly(() => parseDockerRef(text), [InvalidReferenceError]);
        rejectsCleanly(() => parseAnyReference(text), [InvalidReferenceError]);
      }),
      1000,
    );
  });

  it('long near-references (255+ characters) are answered, not backtracked over', async () => {
    const long = fc.tuple(fc.constantFrom('a', 'a-', 'a.', 'a_', 'a__', 'a/', 'A', '0'), fc.integer({ min: 50, max: 200 }), fc.constantFrom('!', ':', '@', '-', '/', '.', ':x@'));
    await check(
      'references-long',
      fc.property(long, ([unit, times, end]) => {
        rejectsCleanly(() => parseNormalizedNamed(unit.repeat(times) + end), [InvalidReferenceError]);
      }),
      200,
    );
  });
});
