// docker build in the real guest: the guest's docker program, the CLI reading the context from the
// guest's files (busybox tar through the share), the legacy builder running RUN in real containers and
// committing real layers, then the image run; a second build comes from the cache.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import { DocksideEngine } from '../../src/app/engine';
import { MemoryStore } from '../../src/engine/store';
import { nodeRegistry } from '../../src/node/bundled-registry';
import { sh, startGuest } from '../helpers/guest';

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

describe('docker build in the guest', () => {
  it('builds from busybox with RUN, COPY, WORKDIR, ENV and CMD, runs the image, and builds again from the cache', async () => {
    const prepare = await sh(
      guest,
      `mkdir -p /root/app && cd /root/app && printf '${dockerfile}\\n' > Dockerfile && echo hi > hello.txt && echo secret > secret.txt && echo secret.txt > .dockerignore && echo ok`,
    );
    expect(prepare.stdout).toBe('ok\n');
    const first = await sh(guest, 'cd /root/app && docker build -t myapp . ; echo "status=$?"');
    expect(first.stderr).toContain('DEPRECATED: The legacy builder is deprecated');
    const lines = first.stdout.split('\n');
    expect(lines.at(-2)).toBe('status=0');
    expect(lines[0]).toMatch(/^Sending build context to Docker daemon +\d+(\.\d+)?kB\r\r$/);
    expect(lines).toContain('Step 1/6 : FROM busybox');
    expect(lines).toContain('Step 5/6 : RUN echo "$GREETING from RUN" > /app/run.txt && cat /app/hello.txt');
    const run = lines.indexOf('Step 5/6 : RUN echo "$GREETING from RUN" > /app/run.txt && cat /app/hello.txt');
    expect(lines[run + 1]).toMatch(/^ ---> Running in [0-9a-f]{12}$/);
    expect(lines[run + 2]).toBe('hi');
    expect(lines[run + 3]).toMatch(/^ ---> Removed intermediate container [0-9a-f]{12}$/);
    expect(lines.at(-3)).toBe('Successfully tagged myapp:latest');
    expect(first.stdout).not.toContain('Using cache');

    const ran = await sh(guest, 'docker run --rm myapp; echo "status=$?"');
    expect(ran.stdout).toBe('hi\nhello from RUN\nhello\n/app\nhello.txt\nrun.txt\nstatus=0\n');

    const history = await sh(guest, 'docker history --no-trunc --format "{{.CreatedBy}}" myapp | head -6');
    expect(history.stdout.split('\n').slice(0, 5)).toEqual([
      '/bin/sh -c #(nop)  CMD ["sh" "-c" "cat /app/hello.txt /app/run.txt; echo $GREETING; pwd; ls /app"]',
      '/bin/sh -c echo "$GREETING from RUN" > /app/run.txt && cat /app/hello.txt',
      expect.stringMatching(/^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \/app $/),
      '/bin/sh -c #(nop)  ENV GREETING=hello',
      '/bin/sh -c #(nop) WORKDIR /app',
    ]);

    const second = await sh(guest, 'cd /root/app && docker build -t myapp . 2>/dev/null; echo "status=$?"');
    expect(second.stdout.split('\n').filter((line) => line === ' ---> Using cache')).toHaveLength(5);
    expect(second.stdout).not.toContain('Running in');
    expect(second.stdout.split('\n').at(-3)).toBe('Successfully tagged myapp:latest');
    const firstId = lines.find((line) => line.startsWith('Successfully built '));
    expect(second.stdout).toContain(`${firstId}\n`);
    expect((await sh(guest, 'docker ps -aq | wc -l')).stdout.trim()).toBe('0');
  }, 240_000);

  it('fails a RUN with its exit code, and a COPY of an ignored file with docker\'s message', async () => {
    const failing = await sh(guest, "mkdir -p /root/bad && cd /root/bad && printf 'FROM busybox\\nRUN echo failing; exit 3\\n' > Dockerfile && docker build . 2>&1; echo \"status=$?\"");
    expect(failing.stdout).toContain('failing\n');
    expect(failing.stdout).toContain("The command '/bin/sh -c echo failing; exit 3' returned a non-zero code: 3\nstatus=3\n");
    const ignored = await sh(guest, "cd /root/app && printf 'FROM busybox\\nCOPY secret.txt /\\n' > Dockerfile.secret && docker build -f Dockerfile.secret . 2>&1; echo \"status=$?\"");
    expect(ignored.stdout).toContain('COPY failed: file not found in build context or excluded by .dockerignore: stat secret.txt: file does not exist\nstatus=1\n');
  }, 120_000);

  it('USER and COPY --chown with a user that a RUN created, and ADD of a gzip tarball', async () => {
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
    expect(result.stdout).toBe('app\n1234:1234 /home/app/hello.txt\ninner\nstatus=0\n');
  }, 120_000);
});
