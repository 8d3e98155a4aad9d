// Container and exec endpoints (/containers/..., /exec/..., /commit): moby's api/server/router/container.
// Each handler reads the query and body, calls the container service, and writes its answer with
// docker's status codes and stream formats; what docker does lives in src/engine/containers.

import { containerCreateType, containerUpdateType, execCreateType, goBool, goStruct } from '../go-json';
import type { ContainerService, ExecCreateRequest } from '../../containers/service';
import { STDERR, STDOUT, frame } from '../../containers/streams';
import type { CreateRequest, HostConfig } from '../../containers/types';
import { AsyncQueue } from '../../../go/async-queue';
import { systemError } from '../../errors';
import { ndjson } from '../ndjson';
import type { Router } from '../router';
import { emptyResponse, jsonResponse, queryBool, queryFilters, readJson, type ApiResponse, type RawConnection } from '../types';

const encoder = new TextEncoder();

function streamHeaders(tty: boolean): Record<string, string> {
  return {
    'content-type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream',
    connection: 'Upgrade',
    upgrade: 'tcp',
  };
}

/** A stop timeout in seconds from the query (`t`), unset when absent. */
function timeoutQuery(query: URLSearchParams): number | undefined {
  const t = query.get('t');
  return t !== null && t !== '' ? Number(t) : undefined;
}

