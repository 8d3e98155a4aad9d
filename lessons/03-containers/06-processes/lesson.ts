import { defineLesson, type DockerCommandRecord, type LessonEnv } from '../../../src/lessons/types';

interface Change {
  Path: string;
  /** 0 changed, 1 added, 2 deleted. */
  Kind: number;
}

interface ContainerJson {
  Id: string;
  Config: { Hostname: string };
  State: { Running: boolean };
}

/** The container's inspect JSON, or undefined when there is no such container. */
async function container(env: LessonEnv, name: string): Promise<ContainerJson | undefined> {
  const { status, body } = await env.api<ContainerJson>('GET', `/containers/${name}/json`);
  return status === 200 ? body : undefined;
}

/** argv without the management-command prefix (`docker container top` is `docker top`). */
function verb(record: DockerCommandRecord): readonly string[] {
  return record.argv[0] === 'container' ? record.argv.slice(1) : record.argv;
}

/** Whether the learner ran a docker command that ended with status 0 and passes `test`. */
function ran(env: LessonEnv, test: (argv: readonly string[]) => boolean): boolean {
  return env.commands().some((c) => c.status === 0 && test(verb(c)));
}

const noSuchContainer = {
  when: (last: DockerCommandRecord | undefined) => last !== undefined && /No such container/.test(last.stderr),
  text: {
    zh: 'docker 找不到这个名字的容器。检查名字拼写（`sleeper`），或者用 `docker ps -a` 看看它还在不在。',
    en: 'docker found no container by that name. Check the spelling (`sleeper`), or look with `docker ps -a` whether it still exists.',
  },
};

const notRunning = {
  when: (last: DockerCommandRecord | undefined) => last !== undefined && /is not running/.test(last.stderr),
  text: {
    zh: '容器已经停了：`docker top` 和 `docker exec` 只对运行中的容器有效。用 `docker start sleeper` 再启动它。',
    en: 'The container has stopped: `docker top` and `docker exec` only work on a running container. Start it again with `docker start sleeper`.',
  },
};

