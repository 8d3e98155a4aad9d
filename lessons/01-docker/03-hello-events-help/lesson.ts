import { defineLesson, type Hint, type LessonEnv } from '../../../src/lessons/types';

interface ContainerSummary {
  Names: string[];
  Image: string;
  Command: string;
  State: string;
  Status: string;
}

async function containers(env: LessonEnv): Promise<ContainerSummary[]> {
  const { body } = await env.api<ContainerSummary[]>('GET', '/containers/json?all=1');
  return body;
}

function fromImage(c: ContainerSummary, repo: string): boolean {
  return c.Image === repo || c.Image.startsWith(`${repo}:`);
}

const unknownCommand: Hint = {
  when: (last) => last?.status === 1 && /unknown command: docker /.test(last.stderr),
  text: {
    zh: 'docker 没有这个命令。`docker --help` 会列出全部命令，看看是不是拼错了。',
    en: 'docker has no such command. `docker --help` lists them all: check the spelling.',
  },
};

const unknownFlag: Hint = {
  when: (last) => last?.status === 125 && /unknown (shorthand )?flag/.test(last.stderr),
  text: {
    zh: '这个命令没有这个选项（退出码 125 表示 docker 自己没接受这条命令）。用 `docker 命令 --help` 查看它真正有哪些选项。',
    en: 'That command has no such option (exit status 125 means docker itself refused the command line). `docker COMMAND --help` lists the options it does have.',
  },
};

const nameInUse: Hint = {
  when: (last) => last?.status === 125 && /is already in use by container/.test(last.stderr),
  text: {
    zh: '已经有一个同名容器了。容器名必须唯一：先用 `docker rm` 删掉旧的，再运行。',
    en: 'A container with that name already exists. Names are unique: remove the old one with `docker rm`, then run again.',
  },
};

export default defineLesson({
  setup:
    'service docker start >/dev/null 2>&1; docker rm -f $(docker ps -aq) >/dev/null 2>&1; docker rmi -f hello-world >/dev/null 2>&1; docker pull -q busybox >/dev/null 2>&1; true',
  steps: {
    hello: {
      check: async (env) =>
        (await containers(env)).some((c) => fromImage(c, 'hello-world') && c.State === 'exited' && c.Status.startsWith('Exited (0)'))
          ? true
          : {
              missing: {
                zh: '还没有一个从 hello-world 运行完的容器：`docker run hello-world`。',
                en: 'No container has run hello-world to the end yet: `docker run hello-world`.',
              },
            },
      solution: ['docker run hello-world', 'docker ps -a'],
      hints: [unknownCommand],
    },
    events: {
      check: async (env) =>
        env
          .commands()
          .some((c) => (c.argv[0] === 'events' || (c.argv[0] === 'system' && c.argv[1] === 'events')) && (c.status === 0 || c.status >= 128))
          ? true
          : { missing: { zh: '还没有运行 `docker events`。', en: 'You have not run `docker events` yet.' } },
      solution: ['docker events --since 10m --until 0s', 'docker events &', 'docker run --rm hello-world', 'kill %1'],
      hints: [
        unknownFlag,
        {
          when: (last) => last?.argv[0] === 'events' && last.status !== 0 && /since|until|timestamp/i.test(last.stderr),
          text: {
            zh: '`--since` 和 `--until` 接受时长（`10m`、`1h`，表示多久以前）或时间戳（`2025-01-01T10:00:00`）。',
            en: '`--since` and `--until` take a duration (`10m`, `1h`: that long ago) or a timestamp (`2025-01-01T10:00:00`).',
          },
        },
      ],
    },
    help: {
      check: async (env) =>
        env.commands().some((c) => c.status === 0 && (c.argv[0] === 'help' || c.argv.includes('--help') || (c.argv.includes('-h') && c.argv[0] !== 'run' && c.argv[0] !== 'create')))
          ? true
          : { missing: { zh: '还没有查看过帮助：`docker --help`。', en: 'You have not asked for help yet: `docker --help`.' } },
      solution: ['docker --help', 'docker image --help', 'docker pull --help'],
      hints: [unknownCommand, unknownFlag],
    },
    kernel: {
      check: async (env) => {
        const c = (await containers(env)).find((x) => x.Names.includes('/kernel'));
        if (!c) {
          return { missing: { zh: '还没有名为 kernel 的容器。', en: 'There is no container named kernel yet.' } };
        }
        return c.Command.includes('uname') && c.State === 'exited' && c.Status.startsWith('Exited (0)')
          ? true
          : {
              missing: {
                zh: '`kernel` 容器应该运行 `uname -r` 并正常退出。用 `docker rm kernel` 删掉它再试一次。',
                en: 'The `kernel` container should run `uname -r` and exit cleanly. Remove it with `docker rm kernel` and try again.',
              },
            };
      },
      solution: ['uname -r', 'docker run --name kernel busybox uname -r'],
      hints: [nameInUse],
    },
    challenge: {
      optional: true,
      check: async (env) => {
        const c = (await containers(env)).find((x) => x.Names.includes('/deb-kernel'));
        if (!c) {
          return { missing: { zh: '还没有名为 deb-kernel 的容器。', en: 'There is no container named deb-kernel yet.' } };
        }
        if (!fromImage(c, 'debian')) {
          return { missing: { zh: '`deb-kernel` 应该从 debian 镜像运行。', en: '`deb-kernel` should run from the debian image.' } };
        }
        return c.Command.includes('uname') && c.State === 'exited' && c.Status.startsWith('Exited (0)')
          ? true
          : {
              missing: {
                zh: '`deb-kernel` 应该运行 `uname -r` 并正常退出。',
                en: '`deb-kernel` should run `uname -r` and exit cleanly.',
              },
            };
      },
      solution: ['docker run --name deb-kernel debian uname -r'],
      hints: [nameInUse],
    },
  },
});
