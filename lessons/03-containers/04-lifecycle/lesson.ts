// Lesson 3.4: create, start, pause/unpause (the cgroup freezer), stop, restart, kill, rename.
import { defineLesson, type DockerCommandRecord } from '../../../src/lessons/types';
import { inspect, missing, ran } from '../machine';

const COUNTER = "sh -c 'i=0; while true; do i=$((i+1)); echo $i; sleep 1; done'";

const noSuchContainer = {
  when: (last: DockerCommandRecord | undefined) => last !== undefined && last.status !== 0 && /No such container: /.test(last.stderr),
  text: {
    zh: 'docker 找不到这个容器（No such container）：检查名字的拼写，用 docker ps -a 看看有哪些容器。',
    en: 'docker has no container by that name (No such container): check the spelling, and list the containers with docker ps -a.',
  },
};

const wrongState = {
  when: (last: DockerCommandRecord | undefined) => last !== undefined && last.status !== 0 && /is not running|is not paused|is paused|is already paused/.test(last.stderr),
  text: {
    zh: '这条命令和容器当前的状态对不上：pause 只能用于运行中的容器，unpause 只能用于已暂停的容器。先用 docker ps -a 看看它的状态。',
    en: 'The command does not fit the container’s state: pause needs a running container, unpause a paused one. Look at its status with docker ps -a first.',
  },
};

const succeeded = (env: Parameters<typeof ran>[0], name: string) => ran(env, name).some((c) => c.record.status === 0);

export default defineLesson({
  setup: 'docker rm -f $(docker ps -aq) >/dev/null 2>&1; true',
  steps: {
    create: {
      check: async (env) => {
        const counter = await inspect(env, 'counter');
        if (!counter) return missing('还没有名为 counter 的容器。', 'There is no container named counter yet.');
        return counter.State.Status === 'created'
          ? true
          : missing(`counter 的状态是 ${counter.State.Status}，不是 created：这一步用 docker create，不用 docker run。先 docker rm -f counter 再试。`, `counter is ${counter.State.Status}, not created: this step uses docker create, not docker run. docker rm -f counter and try again.`);
      },
      solution: [`docker create --name counter busybox ${COUNTER}`, 'docker ps -a'],
      hints: [
        {
          when: (last) => last?.status === 125 && /Conflict\. The container name "\/counter"/.test(last.stderr),
          text: {
            zh: 'counter 这个名字已经被占用了（Conflict）。用 docker rm -f counter 删掉旧的再创建。',
            en: 'The name counter is taken (Conflict). Remove the old one with docker rm -f counter, then create it again.',
          },
        },
      ],
    },
    start: {
      check: async (env) =>
        (await inspect(env, 'counter'))?.State.Running ? true : missing('counter 还没有运行。', 'counter is not running yet.'),
      solution: ['docker start counter', 'docker logs counter'],
      hints: [noSuchContainer],
    },
    pause: {
      check: async (env) => {
        if (!succeeded(env, 'pause')) return missing('还没有用 docker pause 暂停过 counter。', 'You have not paused counter with docker pause yet.');
        const counter = await inspect(env, 'counter');
        if (counter?.State.Paused) return missing('counter 还处于暂停状态：用 docker unpause counter 解冻。', 'counter is still paused: thaw it with docker unpause counter.');
        return succeeded(env, 'unpause') && counter?.State.Running ? true : missing('counter 没有在运行。', 'counter is not running.');
      },
      solution: ['docker pause counter', 'docker ps', "cat /sys/fs/cgroup/docker/$(docker inspect -f '{{.Id}}' counter)/cgroup.freeze", 'docker unpause counter'],
      hints: [wrongState, noSuchContainer],
    },
    stop: {
      check: async (env) => {
        const counter = await inspect(env, 'counter');
        return counter && counter.State.Status === 'exited' ? true : missing('counter 还没有停止。', 'counter has not stopped yet.');
      },
      solution: ['docker stop counter', 'docker ps -a'],
      hints: [wrongState, noSuchContainer],
    },
    restart: {
      check: async (env) => {
        if (!succeeded(env, 'restart')) return missing('还没有用 docker restart 重启过 counter。', 'You have not restarted counter with docker restart yet.');
        return (await inspect(env, 'counter'))?.State.Running ? true : missing('counter 没有在运行。', 'counter is not running.');
      },
      solution: ['docker restart -t 2 counter', 'docker logs --tail 3 counter'],
      hints: [noSuchContainer],
    },
    'kill-rename': {
      check: async (env) => {
        if (!succeeded(env, 'kill')) return missing('还没有用 docker kill 杀掉过 counter。', 'You have not killed counter with docker kill yet.');
        const old = await inspect(env, 'old-counter');
        if (!old) return missing('还没有名为 old-counter 的容器：用 docker rename 改名。', 'There is no container named old-counter yet: rename it with docker rename.');
        return old.State.Running ? missing('old-counter 还在运行：它应该已经被 kill 了。', 'old-counter is running: it should have been killed.') : true;
      },
      solution: ['docker kill counter', 'docker ps -a', 'docker rename counter old-counter', 'docker ps -a'],
      hints: [
        noSuchContainer,
        {
          when: (last) => last !== undefined && last.status !== 0 && /is not running/.test(last.stderr),
          text: {
            zh: 'counter 已经停止了，kill 只能用于运行中的容器。先 docker start counter，再 docker kill counter。',
            en: 'counter has already stopped, and kill needs a running container. docker start counter first, then docker kill counter.',
          },
        },
      ],
    },
    'create-interactive': {
      optional: true,
      check: async (env) => {
        const box = await inspect(env, 'box');
        if (!box) return missing('还没有名为 box 的容器。', 'There is no container named box yet.');
        if (!box.Config.Tty || !box.Config.OpenStdin) return missing('box 创建时没有带 -it：docker rm box，再用 docker create -it 创建。', 'box was created without -it: docker rm box, then docker create -it again.');
        if (box.State.Running) return missing('你还在 box 的 shell 里：输入 exit 离开。', 'You are still in box’s shell: type exit to leave it.');
        if (box.State.StartedAt.startsWith('0001-')) return missing('box 还没有启动过：用 docker start -ai box。', 'box has never been started: use docker start -ai box.');
        return box.State.ExitCode === 0 ? true : missing(`box 的退出码是 ${box.State.ExitCode}：用 exit 离开 shell。`, `box exited with status ${box.State.ExitCode}: leave the shell with exit.`);
      },
      solution: ['docker create -it --name box busybox sh', 'docker start -ai box', { input: 'exit', waitFor: '/ # ' }],
      hints: [noSuchContainer],
    },
  },
});
