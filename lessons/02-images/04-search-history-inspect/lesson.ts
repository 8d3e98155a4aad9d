import { defineLesson, type Hint, type LessonEnv } from '../../../src/lessons/types';

function ranOk(env: LessonEnv, test: (argv: readonly string[]) => boolean): boolean {
  return env.commands().some((c) => c.status === 0 && test(c.argv));
}

const isSearch = (argv: readonly string[]): boolean => argv[0] === 'search';
const isHistory = (argv: readonly string[]): boolean => argv[0] === 'history' || (argv[0] === 'image' && argv[1] === 'history');
const isInspectFormat = (argv: readonly string[]): boolean =>
  (argv[0] === 'inspect' || (argv[0] === 'image' && argv[1] === 'inspect')) &&
  argv.some((a) => a === '-f' || a === '--format' || a.startsWith('--format=') || (a.startsWith('-f') && a.length > 2));

const oldSearchFlag: Hint = {
  when: (last) => last?.argv[0] === 'search' && last.status === 125 && /unknown (shorthand )?flag/.test(last.stderr),
  text: {
    zh: '老教程里的 `-s`、`--stars`、`--automated` 早已删除了。现在按星数筛选要写 `--filter stars=3`。',
    en: 'The `-s`, `--stars` and `--automated` of old tutorials are long gone. Filter by stars with `--filter stars=3`.',
  },
};

const noSuchImage: Hint = {
  when: (last) => last?.status === 1 && /No such (image|object)/.test(last.stderr),
  text: {
    zh: '本机没有这个镜像：`history` 和 `inspect` 只看本地镜像，先 `docker pull` 它。',
    en: 'There is no such image here: `history` and `inspect` only look at local images; `docker pull` it first.',
  },
};

const badTemplate: Hint = {
  when: (last) => last?.status === 1 && /template parsing error|map has no entry for key|can't evaluate field/.test(last.stderr),
  text: {
    zh: '模板里的字段名不对。字段名区分大小写，看一眼 `docker inspect nginx` 的 JSON，照着里面的层级写，比如 `{{.Config.Cmd}}`。',
    en: 'A field in the template does not exist. Names are case-sensitive: look at the JSON of `docker inspect nginx` and follow its nesting, e.g. `{{.Config.Cmd}}`.',
  },
};

export default defineLesson({
  setup:
    'service docker start >/dev/null 2>&1; docker rm -f $(docker ps -aq) >/dev/null 2>&1; docker rmi -f $(docker images -q) >/dev/null 2>&1; ' +
    'rm -f /root/ports.txt; docker pull -q busybox >/dev/null 2>&1; docker pull -q nginx >/dev/null 2>&1; true',
  steps: {
    search: {
      check: async (env) =>
        ranOk(env, isSearch) ? true : { missing: { zh: '还没有搜索过：`docker search debian`。', en: 'You have not searched yet: `docker search debian`.' } },
      solution: ['docker search debian', 'docker search --filter is-official=true --limit 3 e'],
      hints: [oldSearchFlag],
    },
    history: {
      check: async (env) =>
        ranOk(env, isHistory)
          ? true
          : { missing: { zh: '还没有查看镜像历史：`docker history nginx`。', en: 'You have not looked at an image\'s history yet: `docker history nginx`.' } },
      solution: ['docker history nginx'],
      hints: [noSuchImage],
    },
    inspect: {
      check: async (env) =>
        ranOk(env, isInspectFormat)
          ? true
          : {
              missing: {
                zh: '用 `-f` 取出一个字段试试：`docker inspect -f \'{{.Config.Cmd}}\' nginx`。',
                en: 'Pick out one field with `-f`: `docker inspect -f \'{{.Config.Cmd}}\' nginx`.',
              },
            },
      solution: [
        'docker inspect nginx',
        "docker inspect -f '{{.Config.Cmd}}' nginx",
        "docker inspect -f '{{.Os}}/{{.Architecture}}' busybox",
        "docker inspect -f '{{json .RootFS.Layers}}' nginx",
      ],
      hints: [noSuchImage, badTemplate],
    },
    challenge: {
      optional: true,
      check: async (env) => {
        const text = await env.readFile('/root/ports.txt');
        if (text === undefined) {
          return { missing: { zh: '还没有 /root/ports.txt。', en: 'There is no /root/ports.txt yet.' } };
        }
        return text.includes('80/tcp')
          ? true
          : { missing: { zh: '/root/ports.txt 里没有 nginx 的端口。', en: '/root/ports.txt does not hold nginx\'s port.' } };
      },
      solution: ["docker inspect -f '{{.Config.ExposedPorts}}' nginx > /root/ports.txt", 'cat /root/ports.txt'],
      hints: [noSuchImage, badTemplate],
    },
  },
});
