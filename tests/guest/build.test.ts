// docker build in the real guest: the guest's docker program, the CLI reading the context from the
// guest's files (busybox tar through the share), the legacy builder running RUN in real containers and
// committing real layers, then the image run; a second build comes from the cache.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import { DocksideEngine } from '../../src/app/engine';
import { MemoryStore } from '../../src/engine/store';
import { nodeRegistry } from '../../src/node/bundled-registry';
import { shared, sh, startGuest } from '../helpers/guest';

let guest: Guest;
let engine: DocksideEngine;

beforeAll(async () => {
  guest = await startGuest();
  engine = await DocksideEngine.start({ guest, store: new MemoryStore(), registry: nodeRegistry() });
}, 60_000);
afterAll(async () => {
  await engine?.dispose();
  await guest?.destroy();
});

const dockerfile = [
  'FROM busybox',
  'WORKDIR /app',
  'ENV GREETING=hello',
  'COPY hello.txt .',
  'RUN echo "$GREETING from RUN" > /app/run.txt && cat /app/hello.txt',
  'CMD ["sh", "-c", "cat /app/hello.txt /app/run.txt; echo $GREETING; pwd; ls /app"]',
].join('\\n');

describe('docker build in the guest: RUN, COPY, WORKDIR, ENV and CMD from busybox', () => {
  const first = shared(async () => {
    const prepare = await sh(
      guest,
      `mkdir -p /root/app && cd /root/app && printf '${dockerfile}\\n' > Dockerfile && echo hi > hello.txt && echo secret > secret.txt && echo secret.txt > .dockerignore && echo ok`,
    );
    expect(prepare.stdout).toBe('ok\n');
    const result = await sh(guest, 'cd /root/app && docker build -t myapp . ; echo "status=$?"');
    return { ...result, lines: result.stdout.split('\n') };
  });
  const runStep = 'Step 5/6 : RUN echo "$GREETING from RUN" > /app/run.txt && cat /app/hello.txt';
  const second = shared(async () => {
    await first();
    return sh(guest, 'cd /root/app && docker build -t myapp . 2>/dev/null; echo "status=$?"');
  });

  it('builds and tags the image', async () => {
    const { lines } = await first();
    expect(lines.at(-2)).toBe('status=0');
    expect(lines.at(-3)).toBe('Successfully tagged myapp:latest');
  }, 240_000);

  it('says, like docker 28, that the legacy builder is deprecated', async () => {
    expect((await first()).stderr).toContain('DEPRECATED: The legacy builder is deprecated');
  });

  it('sends the build context, with its size', async () => {
    expect((await first()).lines[0]).toMatch(/^Sending build context to Docker daemon +\d+(\.\d+)?kB\r\r$/);
  });

  it('prints each step', async () => {
    const { lines } = await first();
    expect(lines).toContain('Step 1/6 : FROM busybox');
    expect(lines).toContain(runStep);
  });

  it('runs RUN in a container, shows its output, and removes the container', async () => {
    const { lines } = await first();
    const run = lines.indexOf(runStep);
    expect(lines[run + 1]).toMatch(/^ ---> Running in [0-9a-f]{12}$/);
    expect(lines[run + 2]).toBe('hi');
    expect(lines[run + 3]).toMatch(/^ ---> Removed intermediate container [0-9a-f]{12}$/);
  });

  it('uses no cache the first time', async () => {
    expect((await first()).stdout).not.toContain('Using cache');
  });

  it('the image runs with its CMD, WORKDIR, ENV, the COPYed file and the one RUN wrote', async () => {
    await first();
    const ran = await sh(guest, 'docker run --rm myapp; echo "status=$?"');
    expect(ran.stdout).toBe('hi\nhello from RUN\nhello\n/app\nhello.txt\nrun.txt\nstatus=0\n');
  }, 60_000);

  it('history shows the steps as the legacy builder records them', async () => {
    await first();
    const history = await sh(guest, 'docker history --no-trunc --format "{{.CreatedBy}}" myapp | head -6');
    expect(history.stdout.split('\n').slice(0, 5)).toEqual([
      '/bin/sh -c #(nop)  CMD ["sh" "-c" "cat /app/hello.txt /app/run.txt; echo $GREETING; pwd; ls /app"]',
      '/bin/sh -c echo "$GREETING from RUN" > /app/run.txt && cat /app/hello.txt',
      expect.stringMatching(/^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \/app $/),
      '/bin/sh -c #(nop)  ENV GREETING=hello',
      '/bin/sh -c #(nop) WORKDIR /app',
    ]);
  });

  it('builds again from the cache: every step, no container', async () => {
    const { stdout } = await second();
    expect(stdout.split('\n').filter((line) => line === ' ---> Using cache')).toHaveLength(5);
    expect(stdout).not.toContain('Running in');
    expect(stdout.split('\n').at(-3)).toBe('Successfully tagged myapp:latest');
  }, 120_000);

  it('the cached build gives the same image', async () => {
    const firstId = (await first()).lines.find((line) => line.startsWith('Successfully built '));
    expect(firstId).toBeDefined();
    expect((await second()).stdout).toContain(`${firstId}\n`);
  }, 120_000);

  it('leaves no container behind', async () => {
    await second();
    expect((await sh(guest, 'docker ps -aq | wc -l')).stdout.trim()).toBe('0');
  });
});

