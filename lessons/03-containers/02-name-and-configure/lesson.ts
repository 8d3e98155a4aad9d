// Lesson 3.2: docker run's everyday flags: -d, --name, -e, -w, -u, -h, -a, --entrypoint, --restart.
import { defineLesson, type DockerCommandRecord, type LessonEnv } from '../../../src/lessons/types';
import { inspect, inspectAll, lastIs, missing, values } from '../machine';

const conflictHint = {
  when: (last: DockerCommandRecord | undefined) => last?.status === 125 && /Conflict\. The container name "\/[^"]+" is already in use/.test(last.stderr),
  text: {
    zh: '名字冲突：已经有一个容器叫这个名字了（Conflict ... is already in use）。名字同一时间只能属于一个容器：用 docker rm -f 名字 删掉旧的，或者换一个名字。',
    en: 'Name conflict: a container already has this name (Conflict ... is already in use). A name belongs to one container at a time: remove the old one with docker rm -f NAME, or choose another name.',
  },
};

/** The image's own entrypoint, to tell whether a container replaced it. */
async function imageEntrypoint(env: LessonEnv, image: string): Promise<string | undefined> {
  const { status, body } = await env.api<{ Config: { Entrypoint: string[] | null } }>('GET', `/images/${encodeURIComponent(image)}/json`);
  return status === 200 ? JSON.stringify(body.Config.Entrypoint ?? null) : undefined;
}

