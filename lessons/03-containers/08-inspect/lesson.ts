import { defineLesson, type DockerCommandRecord, type Hint, type LessonEnv } from '../../../src/lessons/types';

interface ContainerJson {
  Config: { Image: string };
  State: { Running: boolean };
  Mounts: { Destination: string }[];
  NetworkSettings: { IPAddress: string; Networks?: Record<string, { IPAddress: string }> };
}

async function container(env: LessonEnv, name: string): Promise<ContainerJson | undefined> {
  const { status, body } = await env.api<ContainerJson>('GET', `/containers/${name}/json`);
  return status === 200 ? body : undefined;
}

function verb(record: DockerCommandRecord): readonly string[] {
  return record.argv[0] === 'container' ? record.argv.slice(1) : record.argv;
}

/** Whether the learner ran `docker inspect … web` successfully with a template mentioning `field`. */
function inspected(env: LessonEnv, field?: string): boolean {
  return env.commands().some((r) => {
    const a = verb(r);
    return r.status === 0 && a[0] === 'inspect' && a.includes('web') && (field === undefined || a.some((arg) => arg.includes(field)));
  });
}

const hints: readonly Hint[] = [
  {
    when: (last) => last !== undefined && /No such object: \{\{/.test(last.stderr),
    text: {
      zh: '模板里有空格却没加引号，shell 把它拆成了几个参数，后半截被当成了容器名。把整个模板用单引号括起来：`-f \'{{.State.Status}} {{.State.Pid}}\'`。',
      en: "The template has spaces but no quotes, so the shell split it and docker took the second half for a container name. Put the whole template in single quotes: `-f '{{.State.Status}} {{.State.Pid}}'`.",
    },
  },
  {
    when: (last) => last !== undefined && /No such object/.test(last.stderr),
    text: {
      zh: 'docker 找不到这个名字的容器或镜像。检查拼写（`web`），或用 `docker ps -a` 看看。',
      en: 'docker found no container or image by that name. Check the spelling (`web`), or look with `docker ps -a`.',
    },
  },
  {
    when: (last) => last !== undefined && /map has no entry for key/.test(last.stderr),
    text: {
      zh: 'JSON 里没有这个字段。字段名区分大小写，要和 `docker inspect web` 输出里的一模一样，比如 `.State.Status`，不是 `.state.status`。',
      en: 'There is no such field in the JSON. Field names are case-sensitive and must match the `docker inspect web` output exactly: `.State.Status`, not `.state.status`.',
    },
  },
  {
    when: (last) => last !== undefined && /template parsing error/.test(last.stderr),
    text: {
      zh: '模板写得不完整：每个 `{{` 都要有对应的 `}}`，`range` 要以 `{{end}}` 结束。',
      en: 'The template is incomplete: every `{{` needs its `}}`, and a `range` ends with `{{end}}`.',
    },
  },
];

const notYet = (what: string, zh: string) => ({
  missing: { zh: `还没有用 \`docker inspect -f\` 取出 ${zh}。`, en: `You have not picked out ${what} with \`docker inspect -f\` yet.` },
});

export default defineLesson({
  setup: 'docker rm -f $(docker ps -aq) 2>/dev/null; rm -f /root/web-ip.txt; true',
  steps: {
    run: {
      check: async (env) => {
        const c = await container(env, 'web');
        if (!c) return { missing: { zh: '还没有名为 web 的容器。', en: 'There is no container named web yet.' } };
        if (!c.Mounts.some((m) => m.Destination === '/usr/share/nginx/html'))
          return {
            missing: {
              zh: 'web 没有挂载 /usr/share/nginx/html。`docker rm -f web`，再带上 `-v /root/site:/usr/share/nginx/html` 运行。',
              en: 'web has nothing mounted on /usr/share/nginx/html. `docker rm -f web`, then run it again with `-v /root/site:/usr/share/nginx/html`.',
            },
          };
        if (!c.State.Running) return { missing: { zh: 'web 存在，但没有在运行。', en: 'web exists but is not running.' } };
        return true;
      },
      solution: ['mkdir -p /root/site', "echo '<h1>hello</h1>' > /root/site/index.html", 'docker run -d --name web -e GREETING=hello -v /root/site:/usr/share/nginx/html nginx'],
      hints: [
        {
          when: (last) => last !== undefined && /is already in use/.test(last.stderr),
          text: { zh: '名字 web 已经被占用了。先 `docker rm -f web`，再运行一次。', en: 'The name web is taken. Remove it with `docker rm -f web`, then run again.' },
        },
      ],
    },
    all: {
      check: async (env) => (inspected(env) ? true : { missing: { zh: '还没有成功运行 `docker inspect web`。', en: '`docker inspect web` has not run successfully yet.' } }),
      solution: ['docker inspect web'],
      hints,
    },
    state: {
      check: async (env) => (inspected(env, '.State.') ? true : notYet('a `.State` field', '`.State` 里的字段')),
      solution: ["docker inspect -f '{{.State.Status}} {{.State.Pid}} {{.State.StartedAt}}' web"],
      hints,
    },
    ip: {
      check: async (env) => (inspected(env, 'IPAddress') ? true : notYet('the IP address', 'IP 地址')),
      solution: ["docker inspect -f '{{.NetworkSettings.IPAddress}}' web", "docker inspect web | grep IPAddress | cut -d '\"' -f 4"],
      hints,
    },
    mounts: {
      check: async (env) => (inspected(env, '.Mounts') ? true : notYet('`.Mounts`', '`.Mounts`')),
      solution: ["docker inspect -f '{{json .Mounts}}' web", "docker inspect -f '{{range .Mounts}}{{.Source}} -> {{.Destination}}{{println}}{{end}}' web"],
      hints,
    },
    config: {
      check: async (env) => (inspected(env, '.Config.') ? true : notYet('a `.Config` field', '`.Config` 里的字段')),
      solution: [
        "docker inspect -f '{{.Config.Image}} {{json .Config.Cmd}}' web",
        "docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}' web",
        "PID=$(docker inspect -f '{{.State.Pid}}' web)",
        "tr '\\0' '\\n' < /proc/$PID/environ",
      ],
      hints,
    },
    'save-ip': {
      optional: true,
      check: async (env) => {
        const c = await container(env, 'web');
        if (!c) return { missing: { zh: 'web 不见了。', en: 'web is gone.' } };
        const ip = c.NetworkSettings.IPAddress || Object.values(c.NetworkSettings.Networks ?? {})[0]?.IPAddress || '';
        const text = await env.readFile('/root/web-ip.txt');
        if (text === undefined) return { missing: { zh: '还没有 /root/web-ip.txt。', en: 'There is no /root/web-ip.txt yet.' } };
        if (ip === '' || text.trim() !== ip)
          return { missing: { zh: `/root/web-ip.txt 的内容不是 web 的 IP 地址（${ip}）。`, en: `/root/web-ip.txt does not hold web's IP address (${ip}).` } };
        return true;
      },
      solution: ["docker inspect -f '{{.NetworkSettings.IPAddress}}' web > /root/web-ip.txt"],
      hints,
    },
  },
});
