import { defineLesson, type Hint } from '../../../src/lessons/types';

interface ImageSummary {
  RepoTags?: string[] | null;
}
interface ContainerSummary {
  Names: string[];
  Image: string;
}

const unknownCommand: Hint = {
  when: (last) => last?.status === 1 && /unknown command/.test(last.stderr),
  text: {
    zh: 'docker 不认识这个子命令，检查一下拼写：是 `docker version` 和 `docker info`。',
    en: 'docker does not know that command; check the spelling: `docker version` and `docker info`.',
  },
};

function ran(env: { commands(): readonly { argv: readonly string[]; status: number }[] }, ...names: string[][]): boolean {
  return env
    .commands()
    .some((c) => c.status === 0 && names.some((n) => n.every((word, i) => c.argv[i] === word)));
}

export default defineLesson({
  setup:
    'service docker start >/dev/null 2>&1; docker rm -f $(docker ps -aq) >/dev/null 2>&1; docker rmi -f busybox >/dev/null 2>&1; true',
  steps: {
    version: {
      check: async (env) =>
        ran(env, ['version'])
          ? true
          : { missing: { zh: '还没有成功运行 `docker version`。', en: 'You have not run `docker version` successfully yet.' } },
      solution: ['docker version'],
      hints: [unknownCommand],
    },
    info: {
      check: async (env) =>
        ran(env, ['info'], ['system', 'info'])
          ? true
          : { missing: { zh: '还没有成功运行 `docker info`。', en: 'You have not run `docker info` successfully yet.' } },
      solution: ['docker info'],
      hints: [unknownCommand],
    },
    api: {
      check: async (env) => {
        const { body } = await env.api<ImageSummary[]>('GET', '/images/json');
        return body.some((i) => i.RepoTags?.includes('busybox:latest'))
          ? true
          : {
              missing: {
                zh: '还没有 busybox:latest 镜像：用 curl 向 `/images/create?fromImage=busybox&tag=latest` 发一个 POST 请求。',
                en: 'There is no busybox:latest image yet: POST to `/images/create?fromImage=busybox&tag=latest` with curl.',
              },
            };
      },
      solution: [
        'ls -l /var/run/docker.sock',
        'curl -s --unix-socket /var/run/docker.sock http://localhost/version',
        'curl -s -X POST --unix-socket /var/run/docker.sock "http://localhost/images/create?fromImage=busybox&tag=latest"',
        'docker images',
      ],
    },
    challenge: {
      optional: true,
      check: async (env) => {
        const { body } = await env.api<ContainerSummary[]>('GET', '/containers/json?all=1');
        const c = body.find((x) => x.Names.includes('/from-api'));
        if (!c) {
          return { missing: { zh: '还没有名为 from-api 的容器。', en: 'There is no container named from-api yet.' } };
        }
        return c.Image === 'busybox' || c.Image.startsWith('busybox:')
          ? true
          : { missing: { zh: 'from-api 应该从 busybox 镜像创建。', en: 'from-api should be made from the busybox image.' } };
      },
      solution: [
        `curl -s -X POST --unix-socket /var/run/docker.sock -H "Content-Type: application/json" -d '{"Image":"busybox","Cmd":["echo","hi"]}' "http://localhost/containers/create?name=from-api"`,
        'docker ps -a',
      ],
    },
  },
});
