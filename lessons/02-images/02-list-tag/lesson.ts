import { defineLesson, type Hint, type LessonEnv } from '../../../src/lessons/types';

interface ImageSummary {
  Id: string;
  RepoTags?: string[] | null;
}
interface ImageInspect {
  Id: string;
  Config?: { Cmd?: string[] | null };
}

async function images(env: LessonEnv): Promise<ImageSummary[]> {
  const { body } = await env.api<ImageSummary[]>('GET', '/images/json');
  return body;
}

function idOf(list: ImageSummary[], tag: string): string | undefined {
  return list.find((i) => i.RepoTags?.includes(tag) ?? false)?.Id;
}

/** The arguments after `images` / `image ls` / `image list`, or undefined for another command. */
function listArgs(argv: readonly string[]): readonly string[] | undefined {
  if (argv[0] === 'images') return argv.slice(1);
  if (argv[0] === 'image' && (argv[1] === 'ls' || argv[1] === 'list')) return argv.slice(2);
  return undefined;
}

const noSuchImage: Hint = {
  when: (last) => last?.status === 1 && /No such image/.test(last.stderr),
  text: {
    zh: '源镜像不存在：`docker tag` 的第一个参数必须是已有的镜像（用 `docker images` 看看名字和 ID）。',
    en: 'The source image does not exist: the first argument of `docker tag` must be an image you have (see `docker images` for names and IDs).',
  },
};

const lowercase: Hint = {
  when: (last) => last?.status === 1 && /must be lowercase/.test(last.stderr),
  text: {
    zh: '仓库名只能用小写字母（以及数字和 `.`、`_`、`-`）；只有标签可以用大写。',
    en: 'Repository names are lowercase only (with digits, `.`, `_` and `-`); only the tag may contain capitals.',
  },
};

const referencedTwice: Hint = {
  when: (last) => last?.status === 1 && /referenced in multiple repositories/.test(last.stderr),
  text: {
    zh: '按 ID 删除时，docker 不知道你想去掉哪个名字，因为这个镜像有好几个名字。按名字删除：`docker rmi hello-world`。',
    en: 'Removing by ID, docker cannot tell which of the image\'s several names you mean. Remove by name: `docker rmi hello-world`.',
  },
};

export default defineLesson({
  setup:
    'service docker start >/dev/null 2>&1; docker rm -f $(docker ps -aq) >/dev/null 2>&1; docker rmi -f $(docker images -q) >/dev/null 2>&1; ' +
    'docker pull -q busybox >/dev/null 2>&1; docker pull -q hello-world >/dev/null 2>&1; docker pull -q debian:bookworm >/dev/null 2>&1; true',
  steps: {
    list: {
      check: async (env) =>
        env.commands().some((c) => c.status === 0 && listArgs(c.argv) !== undefined)
          ? true
          : { missing: { zh: '还没有列出镜像：`docker images`。', en: 'You have not listed the images yet: `docker images`.' } },
      solution: ['docker images', 'docker image ls'],
    },
    filter: {
      check: async (env) =>
        env.commands().some((c) => c.status === 0 && (listArgs(c.argv)?.length ?? 0) > 0)
          ? true
          : {
              missing: {
                zh: '试试带参数列出镜像：仓库名、`-q`、`--filter` 或 `--format`。',
                en: 'List images with an argument: a repository, `-q`, `--filter` or `--format`.',
              },
            },
      solution: [
        'docker images busybox',
        'docker images -q',
        "docker images --filter reference='*:latest'",
        "docker images --format '{{.Repository}}:{{.Tag}} is {{.Size}}'",
      ],
      hints: [
        {
          when: (last) => last?.status === 1 && /Invalid filter|invalid filter|bad format of filter/.test(last.stderr),
          text: {
            zh: '过滤条件写成 `键=值`，比如 `--filter reference=busybox` 或 `--filter dangling=true`。',
            en: 'A filter is `key=value`, e.g. `--filter reference=busybox` or `--filter dangling=true`.',
          },
        },
        {
          when: (last) => /template/.test(last?.stderr ?? ''),
          text: {
            zh: '模板写错了：字段用 `{{.Repository}}` 这种写法，注意大小写和两层花括号。',
            en: 'The template is wrong: fields are written `{{.Repository}}`, capitalized, inside double braces.',
          },
        },
      ],
    },
    tag: {
      check: async (env) => {
        const list = await images(env);
        const tagged = idOf(list, 'me/busybox:v1');
        if (!tagged) {
          return { missing: { zh: '还没有 me/busybox:v1。', en: 'There is no me/busybox:v1 yet.' } };
        }
        return tagged === idOf(list, 'busybox:latest')
          ? true
          : { missing: { zh: 'me/busybox:v1 应该指向 busybox:latest 同一个镜像。', en: 'me/busybox:v1 should point at the same image as busybox:latest.' } };
      },
      solution: ['docker tag busybox:latest me/busybox:v1', 'docker images'],
      hints: [noSuchImage, lowercase],
    },
    rename: {
      check: async (env) => {
        const list = await images(env);
        const id = idOf(list, 'greeting:latest');
        if (!id) {
          return { missing: { zh: '还没有 greeting:latest。', en: 'There is no greeting:latest yet.' } };
        }
        const { body } = await env.api<ImageInspect>('GET', `/images/${id}/json`);
        if (body.Config?.Cmd?.[0] !== '/hello') {
          return { missing: { zh: 'greeting 应该是 hello-world 那个镜像。', en: 'greeting should be the hello-world image.' } };
        }
        return idOf(list, 'hello-world:latest') === undefined
          ? true
          : { missing: { zh: '旧名字 hello-world 还在：`docker rmi hello-world`。', en: 'The old name hello-world is still there: `docker rmi hello-world`.' } };
      },
      solution: ['docker tag $(docker images -q hello-world) greeting:latest', 'docker rmi hello-world', 'docker images'],
      hints: [noSuchImage, lowercase, referencedTwice],
    },
    challenge: {
      optional: true,
      check: async (env) => {
        const list = await images(env);
        const id = idOf(list, 'registry.example.com:5000/base/debian:12');
        if (!id) {
          return {
            missing: { zh: '还没有 registry.example.com:5000/base/debian:12。', en: 'There is no registry.example.com:5000/base/debian:12 yet.' },
          };
        }
        return id === idOf(list, 'debian:bookworm')
          ? true
          : { missing: { zh: '它应该指向 debian:bookworm。', en: 'It should point at debian:bookworm.' } };
      },
      solution: ['docker tag debian:bookworm registry.example.com:5000/base/debian:12', 'docker images'],
      hints: [noSuchImage, lowercase],
    },
  },
});
