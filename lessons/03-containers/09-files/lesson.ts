import { defineLesson, type DockerCommandRecord, type Hint, type LessonEnv } from '../../../src/lessons/types';

interface ContainerJson {
  State: { Running: boolean };
}

interface ImageJson {
  Config: { Cmd: string[] | null } | null;
  RootFS: { Layers?: string[] };
}

interface Change {
  Path: string;
  /** 0 changed, 1 added, 2 deleted. */
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

const cpHints: readonly Hint[] = [
  {
    when: failed(/No such container/),
    text: { zh: 'docker 找不到这个容器。冒号前面是容器名：`workbench:/tmp/note.txt`。', en: 'docker found no such container. The part before the colon is the container name: `workbench:/tmp/note.txt`.' },
  },
  {
    when: failed(/must specify at least one container source/),
    text: {
      zh: '两个路径都是宿主机上的：容器那一侧要写成 `容器名:路径`，比如 `workbench:/tmp/note.txt`。',
      en: 'Both paths are on the host: write the container side as `container:path`, e.g. `workbench:/tmp/note.txt`.',
    },
  },
  {
    when: failed(/Could not find the file/),
    text: { zh: '容器里没有这个路径。先用 `docker exec workbench ls 目录` 看看文件在哪。', en: 'That path does not exist in the container. Look first with `docker exec workbench ls DIR`.' },
  },
  {
    when: failed(/no such file or directory/),
    text: { zh: '宿主机上没有这个文件。检查路径，比如先 `ls /root`。', en: 'That file does not exist on the host. Check the path, e.g. with `ls /root`.' },
  },
];

const importHints: readonly Hint[] = [
  {
    when: failed(/no command specified/),
    text: {
      zh: 'import 出来的镜像没有 `CMD`，运行时必须自己给命令，比如 `docker run --rm test/workbench:v1 cat /tmp/note.txt`，或者导入时用 `-c` 补上。',
      en: 'An imported image has no `CMD`, so you must give a command when you run it, e.g. `docker run --rm test/workbench:v1 cat /tmp/note.txt`, or add one with `-c` when importing.',
    },
  },
  {
    when: failed(/no such file or directory/),
    text: { zh: '找不到这个 tar 包。先完成上一步的 `docker export`，再检查路径。', en: 'That archive does not exist. Finish the `docker export` step first, then check the path.' },
  },
  {
    when: failed(/invalid reference format/),
    text: { zh: '镜像名不合法：仓库名只能用小写字母、数字和 `-_./`，标签写在冒号后面。', en: 'Invalid image name: the repository takes lowercase letters, digits and `-_./`, the tag goes after a colon.' },
  },
];

export default defineLesson({
  setup: 'docker rm -f $(docker ps -aq) 2>/dev/null; docker rmi test/workbench:v1 test/workbench:v2 2>/dev/null; rm -rf /root/note.txt /root/passwd.txt /root/workbench.tar /root/workbench-etc; true',
  steps: {
    start: {
      check: async (env) => {
        const c = await get<ContainerJson>(env, '/containers/workbench/json');
        if (!c) return { missing: { zh: '还没有名为 workbench 的容器。', en: 'There is no container named workbench yet.' } };
        return c.State.Running ? true : { missing: { zh: 'workbench 存在，但没有在运行。', en: 'workbench exists but is not running.' } };
      },
      solution: ['docker run -d --name workbench busybox sleep 3600'],
      hints: [
        {
          when: failed(/is already in use/),
          text: { zh: '名字 workbench 已经被占用了。先 `docker rm -f workbench`，再运行一次。', en: 'The name workbench is taken. Remove it with `docker rm -f workbench`, then run again.' },
        },
      ],
    },
    'cp-in': {
      check: async (env) => {
        const changes = (await get<Change[] | null>(env, '/containers/workbench/changes')) ?? [];
        return changes.some((c) => c.Path === '/tmp/note.txt' && c.Kind === 1)
          ? true
          : { missing: { zh: '容器里还没有 /tmp/note.txt。', en: 'There is no /tmp/note.txt in the container yet.' } };
      },
      solution: ["echo 'hello from the host' > /root/note.txt", 'docker cp /root/note.txt workbench:/tmp/note.txt', 'docker exec workbench cat /tmp/note.txt'],
      hints: cpHints,
    },
    'cp-out': {
      check: async (env) => {
        const text = await env.readFile('/root/passwd.txt');
        if (text === undefined) return { missing: { zh: '宿主机上还没有 /root/passwd.txt。', en: 'There is no /root/passwd.txt on the host yet.' } };
        return text.includes('root:x:0:0')
          ? true
          : { missing: { zh: '/root/passwd.txt 不是容器里的 /etc/passwd。', en: "/root/passwd.txt is not the container's /etc/passwd." } };
      },
      solution: ['docker cp workbench:/etc/passwd /root/passwd.txt', 'cat /root/passwd.txt'],
      hints: cpHints,
    },
    diff: {
      check: async (env) => {
        const changes = (await get<Change[] | null>(env, '/containers/workbench/changes')) ?? [];
        const kinds = new Set(changes.map((c) => c.Kind));
        if (!kinds.has(2)) return { missing: { zh: '容器里还没有删除任何文件（`rm -r /var/spool/mail`）。', en: 'Nothing has been deleted in the container yet (`rm -r /var/spool/mail`).' } };
        if (!changes.some((c) => c.Kind === 1 && c.Path !== '/tmp/note.txt' && c.Path !== '/tmp'))
          return { missing: { zh: '除了 note.txt，容器里还没有新增别的东西（`mkdir /data`）。', en: 'Nothing but note.txt has been added in the container yet (`mkdir /data`).' } };
        if (!env.commands().some((r) => r.status === 0 && verb(r)[0] === 'diff' && verb(r).includes('workbench')))
          return { missing: { zh: '还没有运行 `docker diff workbench`。', en: '`docker diff workbench` has not run yet.' } };
        return true;
      },
      solution: [
        'docker exec workbench mkdir /data',
        `docker exec workbench sh -c 'echo "alice:x:1000:" >> /etc/group'`,
        'docker exec workbench rm -r /var/spool/mail',
        'docker diff workbench',
        "UPPER=$(docker inspect -f '{{.GraphDriver.Data.UpperDir}}' workbench)",
        'ls -l $UPPER/tmp $UPPER/var/spool',
      ],
      hints: [{ when: failed(/No such container/), text: { zh: 'docker 找不到这个容器：名字是 `workbench`。', en: 'docker found no such container: the name is `workbench`.' } }],
    },
    export: {
      check: async (env) => {
        const listing = await env.sh("tar tf /root/workbench.tar 2>/dev/null | grep -c '^tmp/note.txt$'");
        return listing.stdout.trim() !== '' && listing.stdout.trim() !== '0'
          ? true
          : { missing: { zh: '/root/workbench.tar 还不存在，或者里面没有 tmp/note.txt。', en: '/root/workbench.tar does not exist yet, or holds no tmp/note.txt.' } };
      },
      solution: ['docker export workbench > /root/workbench.tar', 'ls -l /root/workbench.tar', 'tar tf /root/workbench.tar | grep note'],
      hints: [
        {
          when: failed(/cowardly refusing/),
          text: { zh: 'tar 包不能直接打印到终端：用 `>` 重定向到文件，或者加 `-o 文件名`。', en: 'A tar stream cannot go to the terminal: redirect it with `>` or give `-o FILE`.' },
        },
        { when: failed(/No such container/), text: { zh: 'docker 找不到这个容器：名字是 `workbench`。', en: 'docker found no such container: the name is `workbench`.' } },
      ],
    },
    import: {
      check: async (env) => {
        const image = await get<ImageJson>(env, '/images/test/workbench:v1/json');
        if (!image) return { missing: { zh: '还没有 test/workbench:v1 镜像。', en: 'There is no test/workbench:v1 image yet.' } };
        return (image.RootFS.Layers ?? []).length === 1
          ? true
          : { missing: { zh: 'test/workbench:v1 不是 import 出来的单层镜像。', en: 'test/workbench:v1 is not a one-layer imported image.' } };
      },
      solution: ['cat /root/workbench.tar | docker import - test/workbench:v1', 'docker history test/workbench:v1', 'docker run --rm test/workbench:v1 cat /tmp/note.txt'],
      hints: importHints,
    },
    'import-cmd': {
      optional: true,
      check: async (env) => {
        const image = await get<ImageJson>(env, '/images/test/workbench:v2/json');
        if (!image) return { missing: { zh: '还没有 test/workbench:v2 镜像。', en: 'There is no test/workbench:v2 image yet.' } };
        const cmd = image.Config?.Cmd ?? [];
        if (!cmd.join(' ').includes('/tmp/note.txt'))
          return { missing: { zh: 'test/workbench:v2 的默认命令不会打印 /tmp/note.txt。', en: "test/workbench:v2's default command does not print /tmp/note.txt." } };
        return (image.RootFS.Layers ?? []).length === 1
          ? true
          : { missing: { zh: 'test/workbench:v2 应该从 tar 包 import，只有一层。', en: 'test/workbench:v2 should be imported from the archive, with a single layer.' } };
      },
      solution: [`docker import -c 'CMD ["cat", "/tmp/note.txt"]' /root/workbench.tar test/workbench:v2`, 'docker run --rm test/workbench:v2'],
      hints: importHints,
    },
  },
});
