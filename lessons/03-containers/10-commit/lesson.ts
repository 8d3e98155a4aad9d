import { defineLesson, type DockerCommandRecord, type Hint, type LessonEnv } from '../../../src/lessons/types';

interface ImageJson {
  Author: string;
  Config: { Cmd: string[] | null } | null;
  RootFS: { Layers?: string[] };
}

interface HistoryEntry {
  Comment: string;
}

interface Change {
  Path: string;
  Kind: number;
}

async function get<T>(env: LessonEnv, path: string): Promise<T | undefined> {
  const { status, body } = await env.api<T>('GET', path);
  return status === 200 ? body : undefined;
}

function verb(record: DockerCommandRecord): readonly string[] {
  return record.argv[0] === 'container' || record.argv[0] === 'image' ? record.argv.slice(1) : record.argv;
}

const failed = (pattern: RegExp) => (last: DockerCommandRecord | undefined) => last !== undefined && pattern.test(last.stderr);

const commitHints: readonly Hint[] = [
  {
    when: failed(/No such container/),
    text: { zh: 'docker 找不到这个容器。`docker commit` 的第一个参数是容器名 `crafter`，第二个才是新镜像名。', en: 'docker found no such container. `docker commit` takes the container (`crafter`) first, then the new image name.' },
  },
  {
    when: failed(/must be lowercase/),
    text: { zh: '镜像的仓库名只能用小写字母：`greeter:v1`，不是 `Greeter:v1`。', en: 'Repository names must be lowercase: `greeter:v1`, not `Greeter:v1`.' },
  },
  {
    when: failed(/requires at least 1 and at most 2 arguments/),
    text: {
      zh: '参数太多了：`-a` 和 `-m` 的值里有空格却没加引号，被拆成了好几个参数。写成 `-a "Ada <ada@example.com>" -m "add greeting.txt"`。',
      en: 'Too many arguments: the `-a` and `-m` values contain spaces but no quotes, so they were split. Write `-a "Ada <ada@example.com>" -m "add greeting.txt"`.',
    },
  },
  {
    when: failed(/invalid reference format/),
    text: { zh: '镜像名不合法：仓库名只能用小写字母、数字和 `-_./`，标签写在冒号后面。', en: 'Invalid image name: the repository takes lowercase letters, digits and `-_./`, the tag goes after a colon.' },
  },
  {
    when: failed(/is not a valid change command/),
    text: { zh: '`-c` 只接受 Dockerfile 指令，比如 `CMD`、`ENV`、`WORKDIR`。', en: '`-c` takes Dockerfile instructions only, such as `CMD`, `ENV`, `WORKDIR`.' },
  },
];

export default defineLesson({
  setup: 'docker rm -f $(docker ps -aq) 2>/dev/null; docker rmi greeter:v1 greeter:v2 2>/dev/null; true',
  steps: {
    change: {
      check: async (env) => {
        const changes = await get<Change[] | null>(env, '/containers/crafter/changes');
        if (changes === undefined) return { missing: { zh: '还没有名为 crafter 的容器。', en: 'There is no container named crafter yet.' } };
        return (changes ?? []).some((c) => c.Path === '/greeting.txt' && c.Kind === 1)
          ? true
          : { missing: { zh: 'crafter 里还没有 /greeting.txt。', en: 'There is no /greeting.txt in crafter yet.' } };
      },
      solution: ['docker run -d --name crafter busybox sleep 3600', `docker exec crafter sh -c 'echo "hello from a committed layer" > /greeting.txt'`, 'docker diff crafter'],
      hints: [
        {
          when: failed(/is already in use/),
          text: { zh: '名字 crafter 已经被占用了。先 `docker rm -f crafter`，再运行一次。', en: 'The name crafter is taken. Remove it with `docker rm -f crafter`, then run again.' },
        },
      ],
    },
    commit: {
      check: async (env) => {
        const image = await get<ImageJson>(env, '/images/greeter:v1/json');
        if (!image) return { missing: { zh: '还没有 greeter:v1 镜像。', en: 'There is no greeter:v1 image yet.' } };
        const history = (await get<HistoryEntry[]>(env, '/images/greeter:v1/history')) ?? [];
        if (image.Author === '' || (history[0]?.Comment ?? '') === '')
          return {
            missing: {
              zh: 'greeter:v1 没有作者或说明：`docker rmi greeter:v1`，再带上 `-a` 和 `-m` 提交一次。',
              en: 'greeter:v1 has no author or message: `docker rmi greeter:v1`, then commit again with `-a` and `-m`.',
            },
          };
        return true;
      },
      solution: ['docker commit -a "Ada <ada@example.com>" -m "add greeting.txt" crafter greeter:v1', 'docker images'],
      hints: commitHints,
    },
    run: {
      check: async (env) =>
        env.commands().some((r) => r.status === 0 && verb(r)[0] === 'run' && verb(r).includes('greeter:v1'))
          ? true
          : { missing: { zh: '还没有成功地从 greeter:v1 运行容器。', en: 'No container has run from greeter:v1 successfully yet.' } },
      solution: ['docker run --rm greeter:v1 cat /greeting.txt', "docker inspect -f '{{json .Config.Cmd}}' greeter:v1"],
      hints: [
        {
          when: failed(/Unable to find image|pull access denied/),
          text: { zh: '本地没有这个镜像，Docker 就去仓库拉，当然拉不到。检查镜像名和标签：`greeter:v1`。', en: 'The image is not here, so Docker tried to pull it, and there is nothing to pull. Check the name and tag: `greeter:v1`.' },
        },
      ],
    },
    history: {
      check: async (env) =>
        env.commands().some((r) => r.status === 0 && verb(r)[0] === 'history' && verb(r).includes('greeter:v1'))
          ? true
          : { missing: { zh: '还没有运行 `docker history greeter:v1`。', en: '`docker history greeter:v1` has not run yet.' } },
      solution: [
        'docker history greeter:v1',
        "docker inspect -f '{{len .RootFS.Layers}}' busybox",
        "docker inspect -f '{{len .RootFS.Layers}}' greeter:v1",
        "ls $(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' greeter:v1)",
      ],
      hints: [{ when: failed(/No such image/), text: { zh: '没有这个镜像：名字是 `greeter:v1`。', en: 'No such image: the name is `greeter:v1`.' } }],
    },
    'commit-cmd': {
      optional: true,
      check: async (env) => {
        const image = await get<ImageJson>(env, '/images/greeter:v2/json');
        if (!image) return { missing: { zh: '还没有 greeter:v2 镜像。', en: 'There is no greeter:v2 image yet.' } };
        if (!(image.Config?.Cmd ?? []).join(' ').includes('/greeting.txt'))
          return { missing: { zh: 'greeter:v2 的默认命令不会打印 /greeting.txt。', en: "greeter:v2's default command does not print /greeting.txt." } };
        return (image.RootFS.Layers ?? []).length >= 2
          ? true
          : { missing: { zh: 'greeter:v2 应该从 crafter 提交出来。', en: 'greeter:v2 should be committed from crafter.' } };
      },
      solution: [`docker commit -c 'CMD ["cat", "/greeting.txt"]' crafter greeter:v2`, 'docker run --rm greeter:v2'],
      hints: commitHints,
    },
  },
});