export default defineLesson({
  setup: 'docker rm -f $(docker ps -aq) >/dev/null 2>&1; true',
  steps: {
    'detach-name': {
      check: async (env) => {
        const web = await inspect(env, 'web');
        if (!web) return missing('还没有名为 web 的容器。', 'There is no container named web yet.');
        if (!/^nginx(:latest)?$/.test(web.Config.Image)) return missing('web 容器不是用 nginx 镜像创建的：先 docker rm -f web，再重新运行。', 'The container web is not from the nginx image: docker rm -f web, then run it again.');
        return web.State.Running ? true : missing('web 容器没有在运行。', 'The container web is not running.');
      },
      solution: ['docker run -d --name web nginx', 'docker ps'],
      hints: [conflictHint],
    },
    'env-workdir': {
      check: async (env) => {
        const all = await inspectAll(env);
        if (!all.some((c) => (c.Config.Env ?? []).some((e) => e.startsWith('GREETING=')))) return missing('还没有用 -e 设置过 GREETING 的容器。', 'No container has GREETING set with -e yet.');
        return all.some((c) => c.Config.WorkingDir === '/tmp') ? true : missing('还没有用 -w 把工作目录设为 /tmp 的容器。', 'No container has /tmp as its working directory (-w) yet.');
      },
      solution: ["docker run -e GREETING=hello -w /tmp busybox sh -c 'echo $GREETING from $(pwd)'"],
      hints: [
        {
          when: (last) => {
            const run = lastIs(last, 'run');
            return run !== undefined && values(run, 'e', 'env').some((v) => v.startsWith('GREETING')) && !run.positional.some((a) => a.includes('$GREETING'));
          },
          text: {
            zh: '命令里已经没有 $GREETING 了：用双引号（或不加引号）时，宿主机的 shell 先把 $GREETING 展开成了空字符串，容器里的 sh 根本没看到它。用单引号把命令括起来。',
            en: 'Your command no longer contains $GREETING: with double quotes (or none) the host’s shell expanded it to nothing before docker ran, so the container’s sh never saw it. Put the command in single quotes.',
          },
        },
      ],
    },
    'user-hostname': {
      check: async (env) => {
        const all = await inspectAll(env);
        if (!all.some((c) => c.Config.User !== '' && !/^(root|0)(:.*)?$/.test(c.Config.User))) return missing('还没有用 -u 以非 root 用户运行的容器。', 'No container runs as a user other than root (-u) yet.');
        return all.some((c) => c.Config.Hostname !== c.Id.slice(0, 12)) ? true : missing('还没有用 -h 设置了主机名的容器。', 'No container has a hostname set with -h yet.');
      },
      solution: ["docker run -u nobody -h box1 busybox sh -c 'id; hostname'"],
      hints: [
        {
          when: (last) => lastIs(last, 'run') !== undefined && /unable to find user/.test(last?.stderr ?? ''),
          text: {
            zh: '镜像的 /etc/passwd 里没有这个用户（unable to find user）。用镜像里已有的用户，比如 nobody，或者直接写一个 UID，如 -u 1000。',
            en: 'The image’s /etc/passwd has no such user (unable to find user). Use a user the image has, such as nobody, or a numeric UID such as -u 1000.',
          },
        },
      ],
    },
    'attach-stdout': {
      check: async (env) =>
        (await inspectAll(env)).some((c) => !c.Config.Tty && c.Config.AttachStdout !== c.Config.AttachStderr)
          ? true
          : missing('还没有只接上 stdout 或 stderr 其中一路（-a）的容器。', 'No container has been run with only one of stdout and stderr attached (-a) yet.'),
      solution: ["docker run -a stdout busybox sh -c 'echo to stdout; echo to stderr >&2'"],
    },
    entrypoint: {
      check: async (env) => {
        for (const c of await inspectAll(env)) {
          if (c.Config.Entrypoint === null) continue;
          const own = await imageEntrypoint(env, c.Config.Image);
          if (own !== undefined && own !== JSON.stringify(c.Config.Entrypoint)) return true;
        }
        return missing('还没有用 --entrypoint 换掉镜像入口程序的容器。', 'No container has replaced its image’s entrypoint with --entrypoint yet.');
      },
      solution: ["docker image inspect -f '{{.Config.Entrypoint}} {{.Config.Cmd}}' nginx", 'docker run nginx nginx -v', 'docker run --entrypoint nginx nginx -v'],
      hints: [
        {
          when: (last) => lastIs(last, 'run') !== undefined && last?.status === 127 && /executable file not found/.test(last.stderr),
          text: {
            zh: '镜像里找不到你给 --entrypoint 的程序（executable file not found in $PATH）。--entrypoint 只写程序本身（如 nginx），参数写在镜像名后面。',
            en: 'The image has no program by the name you gave --entrypoint (executable file not found in $PATH). --entrypoint takes just the program (e.g. nginx); its arguments go after the image.',
          },
        },
      ],
    },
    restart: {
      check: async (env) => {
        const policies = (await inspectAll(env)).filter((c) => c.HostConfig.RestartPolicy.Name !== '' && c.HostConfig.RestartPolicy.Name !== 'no');
        if (policies.length === 0) return missing('还没有设置了重启策略（--restart）的容器。', 'No container has a restart policy (--restart) yet.');
        return policies.some((c) => c.RestartCount >= 1)
          ? true
          : missing('有重启策略的容器还没有被重启过：等几秒钟再看。', 'The container with a restart policy has not been restarted yet: wait a few seconds.');
      },
      solution: ["docker run -d --name flaky --restart on-failure:3 busybox sh -c 'echo starting; sleep 2; exit 1'", 'sleep 6', 'docker ps -a', 'docker logs flaky'],
      hints: [
        conflictHint,
        {
          when: (last) => lastIs(last, 'run') !== undefined && /conflicting options: cannot specify both --restart and --rm/.test(last?.stderr ?? ''),
          text: {
            zh: '--restart 和 --rm 互相矛盾：一个要在退出后重启容器，一个要在退出后删除容器。去掉 --rm。',
            en: '--restart and --rm contradict each other: one restarts the container when it exits, the other removes it. Drop --rm.',
          },
        },
      ],
    },
    'survive-kill': {
      optional: true,
      check: async (env) => {
        const keeper = await inspect(env, 'keeper');
        if (!keeper) return missing('还没有名为 keeper 的容器。', 'There is no container named keeper yet.');
        if (!['always', 'unless-stopped'].includes(keeper.HostConfig.RestartPolicy.Name)) return missing('keeper 的重启策略应该是 always（或 unless-stopped）。', 'keeper’s restart policy should be always (or unless-stopped).');
        if (keeper.RestartCount < 1) return missing('keeper 还没有被重启过：在宿主机上用 kill -9 杀掉它的进程。', 'keeper has not been restarted yet: kill its process on the host with kill -9.');
        return keeper.State.Running ? true : missing('keeper 还没有重新运行起来。', 'keeper is not running again yet.');
      },
      solution: ['docker run -d --name keeper --restart always busybox sleep 1000', "kill -9 $(docker inspect -f '{{.State.Pid}}' keeper)", 'sleep 3', 'docker ps'],
      hints: [conflictHint],
    },
  },
});
