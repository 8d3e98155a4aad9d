import { defineLesson, type DockerCommandRecord, type LessonEnv } from '../../../src/lessons/types';

interface ContainerJson {
  Id: string;
  State: { Running: boolean; ExitCode: number; OOMKilled: boolean };
  HostConfig: { Memory: number; MemorySwap: number };
}

const MiB = 1024 * 1024;

async function container(env: LessonEnv, name: string): Promise<ContainerJson | undefined> {
  const { status, body } = await env.api<ContainerJson>('GET', `/containers/${name}/json`);
  return status === 200 ? body : undefined;
}

/** memory.max of the container's cgroup, read on the host (what the kernel enforces). */
async function memoryMax(env: LessonEnv, id: string): Promise<string | undefined> {
  return (await env.readFile(`/sys/fs/cgroup/docker/${id}/memory.max`))?.trim();
}

function verb(record: DockerCommandRecord): readonly string[] {
  return record.argv[0] === 'container' ? record.argv.slice(1) : record.argv;
}

const notFound = (name: string) => ({
  missing: { zh: `还没有名为 ${name} 的容器。`, en: `There is no container named ${name} yet.` },
});

const minimum = {
  when: (last: DockerCommandRecord | undefined) => last !== undefined && /Minimum memory limit allowed is 6MB/.test(last.stderr),
  text: {
    zh: '没写单位的数字按字节算：`-m 32` 是 32 字节，低于 Docker 允许的最小值 6MB。写成 `-m 32m`。',
    en: 'A number without a unit is bytes: `-m 32` means 32 bytes, below the 6MB minimum Docker allows. Write `-m 32m`.',
  },
};

const nameInUse = (name: string) => ({
  when: (last: DockerCommandRecord | undefined) => last !== undefined && /is already in use/.test(last.stderr),
  text: {
    zh: `名字 ${name} 已经被占用了。先 \`docker rm -f ${name}\`，再运行一次。`,
    en: `The name ${name} is taken. Remove it with \`docker rm -f ${name}\`, then run again.`,
  },
});

const swapLimit = {
  when: (last: DockerCommandRecord | undefined) => last !== undefined && /memoryswap limit/.test(last.stderr),
  text: {
    zh: 'Docker 拒绝了：新的内存上限超过了容器现有的 memory-swap 上限（只设 `-m 32m` 时它是 64m）。同时调大它：`docker update -m 128m --memory-swap 256m capped`。',
    en: 'Docker refused: the new memory limit is above the container\'s memory-swap limit (64m after `-m 32m` alone). Raise both at once: `docker update -m 128m --memory-swap 256m capped`.',
  },
};

export default defineLesson({
  setup: 'docker rm -f $(docker ps -aq) 2>/dev/null; true',
  steps: {
    limit: {
      check: async (env) => {
        const c = await container(env, 'capped');
        if (!c) return notFound('capped');
        if (c.HostConfig.Memory !== 32 * MiB)
          return {
            missing: {
              zh: `capped 的内存上限是 ${c.HostConfig.Memory} 字节，不是 32m。删掉它（\`docker rm -f capped\`）再用 \`-m 32m\` 启动。`,
              en: `capped's memory limit is ${c.HostConfig.Memory} bytes, not 32m. Remove it (\`docker rm -f capped\`) and start it with \`-m 32m\`.`,
            },
          };
        if (!c.State.Running) return { missing: { zh: 'capped 存在，但没有在运行。', en: 'capped exists but is not running.' } };
        return true;
      },
      solution: ['docker run -d --name capped -m 32m busybox sleep 3600'],
      hints: [minimum, nameInUse('capped')],
    },
    cgroup: {
      check: async (env) =>
        env.commands().some((r) => r.status === 0 && verb(r)[0] === 'exec' && verb(r).includes('capped') && verb(r).some((a) => a.endsWith('memory.max')))
          ? true
          : { missing: { zh: '还没有在 capped 里读 `memory.max`（`docker exec capped cat /sys/fs/cgroup/memory.max`）。', en: 'You have not read `memory.max` inside capped yet (`docker exec capped cat /sys/fs/cgroup/memory.max`).' } },
      solution: ["ID=$(docker inspect -f '{{.Id}}' capped)", 'cat /sys/fs/cgroup/docker/$ID/memory.max', 'docker exec capped cat /sys/fs/cgroup/memory.max'],
    },
    stats: {
      check: async (env) =>
        env.commands().some((r) => verb(r)[0] === 'stats' && !/Error|No such/.test(r.stderr))
          ? true
          : { missing: { zh: '还没有运行 `docker stats --no-stream`。', en: '`docker stats --no-stream` has not run yet.' } },
      solution: ['docker stats --no-stream'],
    },
    update: {
      check: async (env) => {
        const c = await container(env, 'capped');
        if (!c) return notFound('capped');
        if (c.HostConfig.Memory !== 64 * MiB)
          return { missing: { zh: 'capped 的内存上限还不是 64m。', en: "capped's memory limit is not 64m yet." } };
        const max = await memoryMax(env, c.Id);
        if (max !== String(64 * MiB))
          return { missing: { zh: `cgroup 里的 memory.max 是 ${max ?? '（读不到）'}，不是 67108864。`, en: `memory.max in the cgroup is ${max ?? '(unreadable)'}, not 67108864.` } };
        return true;
      },
      solution: ['docker update -m 64m capped', 'docker exec capped cat /sys/fs/cgroup/memory.max'],
      hints: [swapLimit, minimum],
    },
    oom: {
      check: async (env) => {
        const c = await container(env, 'hog');
        if (!c) return notFound('hog');
        if (c.State.Running) return { missing: { zh: 'hog 还在运行，等它撞上限。', en: 'hog is still running; wait for it to hit the limit.' } };
        if (!c.State.OOMKilled || c.State.ExitCode !== 137)
          return {
            missing: {
              zh: `hog 以 ${c.State.ExitCode} 退出，OOMKilled 是 ${String(c.State.OOMKilled)}：它没有被 OOM killer 杀掉。检查 \`-m 16m\` 和循环命令，删掉它再来一次。`,
              en: `hog exited with ${c.State.ExitCode} and OOMKilled is ${String(c.State.OOMKilled)}: the OOM killer did not kill it. Check \`-m 16m\` and the loop, remove it and try again.`,
            },
          };
        return true;
      },
      solution: ["docker run --name hog -m 16m busybox sh -c 'x=a; while true; do x=$x$x; done'", 'echo $?', "docker inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' hog", "dmesg | grep -i 'out of memory'"],
      hints: [nameInUse('hog'), minimum],
    },
    raise: {
      optional: true,
      check: async (env) => {
        const c = await container(env, 'capped');
        if (!c) return notFound('capped');
        if (c.HostConfig.Memory !== 128 * MiB) return { missing: { zh: 'capped 的内存上限还不是 128m。', en: "capped's memory limit is not 128m yet." } };
        const max = await memoryMax(env, c.Id);
        if (max !== String(128 * MiB))
          return { missing: { zh: `cgroup 里的 memory.max 是 ${max ?? '（读不到）'}，不是 134217728。`, en: `memory.max in the cgroup is ${max ?? '(unreadable)'}, not 134217728.` } };
        return true;
      },
      solution: ['docker update -m 128m --memory-swap 256m capped', 'docker exec capped cat /sys/fs/cgroup/memory.max'],
      hints: [swapLimit],
    },
  },
});
