// POST /build: the legacy builder (version=1) over the Engine API, as moby's build router answers it:
// the context tar in the body, the options in the query, and a stream of JSON messages; an error
// before any output is an HTTP error, after it an {"errorDetail"} message.

import type { HostConfig } from '../../containers/types';
import { AsyncQueue } from '../../async-queue';
import { concatBytes } from '../../images/tar';
import { BuildContext } from '../../builder/context';
import { Builder, BuildRequestError, BuildStepError, type BuilderDeps, type BuildMessage, type BuildOptions } from '../../builder/dispatch';
import type { Router } from '../router';
import { EngineError, invalidParameter, systemError } from '../../errors';
import { jsonResponse, queryBool, type ApiResponse } from '../types';

const encoder = new TextEncoder();

function parseJsonQuery<T>(text: string | null, what: string): T | undefined {
  if (text === null || text === '') return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw invalidParameter(`error reading ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function queryNumber(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (text === null || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value)) throw invalidParameter(`invalid ${name}: ${text}`);
  return value;
}

/** moby's hostConfigFromOptions: what RUN containers get from the build's options. */
function hostConfigFromQuery(query: URLSearchParams): HostConfig {
  const networkMode = query.get('networkmode') ?? '';
  const hostConfig: HostConfig = {
    NetworkMode: networkMode === '' || networkMode === 'default' ? 'default' : networkMode,
    Memory: queryNumber(query, 'memory'),
    MemorySwap: queryNumber(query, 'memswap'),
    CpuShares: queryNumber(query, 'cpushares'),
    CpuQuota: queryNumber(query, 'cpuquota'),
    CpuPeriod: queryNumber(query, 'cpuperiod'),
    CpusetCpus: query.get('cpusetcpus') ?? undefined,
    CpusetMems: query.get('cpusetmems') ?? undefined,
    CgroupParent: query.get('cgroupparent') ?? undefined,
    ShmSize: queryNumber(query, 'shmsize'),
    ExtraHosts: query.getAll('extrahosts').length > 0 ? query.getAll('extrahosts') : undefined,
    Ulimits: parseJsonQuery<{ Name: string; Soft: number; Hard: number }[]>(query.get('ulimits'), 'ulimits'),
  };
  return Object.fromEntries(Object.entries(hostConfig).filter(([, value]) => value !== undefined)) as HostConfig;
}

export function registerBuildRoutes(router: Router, daemon: { builder: BuilderDeps }): void {
  // BuildKit's cache: this daemon has none (the legacy builder's cache is its intermediate images).
  router.add('POST', '/build/prune', async () => jsonResponse(200, { CachesDeleted: null, SpaceReclaimed: 0 }));

  router.add('POST', '/build', async (request): Promise<ApiResponse> => {
    const query = request.query;
    const version = query.get('version') ?? '';
    if (version !== '' && version !== '1' && version !== '2') throw invalidParameter(`invalid version "${version}"`);
    if (version === '2') {
      throw invalidParameter('BuildKit is not available in Dockside: build with the legacy builder (DOCKER_BUILDKIT=0, Engine API version=1)');
    }
    const forceRemove = queryBool(query, 'forcerm');
    const options: BuildOptions = {
      dockerfile: query.get('dockerfile') ?? 'Dockerfile',
      tags: query.getAll('t').filter((tag) => tag !== ''),
      buildArgs: parseJsonQuery<Record<string, string | null>>(query.get('buildargs'), 'build args') ?? {},
      labels: parseJsonQuery<Record<string, string>>(query.get('labels'), 'labels') ?? {},
      noCache: queryBool(query, 'nocache'),
      forceRemove,
      remove: forceRemove || query.get('rm') === null || query.get('rm') === '' ? true : queryBool(query, 'rm'),
      pull: queryBool(query, 'pull'),
      target: query.get('target') ?? undefined,
      hostConfig: hostConfigFromQuery(query),
    };
    const quiet = queryBool(query, 'q');
    const parts: Uint8Array[] = [];
    for await (const chunk of request.bodyStream()) parts.push(chunk);
    let context: BuildContext;
    try {
      context = await BuildContext.fromTar(concatBytes(parts));
    } catch (error) {
      throw systemError(`failed to read the build context: ${error instanceof Error ? error.message : String(error)}`);
    }

    const queue = new AsyncQueue<Uint8Array>();
    const buffered: BuildMessage[] = [];
    let flushed = false;
    let firstOutput!: () => void;
    const started = new Promise<void>((resolve) => (firstOutput = resolve));
    const write = (message: BuildMessage) => {
      queue.push(encoder.encode(`${JSON.stringify(message)}\r\n`));
      if (!flushed) {
        flushed = true;
        firstOutput();
      }
    };
    const emit = (message: BuildMessage) => (quiet ? buffered.push(message) : write(message));
    const builder = new Builder(daemon.builder, options, context, emit);
    // The client hung up (Ctrl-C): moby cancels the build.
    queue.onCancel = () => builder.cancel();
    let failure: unknown;
    const done = (async () => {
      try {
        const id = await builder.build();
        if (quiet) write({ stream: `${id}\n` });
      } catch (error) {
        if (quiet && buffered.length > 0) for (const message of buffered) write(message);
        if (!flushed) {
          failure = error;
          return;
        }
        const message = error instanceof Error ? error.message : String(error);
        write({ errorDetail: error instanceof BuildStepError ? { code: error.code, message } : { message }, error: message });
      } finally {
        queue.end();
      }
    })();
    await Promise.race([started, done]);
    if (!flushed && failure !== undefined) {
      const message = failure instanceof Error ? failure.message : String(failure);
      if (failure instanceof EngineError) throw failure;
      throw failure instanceof BuildRequestError ? invalidParameter(message) : systemError(message);
    }
    return { status: 200, headers: { 'content-type': 'application/json' }, body: queue };
  });
}
