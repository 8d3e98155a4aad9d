// Lesson 3.3: docker ps (-a, -q, -f, --format), logs (--tail, -f), exec -it, attach and Ctrl-P Ctrl-Q, wait.
import { defineLesson, type DockerCommandRecord } from '../../../src/lessons/types';
import { has, inspect, lastIs, missing, ran } from '../machine';

const noSuchContainer = {
  when: (last: DockerCommandRecord | undefined) => last !== undefined && last.status !== 0 && /No such container: /.test(last.stderr),
  text: {
    zh: 'docker 找不到这个容器（No such container）：检查名字或 ID 的拼写，用 docker ps -a 看看有哪些容器。',
    en: 'docker has no container by that name or ID (No such container): check the spelling, and list the containers with docker ps -a.',
  },
};

const notRunning = {
  when: (last: DockerCommandRecord | undefined) =>
    last !== undefined && last.status !== 0 && /is not running|You cannot attach to a stopped container/.test(last.stderr),
  text: {
    zh: '这个容器已经停止了：exec 和 attach 都只能用于正在运行的容器。用 docker start 启动它，或者换一个正在运行的容器（docker ps）。',
    en: 'That container has stopped: exec and attach only work on a running container. Start it with docker start, or pick a running one (docker ps).',
  },
};