describe('docker build errors in the guest', () => {
  it('fails a RUN with its exit code', async () => {
    const failing = await sh(guest, "mkdir -p /root/bad && cd /root/bad && printf 'FROM busybox\\nRUN echo failing; exit 3\\n' > Dockerfile && docker build . 2>&1; echo \"status=$?\"");
    expect(failing.stdout).toContain('failing\n');
    expect(failing.stdout).toContain("The command '/bin/sh -c echo failing; exit 3' returned a non-zero code: 3\nstatus=3\n");
  }, 120_000);

  it("fails a COPY of a file .dockerignore leaves out with docker's message", async () => {
    const ignored = await sh(
      guest,
      "mkdir -p /root/app && cd /root/app && echo secret > secret.txt && echo secret.txt > .dockerignore && printf 'FROM busybox\\nCOPY secret.txt /\\n' > Dockerfile.secret && docker build -f Dockerfile.secret . 2>&1; echo \"status=$?\"",
    );
    expect(ignored.stdout).toContain('COPY failed: file not found in build context or excluded by .dockerignore: stat secret.txt: file does not exist\nstatus=1\n');
  }, 120_000);
});

describe('docker build in the guest: USER, COPY --chown and ADD', () => {
  const lines = shared(async () => {
    const script = `mkdir -p /root/users/src && cd /root/users && echo hi > hello.txt && echo inner > src/inner.txt && tar -czf pack.tar.gz src
cat > Dockerfile <<'END'
FROM busybox
RUN echo app:x:1234:1234::/home/app:/bin/sh >> /etc/passwd && echo app:x:1234: >> /etc/group
COPY --chown=app:app hello.txt /home/app/
ADD pack.tar.gz /opt/
USER app
RUN id -un > /tmp/who
END
docker build -q -t users . >/tmp/users.out 2>&1 || cat /tmp/users.out
docker run --rm users sh -c "cat /tmp/who; stat -c '%u:%g %n' /home/app/hello.txt; cat /opt/src/inner.txt"; echo "status=$?"`;
    const result = await sh(guest, script);
    expect(result.stdout.split('\n').at(-2)).toBe('status=0');
    return result.stdout.split('\n');
  });

  it('USER runs the next RUN as a user that an earlier RUN created', async () => {
    expect((await lines())[0]).toBe('app');
  }, 120_000);

  it('COPY --chown gives the file to that user and group', async () => {
    expect((await lines())[1]).toBe('1234:1234 /home/app/hello.txt');
  });

  it('ADD of a gzip tarball unpacks it', async () => {
    expect((await lines())[2]).toBe('inner');
  });
});
