import { defineLesson, type Hint, type LessonEnv } from '../../../src/lessons/types';

interface ContainerInspect {
  Name: string;
  State: { Running: boolean; StartedAt: string; FinishedAt: string };
  HostConfig: { RestartPolicy?: { Name: string } };
}

async function daemonActive(env: LessonEnv): Promise<boolean> {
  const r = await env.sh('systemctl is-active docker');
  return r.stdout.trim() === 'active';
}

async function inspect(env: LessonEnv, name: string): Promise<ContainerInspect | undefined> {
  const r = await env.api<ContainerInspect>('GET', `/containers/${name}/json`);
  return r.status === 200 ? r.body : undefined;
}

const nameInUse: Hint = {
  when: (last) => last?.status === 125 && /is already in use by container/.test(last.stderr),
  text: {
    zh: '这个名字已经被一个容器占用了（可能是你之前运行过一次）。容器名必须唯一：先 `docker rm -f keeper sleeper` 再重新运行。',
    en: 'That name is already taken by a container (perhaps from an earlier try). Names are unique: `docker rm -f keeper sleeper`, then run them again.',
  },
};

export default defineLesson({
  setup:
    'service docker start >/dev/null 2>&1; docker rm -f $(docker ps -aq) >/dev/null 2>&1; docker pull -q busybox >/dev/null 2>&1; true',
  steps: {
    stop: {
      check: async (env) => {
        return (await daemonActive(env))
          ? { missing: { zh: '守护进程还在运行：运行 `service docker stop`。', en: 'The daemon is still running: run `service docker stop`.' } }
          : true;
      },
      solution: ['service docker stop', 'docker ps', 'ls -l /var/run/docker.sock', 'systemctl status docker'],
    },
    start: {
      check: async (env) =>
        (await daemonActive(env))
          ? true
          : { missing: { zh: '守护进程还没有运行：`service docker start`。', en: 'The daemon is not running yet: `service docker start`.' } },
      solution: ['service docker start', 'docker ps'],
    },
    containers: {
      check: async (env) => {
        const keeper = await inspect(env, 'keeper');
        const sleeper = await inspect(env, 'sleeper');
        if (!keeper?.State.Running || !sleeper?.State.Running) {
          return {
            missing: {
              zh: '需要两个正在运行的容器：`keeper` 和 `sleeper`。',
              en: 'Two running containers are needed: `keeper` and `sleeper`.',
            },
          };
        }
        return keeper.HostConfig.RestartPolicy?.Name === 'always'
          ? true
          : {
              missing: {
                zh: '`keeper` 没有重启策略 `always`：删掉它，用 `--restart always` 重新运行。',
                en: '`keeper` has no `always` restart policy: remove it and run it again with `--restart always`.',
              },
            };
      },
      solution: [
        'docker run -d --name keeper --restart always busybox sleep 3600',
        'docker run -d --name sleeper busybox sleep 3600',
        'docker ps',
      ],
      hints: [nameInUse],
    },
    restart: {
      check: async (env) => {
        const keeper = await inspect(env, 'keeper');
        const sleeper = await inspect(env, 'sleeper');
        if (!keeper || !sleeper) {
          return {
            missing: { zh: '`keeper` 或 `sleeper` 不见了：回到上一步重新创建。', en: '`keeper` or `sleeper` is gone: create them again in the previous step.' },
          };
        }
        const restarted =
          keeper.State.Running &&
          !sleeper.State.Running &&
          Date.parse(keeper.State.StartedAt) >= Date.parse(sleeper.State.FinishedAt);
        return restarted
          ? true
          : {
              missing: {
                zh: '还没有看到守护进程重启的痕迹：运行 `systemctl restart docker`。',
                en: 'No sign of a daemon restart yet: run `systemctl restart docker`.',
              },
            };
      },
      solution: ['systemctl restart docker', 'docker ps -a', 'docker images'],
    },
    challenge: {
      optional: true,
      check: async (env) => {
        const sleeper = await inspect(env, 'sleeper');
        const policy = sleeper?.HostConfig.RestartPolicy?.Name;
        if (policy !== 'always' && policy !== 'unless-stopped') {
          return {
            missing: {
              zh: '`sleeper` 还没有 `always` 或 `unless-stopped` 重启策略。',
              en: '`sleeper` does not have an `always` or `unless-stopped` restart policy yet.',
            },
          };
        }
        return sleeper?.State.Running
          ? true
          : { missing: { zh: '`sleeper` 没在运行。', en: '`sleeper` is not running.' } };
      },
      solution: ['docker update --restart unless-stopped sleeper', 'docker start sleeper', 'systemctl restart docker', 'docker ps'],
    },
  },
});