export default defineLesson({
  setup: [
    'docker rm -f $(docker ps -aq) >/dev/null 2>&1',
    'docker run -d --name web nginx >/dev/null 2>&1',
    "docker run -d --name ticker busybox sh -c 'while true; do date; sleep 2; done' >/dev/null 2>&1",
    "docker run --name job busybox sh -c 'echo working; exit 3' >/dev/null 2>&1",
    'true',
  ].join('; '),
  steps: {
    ps: {
      check: async (env) => {
        const ps = ran(env, 'ps').filter((c) => c.record.status === 0);
        if (!ps.some((c) => has(c, 'a', 'all'))) return missing('还没有用 docker ps -a 列出所有容器（包括已停止的）。', 'You have not listed all containers, stopped ones included, with docker ps -a yet.');
        return ps.some((c) => has(c, 'f', 'filter', 'format'))
          ? true
          : missing('再试试用 -f 过滤或用 --format 指定输出格式。', 'Now try a filter with -f, or your own columns with --format.');
      },
      solution: ['docker ps', 'docker ps -a', 'docker ps -a -f status=exited', 'docker ps -q', "docker ps -a --format '{{.Names}}: {{.Status}}'"],
      hints: [
        {
          when: (last) => lastIs(last, 'ps') !== undefined && last?.status !== 0 && /filter|invalid argument/.test(last?.stderr ?? ''),
          text: {
            zh: '过滤条件写成 键=值 的形式，例如 -f status=exited 或 -f name=web。',
            en: 'A filter is written key=value, e.g. -f status=exited or -f name=web.',
          },
        },
        {
          when: (last) => lastIs(last, 'ps') !== undefined && last?.status !== 0 && /template/.test(last?.stderr ?? ''),
          text: {
            zh: '--format 的模板没写对：字段写成 {{.Names}}、{{.Status}}、{{.Image}} 这样，首字母大写，前面有个点；整个模板用单引号括起来。',
            en: 'The --format template is wrong: fields are written {{.Names}}, {{.Status}}, {{.Image}}, capitalised with a leading dot; quote the whole template in single quotes.',
          },
        },
      ],
    },
    logs: {
      check: async (env) =>
        ran(env, 'logs').some((c) => (c.record.status === 0 && has(c, 'tail', 'n')) || (has(c, 'f', 'follow') && (c.record.status === 0 || c.record.status === 130)))
          ? true
          : missing('还没有用 --tail 或 -f 查看过日志。', 'You have not read a log with --tail or -f yet.'),
      solution: ['docker logs job', 'docker logs --tail 3 ticker', 'docker logs -f ticker', { input: '\u0003', waitFor: 'UTC', enter: false }],
      hints: [noSuchContainer],
    },
    exec: {
      check: async (env) => {
        const shells = ran(env, 'exec').filter((c) => has(c, 'i', 'interactive') && has(c, 't', 'tty') && c.record.status === 0);
        if (shells.length === 0) return missing('还没有用 docker exec -it 在容器里开过 shell（并退出）。', 'You have not opened (and left) a shell in a container with docker exec -it yet.');
        for (const c of shells) {
          const target = await inspect(env, c.positional[0] ?? '');
          if (target?.State.Running) return true;
        }
        return missing('你 exec 进去的容器已经不在运行了。', 'The container you exec’d into is no longer running.');
      },
      solution: ['docker exec -it ticker sh', { input: 'ps', waitFor: '/ # ' }, { input: 'exit', waitFor: '/ # ' }, 'docker ps'],
      hints: [
        notRunning,
        noSuchContainer,
        {
          when: (last) => {
            const exec = lastIs(last, 'exec');
            return exec !== undefined && !has(exec, 't', 'tty') && /(^|\/)(ba)?sh$/.test(exec.positional[1] ?? '') && exec.positional.length === 2;
          },
          text: {
            zh: 'shell 没有终端、也没有 -i 就读不到输入，所以马上退出了。开 shell 要用 docker exec -it ticker sh。',
            en: 'Without a terminal (and without -i) the shell had no input and exited at once. For a shell use docker exec -it ticker sh.',
          },
        },
      ],
    },
    attach: {
      check: async (env) => {
        const shell = await inspect(env, 'shell');
        if (!shell) return missing('还没有名为 shell 的容器：docker run -dit --name shell busybox sh。', 'There is no container named shell yet: docker run -dit --name shell busybox sh.');
        if (!ran(env, 'attach').some((c) => c.positional.includes('shell') || shell.Id.startsWith(c.positional[0] ?? '-'))) return missing('还没有 attach 到 shell 容器。', 'You have not attached to the container shell yet.');
        return shell.State.Running ? true : missing('shell 容器停止了：attach 之后输入 exit 会结束主进程。重新 docker start shell，再 attach，然后用 Ctrl-P Ctrl-Q 脱离。', 'The container shell has stopped: exit in an attached shell ends the main process. docker start shell, attach again, and leave with Ctrl-P Ctrl-Q.');
      },
      solution: ['docker run -dit --name shell busybox sh', 'docker attach shell', { input: 'echo hello from PID 1' }, { input: '\u0010\u0011', waitFor: 'hello from PID 1', enter: false }, 'docker ps'],
      hints: [
        notRunning,
        noSuchContainer,
        {
          when: (last) => lastIs(last, 'run') !== undefined && last?.status === 125 && /Conflict\. The container name "\/shell"/.test(last.stderr),
          text: {
            zh: 'shell 这个名字已经被占用了（Conflict）：容器已经存在，直接 docker attach shell 就行（如果它停了，先 docker start shell）。',
            en: 'The name shell is taken (Conflict): the container already exists, so just docker attach shell (docker start shell first if it has stopped).',
          },
        },
      ],
    },
    wait: {
      check: async (env) =>
        ran(env, 'wait').some((c) => c.record.status === 0)
          ? true
          : missing('还没有用 docker wait 等到一个容器结束。', 'You have not waited for a container to finish with docker wait yet.'),
      solution: ["docker run -d --name countdown busybox sh -c 'sleep 5; exit 3'", 'docker wait countdown'],
      hints: [noSuchContainer],
    },
    'attach-exit': {
      optional: true,
      check: async (env) => {
        const shell = await inspect(env, 'shell');
        if (!shell) return missing('没有名为 shell 的容器了。', 'There is no container named shell any more.');
        if (shell.State.Running) return missing('shell 容器还在运行。', 'The container shell is still running.');
        return shell.State.ExitCode === 0
          ? true
          : missing(`shell 停了，但退出码是 ${shell.State.ExitCode}，不是 0：是不是用了 docker stop 或 kill？start 它，attach 上去，输入 exit。`, `shell has stopped, but with status ${shell.State.ExitCode}, not 0: did you use docker stop or kill? Start it, attach, and type exit.`);
      },
      solution: ['docker attach shell', { input: '' }, { input: 'exit', waitFor: '/ # ' }, 'docker ps -a'],
      hints: [notRunning],
    },
  },
});
