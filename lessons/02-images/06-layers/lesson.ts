import { defineLesson, type Hint, type LessonEnv } from '../../../src/lessons/types';

interface ImageSummary {
  RepoTags?: string[] | null;
}
interface WithGraphDriver {
  GraphDriver?: { Data?: Record<string, string> | null };
}
interface ContainerInspect extends WithGraphDriver {
  Config: { Image: string };
  State: { Running: boolean; Status: string; ExitCode: number };
}

async function tags(env: LessonEnv): Promise<string[]> {
  const { body } = await env.api<ImageSummary[]>('GET', '/images/json');
  return body.flatMap((i) => i.RepoTags ?? []);
}

async function container(env: LessonEnv, name: string): Promise<ContainerInspect | undefined> {
  const r = await env.api<ContainerInspect>('GET', `/containers/${name}/json`);
  return r.status === 200 ? r.body : undefined;
}

function fromImage(image: string, repo: string): boolean {
  return image === repo || image.startsWith(`${repo}:`);
}

/** A path docker reported, safe to put in a shell command (hex ids and slashes only). */
function safePath(path: string | undefined): string | undefined {
  return path !== undefined && /^\/var\/lib\/docker\/[A-Za-z0-9/_.-]+$/.test(path) ? path : undefined;
}

const nameInUse: Hint = {
  when: (last) => last?.status === 125 && /is already in use by container/.test(last.stderr),
  text: {
    zh: '已经有同名的容器了（可能是上一次尝试留下的）。用 `docker rm -f 名字` 删掉它再运行。',
    en: 'A container with that name already exists (perhaps from an earlier try). `docker rm -f NAME`, then run again.',
  },
};

const noSuchObject: Hint = {
  when: (last) => last?.status === 1 && /No such (object|image|container)/.test(last.stderr),
  text: {
    zh: '没有这个镜像或容器：先完成前面的步骤，或用 `docker images`、`docker ps -a` 看看名字。',
    en: 'No such image or container: do the earlier steps first, or check the names with `docker images` and `docker ps -a`.',
  },
};

const inUse: Hint = {
  when: (last) => last?.status === 1 && /\(must force\) - container|being used by running container/.test(last.stderr),
  text: {
    zh: '`web` 容器还在用 nginx。先 `docker rm -f web`，再删除镜像。',
    en: 'The `web` container still uses nginx. `docker rm -f web` first, then remove the image.',
  },
};

export default defineLesson({
  setup:
    'service docker start >/dev/null 2>&1; docker rm -f $(docker ps -aq) >/dev/null 2>&1; docker rmi -f $(docker images -q) >/dev/null 2>&1; true',
  steps: {
    shared: {
      check: async (env) => {
        const have = await tags(env);
        const missing = ['debian:bookworm', 'nginx:latest', 'redis:latest'].filter((t) => !have.includes(t));
        return missing.length === 0
          ? true
          : { missing: { zh: `还缺这些镜像：${missing.join('、')}。`, en: `These images are still missing: ${missing.join(', ')}.` } };
      },
      solution: ['docker pull debian:bookworm', 'docker pull nginx', 'docker pull redis', "docker inspect -f '{{json .RootFS.Layers}}' debian:bookworm nginx redis"],
      hints: [noSuchObject],
    },
    'on-disk': {
      check: async (env) =>
        env.commands().some((c) => c.status === 0 && c.argv.some((a) => a.includes('GraphDriver')))
          ? true
          : {
              missing: {
                zh: '用 `docker inspect -f \'{{json .GraphDriver.Data}}\' nginx` 问问 nginx 的层在哪个目录。',
                en: 'Ask where nginx\'s layers are: `docker inspect -f \'{{json .GraphDriver.Data}}\' nginx`.',
              },
            },
      solution: [
        'ls /var/lib/docker/overlay2',
        "docker inspect -f '{{json .GraphDriver.Data}}' nginx",
        "ls $(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' nginx)",
      ],
      hints: [noSuchObject],
    },
    mount: {
      check: async (env) => {
        const web = await container(env, 'web');
        if (!web) return { missing: { zh: '还没有名为 web 的容器。', en: 'There is no container named web yet.' } };
        if (!fromImage(web.Config.Image, 'nginx')) {
          return { missing: { zh: '`web` 应该从 nginx 运行。', en: '`web` should run from nginx.' } };
        }
        return web.State.Running ? true : { missing: { zh: '`web` 没在运行。', en: '`web` is not running.' } };
      },
      solution: ['docker run -d --name web nginx', 'mount | grep overlay'],
      hints: [nameInUse],
    },
    writes: {
      check: async (env) => {
        const writer = await container(env, 'writer');
        if (!writer) return { missing: { zh: '还没有名为 writer 的容器。', en: 'There is no container named writer yet.' } };
        const upper = safePath(writer.GraphDriver?.Data?.UpperDir);
        const found = upper !== undefined && (await env.sh(`test -f ${upper}/greeting.txt`)).status === 0;
        return found
          ? true
          : {
              missing: {
                zh: 'writer 的可写层里没有 /greeting.txt：容器要运行 `echo hello > /greeting.txt`。',
                en: 'writer\'s writable layer has no /greeting.txt: the container should run `echo hello > /greeting.txt`.',
              },
            };
      },
      solution: [
        "docker run --name writer debian:bookworm sh -c 'echo hello > /greeting.txt'",
        "ls $(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' writer)",
      ],
      hints: [nameInUse, noSuchObject],
    },
    challenge: {
      optional: true,
      check: async (env) => {
        if (await container(env, 'web')) return { missing: { zh: '`web` 容器还在。', en: 'The `web` container is still there.' } };
        const have = await tags(env);
        if (have.includes('nginx:latest')) return { missing: { zh: 'nginx 镜像还在。', en: 'The nginx image is still there.' } };
        if (!have.includes('debian:bookworm') || !have.includes('redis:latest')) {
          return { missing: { zh: 'debian 和 redis 要留着。', en: 'Keep debian and redis.' } };
        }
        const { body } = await env.api<WithGraphDriver>('GET', '/images/debian:bookworm/json');
        const layer = safePath(body.GraphDriver?.Data?.UpperDir);
        const there = layer !== undefined && (await env.sh(`test -d ${layer}`)).status === 0;
        return there
          ? true
          : { missing: { zh: 'Debian 的层目录不见了。', en: 'Debian\'s layer directory is gone.' } };
      },
      solution: [
        'docker rm -f web',
        'docker rmi nginx',
        'ls /var/lib/docker/overlay2',
        "ls $(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' debian:bookworm)",
        "docker inspect -f '{{.GraphDriver.Data.LowerDir}}' redis",
      ],
      hints: [inUse, noSuchObject],
    },
  },
});