export default defineLesson({
  setup: 'docker rm -f $(docker ps -aq) 2>/dev/null; true',
  steps: {
    start: {
      check: async (env) => {
        const c = await container(env, 'sleeper');
        if (!c) return { missing: { zh: '还没有名为 sleeper 的容器。', en: 'There is no container named sleeper yet.' } };
        if (!c.State.Running) return { missing: { zh: 'sleeper 存在，但没有在运行。', en: 'sleeper exists but is not running.' } };
        return true;
      },
      solution: ['docker run -d --name sleeper busybox sleep 3600'],
      hints: [
        {
          when: (last) => last !== undefined && /is already in use/.test(last.stderr),
          text: {
            zh: '名字 sleeper 已经被另一个容器占用了（可能是之前留下的）。先 `docker rm -f sleeper` 再运行。',
            en: 'The name sleeper is taken by another container (perhaps one left from before). Remove it with `docker rm -f sleeper`, then run again.',
          },
        },
      ],
    },
    top: {
      check: async (env) =>
        ran(env, (a) => a[0] === 'top' && a.includes('sleeper'))
          ? true
          : { missing: { zh: '还没有成功运行 `docker top sleeper`。', en: '`docker top sleeper` has not run successfully yet.' } },
      solution: ['docker top sleeper', 'ps -o pid,ppid,args | grep sleep'],
      hints: [noSuchContainer, notRunning],
    },
    'pid-ns': {
      check: async (env) =>
        ran(env, (a) => a[0] === 'exec' && a.includes('sleeper') && a.includes('ps'))
          ? true
          : { missing: { zh: '还没有在 sleeper 里运行 `ps`（`docker exec sleeper ps`）。', en: 'You have not run `ps` inside sleeper yet (`docker exec sleeper ps`).' } },
      solution: ['docker exec sleeper ps'],
      hints: [noSuchContainer, notRunning],
    },
    ns: {
      check: async (env) =>
        ran(env, (a) => a[0] === 'inspect' && a.includes('sleeper') && a.join(' ').includes('.State.Pid'))
          ? true
          : {
              missing: {
                zh: '还没有用 `docker inspect -f \'{{.State.Pid}}\' sleeper` 取到宿主机上的 PID。',
                en: 'You have not read the host PID with `docker inspect -f \'{{.State.Pid}}\' sleeper` yet.',
              },
            },
      solution: ["PID=$(docker inspect -f '{{.State.Pid}}' sleeper)", 'ls -l /proc/$PID/ns', 'ls -l /proc/$$/ns', 'nsenter -t $PID -u hostname'],
      hints: [
        {
          when: (last) => last !== undefined && /template parsing error/.test(last.stderr),
          text: {
            zh: '模板写错了。字段名区分大小写，要写成 `{{.State.Pid}}`，整个模板用单引号括起来。',
            en: 'The template is wrong. Field names are case-sensitive: write `{{.State.Pid}}`, and put the whole template in single quotes.',
          },
        },
      ],
    },
    uts: {
      check: async (env) => {
        const c = await container(env, 'uts-demo');
        if (!c) return { missing: { zh: '还没有名为 uts-demo 的容器。', en: 'There is no container named uts-demo yet.' } };
        if (c.Config.Hostname === c.Id.slice(0, 12))
          return { missing: { zh: 'uts-demo 的主机名还是默认的容器 ID：启动时用 `-h web1` 指定。', en: "uts-demo's hostname is still the default container ID: set it with `-h web1` when it starts." } };
        if (!c.State.Running) return { missing: { zh: 'uts-demo 存在，但没有在运行。', en: 'uts-demo exists but is not running.' } };
        return true;
      },
      solution: ['docker exec sleeper hostname', 'hostname', 'docker run -d --name uts-demo -h web1 busybox sleep 3600', 'docker exec uts-demo hostname'],
      hints: [
        {
          when: (last) => last !== undefined && /is already in use/.test(last.stderr),
          text: {
            zh: '名字 uts-demo 已经被占用了。名字不能改，所以要带新参数重来：先 `docker rm -f uts-demo`，再运行一次。',
            en: 'The name uts-demo is taken. A container keeps its settings, so to start over with `-h`: `docker rm -f uts-demo`, then run again.',
          },
        },
        {
          when: (last) => last !== undefined && last.argv[0] === 'exec' && /sethostname: Operation not permitted/.test(last.stderr),
          text: {
            zh: '容器里不能改主机名：Docker 默认不给容器 `CAP_SYS_ADMIN` 权限。主机名要在启动时用 `-h` 指定。',
            en: 'A container cannot change its hostname: Docker does not give it `CAP_SYS_ADMIN` by default. Set the hostname when it starts, with `-h`.',
          },
        },
      ],
    },
    mnt: {
      check: async (env) =>
        ran(env, (a) => a[0] === 'exec' && a.includes('sleeper') && (a.includes('/proc/mounts') || a.includes('mount')))
          ? true
          : { missing: { zh: '还没有看 sleeper 的挂载表（`docker exec sleeper cat /proc/mounts`）。', en: "You have not looked at sleeper's mount table yet (`docker exec sleeper cat /proc/mounts`)." } },
      solution: ['docker exec sleeper cat /proc/mounts', 'mount | grep overlay'],
      hints: [noSuchContainer, notRunning],
    },
    'from-host': {
      optional: true,
      check: async (env) => {
        const { status, body } = await env.api<Change[] | null>('GET', '/containers/sleeper/changes');
        if (status !== 200) return { missing: { zh: 'sleeper 不见了。', en: 'sleeper is gone.' } };
        const viaDocker = env.commands().some((r) => {
          const a = verb(r);
          return a.includes('sleeper') && (a[0] === 'cp' || (a[0] === 'exec' && /[>]|\btouch\b|\btee\b/.test(a.join(' '))));
        });
        if (viaDocker)
          return {
            missing: {
              zh: '这次不要用 `docker cp` 或在 `docker exec` 里写文件：只用宿主机的 shell。先 `docker exec sleeper rm /from-host.txt` 再试。',
              en: 'Not with `docker cp` or a write inside `docker exec` this time: only the host\'s shell. `docker exec sleeper rm /from-host.txt`, then try again.',
            },
          };
        return (body ?? []).some((c) => c.Path === '/from-host.txt' && c.Kind === 1)
          ? true
          : { missing: { zh: 'sleeper 里还没有 /from-host.txt。', en: 'There is no /from-host.txt in sleeper yet.' } };
      },
      solution: ["echo 'written on the host' > $(docker inspect -f '{{.GraphDriver.Data.MergedDir}}' sleeper)/from-host.txt", 'docker exec sleeper cat /from-host.txt', 'docker diff sleeper'],
    },
  },
});
