import { defineLesson, type CheckResult, type Hint, type LessonEnv } from '../../../src/lessons/types';

interface ImageSummary {
  RepoTags?: string[] | null;
}

async function hasTag(env: LessonEnv, tag: string): Promise<boolean> {
  const { body } = await env.api<ImageSummary[]>('GET', '/images/json');
  return body.some((i) => i.RepoTags?.includes(tag) ?? false);
}

async function needTag(env: LessonEnv, tag: string, command: string): Promise<CheckResult> {
  return (await hasTag(env, tag))
    ? true
    : { missing: { zh: `还没有 ${tag} 镜像：\`${command}\`。`, en: `There is no ${tag} image yet: \`${command}\`.` } };
}

/** The image reference of a `docker pull` / `docker image pull` command line, if any. */
function pulledRef(argv: readonly string[]): string | undefined {
  const args = argv[0] === 'image' ? argv.slice(1) : argv;
  if (args[0] !== 'pull') return undefined;
  return args.slice(1).find((a) => !a.startsWith('-'));
}

/** True when the reference names a registry other than Docker Hub (a dot, a port or localhost first). */
function otherRegistry(ref: string): boolean {
  const slash = ref.indexOf('/');
  if (slash < 0) return false;
  const first = ref.slice(0, slash);
  return (first.includes('.') || first.includes(':') || first === 'localhost') && first !== 'docker.io';
}

const manifestUnknown: Hint = {
  when: (last) => last?.status === 1 && /manifest unknown/.test(last.stderr),
  text: {
    zh: 'Registry 里有这个仓库，但没有这个标签。这里每个镜像都有 `latest`，debian 还有 `bookworm`。',
    en: 'The registry has that repository but not that tag. Here every image has `latest`, and debian also has `bookworm`.',
  },
};

const accessDenied: Hint = {
  when: (last) => last?.status === 1 && /pull access denied/.test(last.stderr),
  text: {
    zh: '`pull access denied … repository does not exist`：没有这个仓库，多半是名字拼错了。这里能拉取的有 busybox、hello-world、debian、nginx、redis。',
    en: '`pull access denied … repository does not exist`: there is no such repository, most likely a typo. Here you can pull busybox, hello-world, debian, nginx and redis.',
  },
};

export default defineLesson({
  setup:
    'service docker start >/dev/null 2>&1; docker rm -f $(docker ps -aq) >/dev/null 2>&1; docker rmi -f $(docker images -q) >/dev/null 2>&1; true',
  steps: {
    pull: {
      check: (env) => needTag(env, 'busybox:latest', 'docker pull busybox'),
      solution: ['docker pull busybox'],
      hints: [accessDenied, manifestUnknown],
    },
    tag: {
      check: (env) => needTag(env, 'debian:bookworm', 'docker pull debian:bookworm'),
      solution: ['docker pull debian:bookworm', 'docker pull busybox:1.36'],
      hints: [accessDenied, manifestUnknown],
    },
    'full-name': {
      check: (env) => needTag(env, 'hello-world:latest', 'docker pull docker.io/library/hello-world:latest'),
      solution: ['docker pull docker.io/library/hello-world:latest', 'docker images'],
      hints: [accessDenied, manifestUnknown],
    },
    registry: {
      check: async (env) =>
        env.commands().some((c) => {
          const ref = pulledRef(c.argv);
          return ref !== undefined && otherRegistry(ref) && c.status !== 0;
        })
          ? true
          : {
              missing: {
                zh: '还没有试过从别的 Registry 拉取：`docker pull registry.mirrors.aliyuncs.com/library/centos`。',
                en: 'You have not tried another registry yet: `docker pull registry.mirrors.aliyuncs.com/library/centos`.',
              },
            },
      solution: ['docker pull registry.mirrors.aliyuncs.com/library/centos', 'docker pull 127.0.0.1:5000/busybox'],
    },
    challenge: {
      optional: true,
      check: async (env) =>
        (await hasTag(env, 'debian:bookworm')) && (await hasTag(env, 'debian:latest'))
          ? true
          : {
              missing: {
                zh: '还没有拉下 debian 的所有标签（bookworm 和 latest）。',
                en: 'Not every tag of debian is here yet (bookworm and latest).',
              },
            },
      solution: ['docker pull --all-tags debian'],
      hints: [
        {
          when: (last) => last?.status === 1 && /tag can't be used with --all-tags/.test(last.stderr),
          text: {
            zh: '`--all-tags` 要的是仓库名，不能再带标签：`docker pull -a debian`。',
            en: '`--all-tags` takes a repository name without a tag: `docker pull -a debian`.',
          },
        },
      ],
    },
  },
});
