import { defineLesson, type CheckResult, type Hint, type LessonEnv } from '../../../src/lessons/types';

interface ImageSummary {
  RepoTags?: string[] | null;
}
interface ManifestEntry {
  RepoTags?: string[] | null;
}

/** The manifest.json of a docker-save archive in the guest, or undefined when the file is not one. */
async function savedManifest(env: LessonEnv, path: string): Promise<ManifestEntry[] | undefined> {
  const r = await env.sh(`tar xOf ${path} manifest.json 2>/dev/null`);
  if (r.status !== 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(r.stdout);
    return Array.isArray(parsed) ? (parsed as ManifestEntry[]) : undefined;
  } catch {
    return undefined;
  }
}

async function archiveHolds(env: LessonEnv, path: string, tags: string[], command: string): Promise<CheckResult> {
  const manifest = await savedManifest(env, path);
  if (!manifest) {
    return {
      missing: { zh: `${path} 还不是一个 docker save 的包：\`${command}\`。`, en: `${path} is not a docker save archive yet: \`${command}\`.` },
    };
  }
  const saved = manifest.flatMap((m) => m.RepoTags ?? []);
  const absent = tags.filter((t) => !saved.includes(t));
  return absent.length === 0
    ? true
    : { missing: { zh: `${path} 里没有 ${absent.join('、')}。`, en: `${path} does not hold ${absent.join(', ')}.` } };
}

async function haveTags(env: LessonEnv, tags: string[]): Promise<boolean> {
  const { body } = await env.api<ImageSummary[]>('GET', '/images/json');
  return tags.every((t) => body.some((i) => i.RepoTags?.includes(t) ?? false));
}

function loaded(env: LessonEnv, test: (argv: readonly string[]) => boolean = () => true): boolean {
  return env.commands().some((c) => c.status === 0 && (c.argv[0] === 'load' || (c.argv[0] === 'image' && c.argv[1] === 'load')) && test(c.argv));
}

const toTerminal: Hint = {
  when: (last) => last?.status === 1 && /cowardly refusing to save to a terminal/.test(last.stderr),
  text: {
    zh: 'docker 不肯把二进制的包写进终端。用 `-o 文件名`，或者用 `>` 重定向到文件。',
    en: 'docker will not write a binary archive into the terminal. Use `-o FILE`, or redirect with `>`.',
  },
};

const noFile: Hint = {
  when: (last) => last?.status === 1 && /no such file or directory/.test(last.stderr),
  text: {
    zh: '找不到这个文件。相对路径是相对于当前目录的（提示符里的 `~` 就是 /root）：用 `ls -l *.tar` 看看。',
    en: 'That file does not exist. Relative paths start from the current directory (`~` in the prompt is /root): `ls -l *.tar`.',
  },
};

const emptyStdin: Hint = {
  when: (last) => last?.status === 1 && /requested load from stdin, but stdin is empty/.test(last.stderr),
  text: {
    zh: '`docker load` 没拿到输入：用 `-i 文件名`，或者用 `< 文件名` 把文件送进标准输入。',
    en: '`docker load` got no input: use `-i FILE`, or feed the file on standard input with `< FILE`.',
  },
};

const inUse: Hint = {
  when: (last) => last?.status === 1 && /\(must force\) - container/.test(last.stderr),
  text: {
    zh: '有容器在用这个镜像。先 `docker rm` 那个容器，再删镜像。',
    en: 'A container uses this image. Remove that container with `docker rm`, then the image.',
  },
};

export default defineLesson({
  setup:
    'service docker start >/dev/null 2>&1; docker rm -f $(docker ps -aq) >/dev/null 2>&1; docker rmi -f $(docker images -q) >/dev/null 2>&1; ' +
    'rm -f /root/busybox.tar /root/hello.tar /root/both.tar; docker pull -q busybox >/dev/null 2>&1; docker pull -q hello-world >/dev/null 2>&1; true',
  steps: {
    save: {
      check: (env) => archiveHolds(env, '/root/busybox.tar', ['busybox:latest'], 'docker save -o busybox.tar busybox'),
      solution: ['docker save -o busybox.tar busybox', 'ls -lh busybox.tar', 'tar tf busybox.tar', 'tar xOf busybox.tar manifest.json'],
      hints: [toTerminal],
    },
    redirect: {
      check: (env) => archiveHolds(env, '/root/hello.tar', ['hello-world:latest'], 'docker save hello-world > hello.tar'),
      solution: ['docker save hello-world > hello.tar', 'ls -l hello.tar'],
      hints: [toTerminal],
    },
    load: {
      check: async (env) => {
        if (!loaded(env)) {
          return { missing: { zh: '还没有用 `docker load` 载入过镜像。', en: 'You have not loaded an image with `docker load` yet.' } };
        }
        return (await haveTags(env, ['busybox:latest', 'hello-world:latest']))
          ? true
          : {
              missing: {
                zh: 'busybox 和 hello-world 还没有都载入回来：`docker load -i busybox.tar`、`docker load < hello.tar`。',
                en: 'busybox and hello-world are not both back yet: `docker load -i busybox.tar`, `docker load < hello.tar`.',
              },
            };
      },
      solution: ['docker rmi busybox hello-world', 'docker load -i busybox.tar', 'docker load < hello.tar', 'docker images'],
      hints: [noFile, emptyStdin, inUse],
    },
    challenge: {
      optional: true,
      check: async (env) => {
        const both = await archiveHolds(env, '/root/both.tar', ['busybox:latest', 'hello-world:latest'], 'docker save -o both.tar busybox hello-world');
        if (both !== true) return both;
        const fromBoth = loaded(env, (argv) => argv.some((a) => a.endsWith('both.tar')));
        // `docker load < both.tar` passes no file name in argv: accept any load after both.tar exists.
        if (!fromBoth && !loaded(env, (argv) => !argv.some((a) => a.endsWith('.tar')))) {
          return { missing: { zh: '还没有从 both.tar 载入。', en: 'You have not loaded from both.tar yet.' } };
        }
        return (await haveTags(env, ['busybox:latest', 'hello-world:latest']))
          ? true
          : { missing: { zh: '两个镜像还没有都载入回来。', en: 'The two images are not both back yet.' } };
      },
      solution: ['docker save -o both.tar busybox hello-world', 'docker rmi busybox hello-world', 'docker load -i both.tar', 'docker images'],
      hints: [toTerminal, noFile, emptyStdin, inUse],
    },
  },
});