export function registerContainerRoutes(router: Router, daemon: { containers: ContainerService }): void {
  const service = daemon.containers;

  router.add('POST', '/containers/create', async (request) => {
    const body = await readJson<CreateRequest>(request, containerCreateType);
    return jsonResponse(201, await service.create(request.query.get('name') ?? '', body));
  });

  router.add('GET', '/containers/json', async (request) => {
    const query = request.query;
    const summaries = await service.summaries({
      all: queryBool(query, 'all'),
      limit: Number(query.get('limit') ?? '-1'),
      filters: queryFilters(query),
      size: queryBool(query, 'size'),
    });
    return jsonResponse(200, summaries);
  });

  router.add('GET', '/containers/{id}/json', async (request, params) =>
    jsonResponse(200, await service.inspect(params.id, { size: queryBool(request.query, 'size') })),
  );

  router.add('POST', '/containers/{id}/start', async (_request, params) => {
    await service.start(params.id);
    return emptyResponse(204);
  });

  router.add('POST', '/containers/{id}/stop', async (request, params) => {
    await service.stop(params.id, timeoutQuery(request.query), request.query.get('signal') ?? undefined);
    return emptyResponse(204);
  });

  router.add('POST', '/containers/{id}/restart', async (request, params) => {
    await service.restart(params.id, timeoutQuery(request.query), request.query.get('signal') ?? undefined);
    return emptyResponse(204);
  });

  router.add('POST', '/containers/{id}/kill', async (request, params) => {
    await service.kill(params.id, request.query.get('signal') || 'KILL');
    return emptyResponse(204);
  });

  router.add('POST', '/containers/{id}/pause', async (_request, params) => {
    await service.pause(params.id);
    return emptyResponse(204);
  });

  router.add('POST', '/containers/{id}/unpause', async (_request, params) => {
    await service.unpause(params.id);
    return emptyResponse(204);
  });

  router.add('POST', '/containers/{id}/rename', async (request, params) => {
    await service.rename(params.id, request.query.get('name') ?? '');
    return emptyResponse(204);
  });

  router.add('DELETE', '/containers/{id}', async (request, params) => {
    const query = request.query;
    await service.remove(params.id, { force: queryBool(query, 'force'), volumes: queryBool(query, 'v'), link: queryBool(query, 'link') });
    return emptyResponse(204);
  });

  router.add('POST', '/containers/{id}/wait', async (request, params) => {
    const { result, cancel } = await service.waitFor(params.id, request.query.get('condition') ?? '');
    // The header goes out at once (the CLI reads it before it starts the container); the body when the
    // condition is met. A client that hangs up first leaves no waiter behind.
    const queue = new AsyncQueue<Uint8Array>();
    queue.onCancel = cancel;
    void result.then((value) => {
      queue.push(encoder.encode(`${JSON.stringify(value)}\n`));
      queue.end();
    });
    return { status: 200, headers: { 'content-type': 'application/json' }, body: queue };
  });

  router.add('POST', '/containers/{id}/resize', async (request, params) => {
    await service.resize(params.id, Number(request.query.get('h') ?? '0'), Number(request.query.get('w') ?? '0'));
    return emptyResponse(200);
  });

  router.add('POST', '/containers/{id}/update', async (request, params) => {
    const body = await readJson<HostConfig>(request, containerUpdateType);
    return jsonResponse(200, { Warnings: await service.update(params.id, body) });
  });

  router.add('POST', '/containers/{id}/attach', async (request, params) => {
    const query = request.query;
    const { tty, serve } = await service.attach(params.id, {
      stdin: queryBool(query, 'stdin'),
      stdout: queryBool(query, 'stdout'),
      stderr: queryBool(query, 'stderr'),
      stream: queryBool(query, 'stream'),
      logs: queryBool(query, 'logs'),
      detachKeys: query.get('detachKeys') ?? '',
    });
    return { status: 101, headers: streamHeaders(tty), upgrade: (connection) => serve(connection) };
  });

  router.add('GET', '/containers/{id}/logs', async (request, params) => {
    const query = request.query;
    const { tty, body } = await service.logs(params.id, {
      stdout: queryBool(query, 'stdout'),
      stderr: queryBool(query, 'stderr'),
      follow: queryBool(query, 'follow'),
      timestamps: queryBool(query, 'timestamps'),
      since: query.get('since'),
      until: query.get('until'),
      tail: query.get('tail'),
    });
    return { status: 200, headers: { 'content-type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' }, body };
  });

  router.add('GET', '/containers/{id}/top', async (request, params) =>
    jsonResponse(200, await service.top(params.id, request.query.get('ps_args') ?? '-ef')),
  );

  router.add('GET', '/containers/{id}/stats', async (request, params) => {
    const query = request.query;
    const stats = await service.stats(params.id, {
      stream: query.get('stream') === null ? true : queryBool(query, 'stream'),
      oneShot: queryBool(query, 'one-shot'),
    });
    if (!(stats instanceof AsyncQueue)) return jsonResponse(200, stats);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: ndjson(stats) };
  });

  router.add('GET', '/containers/{id}/changes', async (_request, params) => jsonResponse(200, await service.changes(params.id)));

  router.add('GET', '/containers/{id}/export', async (_request, params) => ({
    status: 200,
    headers: { 'content-type': 'application/x-tar' },
    body: await service.export(params.id),
  }));

  router.add('GET', '/containers/{id}/archive', async (request, params): Promise<ApiResponse> => {
    const { tar, stat } = await service.archive(params.id, request.query.get('path'));
    const header = btoa(JSON.stringify(stat));
    if (request.method === 'HEAD') return { status: 200, headers: { 'x-docker-container-path-stat': header } };
    return { status: 200, headers: { 'content-type': 'application/x-tar', 'x-docker-container-path-stat': header }, body: tar };
  });

  router.add('PUT', '/containers/{id}/archive', async (request, params) => {
    await service.extractArchive(params.id, request.query.get('path'), await request.body());
    return emptyResponse(200);
  });

  router.add('POST', '/containers/prune', async (request) => jsonResponse(200, await service.prune(queryFilters(request.query))));

  router.add('POST', '/commit', async (request) => {
    const query = request.query;
    const overrides = await readJson<Record<string, unknown>>(request, containerCreateType);
    const id = await service.commit(query.get('container') ?? '', {
      repo: query.get('repo') ?? '',
      tag: query.get('tag') ?? '',
      author: query.get('author') ?? '',
      comment: query.get('comment') ?? '',
      pause: query.get('pause') === null ? true : queryBool(query, 'pause'),
      changes: query.getAll('changes'),
      overrides,
    });
    return jsonResponse(201, { Id: id });
  });

  // ---- exec ----

  router.add('POST', '/containers/{id}/exec', async (request, params) => {
    const body = await readJson<ExecCreateRequest>(request, execCreateType);
    return jsonResponse(201, { Id: await service.execCreate(params.id, body) });
  });

  router.add('POST', '/exec/{id}/start', async (request, params) => {
    const exec = await service.lookupExec(params.id);
    const body = await readJson<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null }>(request, goStruct('container.ExecStartOptions', { Detach: goBool, Tty: goBool }));
    service.checkExecStartable(exec);
    const tty = body.Tty ?? exec.tty;
    const overrides = { tty, consoleSize: body.ConsoleSize ?? undefined };
    if (body.Detach) {
      const result = await service.execStart(exec, { stdin: false }, overrides);
      if ('failure' in result) throw systemError(result.failure);
      return emptyResponse(200);
    }
    const upgrade = async (connection: RawConnection): Promise<void> => {
      const write = (stream: number, chunk: Uint8Array) => connection.write(tty ? chunk : frame(stream, chunk));
      const result = await service.execStart(
        exec,
        {
          stdin: exec.attachStdin,
          stdout: exec.attachStdout ? (chunk) => write(STDOUT, chunk).catch(() => undefined) : undefined,
          stderr: exec.attachStderr ? (chunk) => write(STDERR, chunk).catch(() => undefined) : undefined,
        },
        overrides,
      );
      if ('failure' in result) {
        await write(STDOUT, encoder.encode(`${result.failure}\r\n`)).catch(() => undefined);
        return;
      }
      const proc = result;
      if (exec.attachStdin) {
        void (async () => {
          try {
            for await (const chunk of connection.input) await proc.writeStdin(chunk);
          } catch {
            // the process is gone
          }
          await proc.closeStdin().catch(() => undefined);
        })();
      }
      await proc.wait().catch(() => undefined);
    };
    return { status: 101, headers: streamHeaders(tty), upgrade };
  });

  router.add('POST', '/exec/{id}/resize', async (request, params) => {
    await service.execResize(params.id, Number(request.query.get('h') ?? '0'), Number(request.query.get('w') ?? '0'));
    return emptyResponse(200);
  });

  router.add('GET', '/exec/{id}/json', async (_request, params) => jsonResponse(200, await service.execInspect(params.id)));
}
