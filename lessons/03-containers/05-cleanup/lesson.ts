// Lesson 3.5: docker rm, rm -f, container prune, rm $(docker ps -aq), rm of the exited ones by filter.
import { defineLesson, type DockerCommandRecord } from '../../../src/lessons/types';
import { after, containers, has, inspect, lastIs, missing, read } from '../machine';

const running = {
  when: (last: DockerCommandRecord | undefined) => lastIs(last, 'rm') !== undefined && /cannot remove container "[^"]+": container is running/.test(last?.stderr ?? ''),
  text: {
    zh: 'docker 拒绝删除正在运行的容器（container is running）。先 docker stop 它，或者用 docker rm -f 强制删除。',
    en: 'docker refuses to remove a running container (container is running). docker stop it first, or force it with docker rm -f.',
  },
};

const noArgument = {
  when: (last: DockerCommandRecord | undefined) => lastIs(last, 'rm') !== undefined && /requires at least 1 argument/.test(last?.stderr ?? ''),
  text: {
    zh: 'docker rm 没拿到任何容器：$(docker ps -aq) 的输出是空的，说明已经没有（符合条件的）容器了。',
    en: 'docker rm got no container at all: $(docker ps -aq) printed nothing, so there are no (matching) containers left.',
  },
};

const noSuchContainer = {
  when: (last: DockerCommandRecord | undefined) => last !== undefined && last.status !== 0 && /No such container: /.test(last.stderr),
  text: {
    zh: 'docker 找不到这个容器（No such container）：检查名字的拼写，用 docker ps -a 看看还剩哪些容器。',
    en: 'docker has no container by that name (No such container): check the spelling, and list what is left with docker ps -a.',
  },
};

export default defineLesson({
  setup: [
    'docker rm -f $(docker ps -aq) >/dev/null 2>&1',
    'docker run --name first busybox true >/dev/null 2>&1',
    'docker run --name second busybox echo two >/dev/null 2>&1',
    "docker run --name third busybox sh -c 'exit 1' >/dev/null 2>&1",
    'docker run -d --name web nginx >/dev/null 2>&1',
    'docker run -d --name worker busybox sleep 100000 >/dev/null 2>&1',
    'true',
  ].join('; '),
  steps: {
    rm: {
      check: async (env) => ((await inspect(env, 'first')) ? missing('first 还在。', 'first is still there.') : true),
      solution: ['ls /var/lib/docker/containers | wc -l', 'docker rm first', 'ls /var/lib/docker/containers | wc -l'],
      hints: [noSuchContainer],
    },
    force: {
      check: async (env) => ((await inspect(env, 'web')) ? missing('web 还在。', 'web is still there.') : true),
      solution: ['docker rm web', 'docker rm -f web'],
      hints: [running, noSuchContainer],
    },
    prune: {
      check: async (env) => {
        const all = await containers(env);
        if (all.some((c) => c.State !== 'running')) return missing('还有停止的容器没删。', 'Some stopped containers are still there.');
        return all.some((c) => c.State === 'running') ? true : missing('运行中的 worker 也没了：这一步只该删除停止的容器。', 'The running worker is gone too: this step removes only the stopped containers.');
      },
      solution: ['docker container prune', { input: 'y', waitFor: '[y/N]' }, 'docker ps -a'],
      hints: [
        {
          when: (last) => lastIs(last, 'prune') !== undefined && last?.status !== 0,
          text: {
            zh: 'prune 没有执行：它会先问 Are you sure you want to continue? [y/N]，要回答 y（直接回车就是 N）。或者用 docker container prune -f 跳过确认。',
            en: 'prune did nothing: it asks Are you sure you want to continue? [y/N], and you have to answer y (just Enter means N). Or skip the question with docker container prune -f.',
          },
        },
      ],
    },
    'rm-all': {
      check: async (env) => {
        const left = await containers(env);
        return left.length === 0 ? true : missing(`还剩 ${left.length} 个容器。`, `${left.length} container(s) left.`);
      },
      solution: ['docker run busybox echo one', 'docker run busybox echo two', 'docker ps -aq', 'docker rm $(docker ps -aq)', 'docker rm -f $(docker ps -aq)', 'docker ps -a'],
      hints: [running, noArgument],
    },
    'rm-exited': {
      optional: true,
      check: async (env) => {
        const all = await containers(env);
        if (!all.some((c) => c.State === 'running')) return missing('没有正在运行的容器：先启动一个会一直运行的容器。', 'No container is running: start one that keeps running first.');
        if (all.some((c) => c.State !== 'running')) return missing('还有停止的容器。', 'Some stopped containers are still there.');
        const sinceLastRun = after(env.commands(), (r) => lastIs(r, 'run') !== undefined).map(read);
        if (sinceLastRun.some((c) => c.name === 'prune')) return missing('这次要用 docker rm，不用 prune：再运行两个会退出的容器，重试。', 'Use docker rm this time, not prune: run two containers that exit again, and retry.');
        return sinceLastRun.some((c) => c.name === 'rm' && c.record.status === 0 && !has(c, 'f', 'force') && c.positional.length >= 2)
          ? true
          : missing('还没有用一条 docker rm 删掉那些停止的容器。', 'You have not removed the stopped containers with one docker rm yet.');
      },
      solution: [
        'docker run -d --name keeper busybox sleep 1000',
        'docker run busybox true',
        'docker run busybox true',
        'docker rm -v $(docker ps -aq -f status=exited)',
        'docker ps -a',
      ],
      hints: [running, noArgument],
    },
  },
});
