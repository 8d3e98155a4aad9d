import { defineLesson, type Hint, type LessonEnv } from '../../../src/lessons/types';

interface ImageSummary {
  Id: string;
  RepoTags?: string[] | null;
}

async function images(env: LessonEnv): Promise<ImageSummary[]> {
  const { body } = await env.api<ImageSummary[]>('GET', '/images/json');
  return body;
}

async function hasTag(env: LessonEnv, tag: string): Promise<boolean> {
  return (await images(env)).some((i) => i.RepoTags?.includes(tag) ?? false);
}

function isRmi(argv: readonly string[]): boolean {
  return argv[0] === 'rmi' || (argv[0] === 'image' && (argv[1] === 'rm' || argv[1] === 'remove'));
}

function isTag(argv: readonly string[]): boolean {
  return argv[0] === 'tag' || (argv[0] === 'image' && argv[1] === 'tag');
}

const inUse: Hint = {
  when: (last) => last?.status === 1 && /\(must force\) - container/.test(last.stderr),
  text: {
    zh: '有容器（哪怕已经停止）在用这个镜像。先 `docker rm` 删掉那个容器，或者用 `docker rmi -f` 强制删除。',
    en: 'A container (even a stopped one) uses this image. Remove that container with `docker rm` first, or force it with `docker rmi -f`.',
  },
};

const multipleNames: Hint = {
  when: (last) => last?.status === 1 && /referenced in multiple repositories/.test(last.stderr),
  text: {
    zh: '这个 ID 有好几个名字，docker 不知道你要删哪个。按名字逐个删，或者用 `docker rmi -f ID` 一次全删。',
    en: 'That ID has several names, and docker will not guess which you mean. Remove the names one by one, or all at once with `docker rmi -f ID`.',
  },
};

const noArgs: Hint = {
  when: (last) => last?.status === 1 && /'docker (rmi|image rm)' requires at least 1 argument/.test(last.stderr),
  text: {
    zh: '`$(docker images -q)` 是空的：已经没有镜像了，所以 `docker rmi` 什么参数都没拿到。',
    en: '`$(docker images -q)` was empty: there are no images left, so `docker rmi` got no argument at all.',
  },
};

const noSuchImage: Hint = {
  when: (last) => last?.status === 1 && /No such image/.test(last.stderr),
  text: {
    zh: '没有这个镜像：用 `docker images` 看看现在有哪些名字。',
    en: 'There is no such image: `docker images` shows the names there are.',
  },
};

export default defineLesson({
  setup:
    'service docker start >/dev/null 2>&1; docker rm -f $(docker ps -aq) >/dev/null 2>&1; docker rmi -f $(docker images -q) >/dev/null 2>&1; ' +
    'for i in busybox hello-world nginx debian:bookworm; do docker pull -q $i >/dev/null 2>&1; done; true',
  steps: {
    remove: {
      check: async (env) =>
        (await hasTag(env, 'hello-world:latest'))
          ? { missing: { zh: 'hello-world 还在：`docker rmi hello-world`。', en: 'hello-world is still there: `docker rmi hello-world`.' } }
          : true,
      solution: ['docker rmi hello-world', 'docker images'],
      hints: [noSuchImage],
    },
    'in-use': {
      check: async (env) =>
        env.commands().some((c) => isRmi(c.argv) && c.status === 1 && /\(must force\) - container/.test(c.stderr))
          ? true
          : {
              missing: {
                zh: '先运行一个用 busybox 的容器，再试着 `docker rmi busybox`，读一读报错。',
                en: 'Run a container from busybox, then try `docker rmi busybox` and read the error.',
              },
            },
      solution: ['docker run --name user busybox echo hi', 'docker rmi busybox'],
      hints: [
        {
          when: (last) => last?.status === 125 && /is already in use by container/.test(last.stderr),
          text: {
            zh: '已经有一个叫 user 的容器了，这一步用它就行：直接 `docker rmi busybox`。',
            en: 'A container named user already exists, and it will do: go on with `docker rmi busybox`.',
          },
        },
      ],
    },
    force: {
      check: async (env) =>
        (await hasTag(env, 'busybox:latest'))
          ? { missing: { zh: 'busybox 还在：`docker rmi -f busybox`。', en: 'busybox is still there: `docker rmi -f busybox`.' } }
          : true,
      solution: ['docker rmi -f busybox', 'docker images'],
      hints: [inUse],
    },
    all: {
      check: async (env) => {
        const left = await images(env);
        return left.length === 0
          ? true
          : {
              missing: {
                zh: `还剩 ${left.length} 个镜像：\`docker rmi $(docker images -q)\`。`,
                en: `${left.length} image(s) left: \`docker rmi $(docker images -q)\`.`,
              },
            };
      },
      solution: ['docker images', 'docker rmi $(docker images -q)', 'docker images'],
      hints: [noArgs, inUse, multipleNames],
    },
    challenge: {
      optional: true,
      check: async (env) => {
        const tagged = env.commands().some((c) => isTag(c.argv) && c.status === 0 && c.argv.includes('tools:1'));
        if (!tagged) {
          return { missing: { zh: '先拉取 busybox 并打上 `tools:1` 标签。', en: 'First pull busybox and tag it `tools:1`.' } };
        }
        return (await hasTag(env, 'tools:1')) || (await hasTag(env, 'busybox:latest'))
          ? {
              missing: {
                zh: '这个镜像还在：用它的 ID 加 `-f` 一次删掉。',
                en: 'The image is still there: remove it by ID, with `-f`.',
              },
            }
          : true;
      },
      solution: ['docker pull busybox', 'docker tag busybox tools:1', 'docker rmi $(docker images -q)', 'docker rmi -f $(docker images -q busybox)', 'docker images'],
      hints: [multipleNames, noArgs],
    },
  },
});
