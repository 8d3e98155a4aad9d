// Lesson 3.1: docker run, -it, --rm, and the container's process seen from the host.
import { defineLesson } from '../../../src/lessons/types';
import { after, containers, has, inspectAll, lastIs, missing, ran } from '../machine';

/** docker's answer to an image name it cannot find locally or in the registry. */
const NO_SUCH_IMAGE = /pull access denied for|repository does not exist|manifest unknown|not found: manifest/;

const imageHint = {
  when: (last: Parameters<typeof lastIs>[0]) => lastIs(last, 'run') !== undefined && last?.status === 125 && NO_SUCH_IMAGE.test(last.stderr),
  text: {
    zh: 'docker 在本机和镜像仓库里都没找到这个镜像（pull access denied / repository does not exist）。检查镜像名的拼写：这里要用的是 busybox。离线环境里能拉取的镜像只有 busybox、hello-world、debian、nginx 和 redis。',
    en: 'docker found the image neither on this machine nor in the registry (pull access denied / repository does not exist). Check the spelling: the image here is busybox. Offline, the images you can pull are busybox, hello-world, debian, nginx and redis.',
  },
};

const commandHint = {
  when: (last: Parameters<typeof lastIs>[0]) => lastIs(last, 'run') !== undefined && last?.status === 127,
  text: {
    zh: '容器创建好了，但镜像里没有你要运行的程序（executable file not found in $PATH，退出码 127）。镜像名后面的第一个词是要执行的命令，检查它的拼写。',
    en: 'The container was created, but the image has no such program (executable file not found in $PATH, exit status 127). The first word after the image is the command to run: check its spelling.',
  },
};

export default defineLesson({
  setup: 'docker rm -f $(docker ps -aq) >/dev/null 2>&1; true',
  steps: {
    hello: {
      check: async (env) => {
        const done = (await containers(env)).some((c) => c.Command.startsWith('echo') && c.State === 'exited' && c.Status.startsWith('Exited (0)'));
        return done ? true : missing('还没有运行过 echo 并正常退出的容器。', 'No container has run echo and exited yet.');
      },
      solution: ['docker run busybox echo hello from a container'],
      hints: [imageHint, commandHint],
    },
    shell: {
      check: async (env) => {
        const interactive = (await inspectAll(env)).filter((c) => c.Config.Tty && c.Config.OpenStdin);
        if (interactive.some((c) => !c.State.Running)) return true;
        if (interactive.length > 0) return missing('你还在容器的 shell 里：输入 exit 退出。', 'You are still in the container’s shell: type exit to leave it.');
        return missing('还没有用 -it 运行过容器里的 shell。', 'You have not run a shell in a container with -it yet.');
      },
      solution: ['docker run -it busybox sh', { input: 'hostname', waitFor: '/ # ' }, { input: 'ps', waitFor: '/ # ' }, { input: 'exit', waitFor: '/ # ' }],
      hints: [
        {
          when: (last) => {
            const run = lastIs(last, 'run');
            return run !== undefined && last?.status === 0 && !has(run, 't', 'tty') && run.positional.slice(1).some((a) => /(^|\/)(ba)?sh$/.test(a));
          },
          text: {
            zh: '没有 -t 就没有终端：只加 -i 时 shell 能执行命令但不显示提示符，两个都不加时 sh 读不到输入，立刻就退出了。用 docker run -it busybox sh。',
            en: 'Without -t there is no terminal: with -i alone the shell runs your commands but shows no prompt, and with neither sh reads no input and exits at once. Use docker run -it busybox sh.',
          },
        },
        imageHint,
      ],
    },
    rm: {
      check: async (env) =>
        ran(env, 'run').some((c) => has(c, 'rm') && c.record.status === 0)
          ? true
          : missing('还没有成功运行过带 --rm 的 docker run。', 'You have not run docker run with --rm successfully yet.'),
      solution: ['docker run --rm busybox echo gone when done', 'docker ps -a'],
      hints: [imageHint, commandHint],
    },
    'host-process': {
      check: async (env) =>
        (await containers(env)).some((c) => c.State === 'running' && c.Command.startsWith('sleep'))
          ? true
          : missing('还没有正在运行 sleep 的容器。', 'No container is running sleep yet.'),
      solution: ['docker run -d busybox sleep 1000', 'ps | grep sleep', 'ls -l /proc/$(pidof sleep)/ns', 'ls -l /proc/self/ns'],
      hints: [imageHint],
    },
    'kill-from-host': {
      optional: true,
      check: async (env) => {
        const sleepers = (await containers(env)).filter((c) => c.Command.startsWith('sleep'));
        if (sleepers.some((c) => c.State === 'running')) return missing('sleep 容器还在运行。', 'The sleep container is still running.');
        const sinceSleep = after(env.commands(), (r) => lastIs(r, 'run')?.positional.includes('sleep') === true);
        const usedDocker = sinceSleep.some((r) => lastIs(r, 'kill', 'stop', 'rm', 'restart') !== undefined);
        if (usedDocker) return missing('这次要在宿主机上用 kill 结束进程，不用 docker 命令：重新运行 docker run -d busybox sleep 1000 再试。', 'This time end the process with kill on the host, not with a docker command: run docker run -d busybox sleep 1000 again and retry.');
        return sleepers.some((c) => c.Status.startsWith('Exited (137)'))
          ? true
          : missing('还没有被 kill -9 结束的 sleep 容器。', 'No sleep container has been ended by kill -9 yet.');
      },
      solution: ['kill -9 $(pidof sleep)', 'docker ps -a'],
      hints: [
        {
          when: (last) => lastIs(last, 'kill', 'stop', 'rm', 'restart') !== undefined,
          text: {
            zh: '这一步的重点是不经过 docker：在宿主机上用 ps 找到 sleep 的 PID，再用 kill -9 PID 结束它。',
            en: 'The point of this step is to go around docker: find the PID of sleep with ps on the host and end it with kill -9 PID.',
          },
        },
      ],
    },
  },
});
