// Container and exec endpoints (/containers/..., /exec/..., /commit): the Engine API over the container
// service, with moby's status codes, query parameters and stream formats.

import type { Daemon } from '../../daemon';
import type { Router } from '../router';
import { EngineError, conflict, forbidden, invalidParameter, notFound, systemError } from '../../errors';
import { emptyResponse, jsonResponse, queryBool, queryFilters, readJson, type ApiResponse, type RawConnection } from '../types';
import { containerService } from '../../containers';
import type { ContainerService, LiveContainer } from '../../containers/service';
import { AsyncQueue, STDERR, STDOUT, concat, frame, rfc3339Nano, type LogEntry } from '../../containers/streams';
import { inspect, statsJson, statsSample, summary, top, type StatsSample } from '../../containers/views';
import type { CreateRequest, HostConfig } from '../../containers/types';
import type { ImageConfig } from '../../oci/types';
import { TarWriter, readTar } from '../../images/tar';

const encoder = new TextEncoder();

/** docker's term.ToBytes: "ctrl-p,ctrl-q" → [0x10, 0x11]. */
export function parseDetachKeys(keys: string): number[] {
  if (keys === '') return [0x10, 0x11];
  const out: number[] = [];
  for (const key of keys.split(',')) {
    const k = key.trim();
    if (k.length > 1 && !k.startsWith('ctrl-')) throw invalidParameter(`Invalid escape keys (${keys}) provided`);
    if (k.length === 1) {
      out.push(k.charCodeAt(0));
      continue;
    }
    const c = k.slice(5);
    if (c.length !== 1) throw invalidParameter(`Invalid escape keys (${keys}) provided`);
    const code = c.charCodeAt(0);
    if (c >= 'a' && c <= 'z') out.push(code - 96);
    else if (c === '@') out.push(0);
    else if (c === '[') out.push(27);
    else if (c === '\\') out.push(28);
    else if (c === ']') out.push(29);
    else if (c === '^') out.push(30);
    else if (c === '_') out.push(31);
    else throw invalidParameter(`Invalid escape keys (${keys}) provided`);
  }
  return out;
}

/** Scans input for the detach sequence; holds back a partial match like docker's escape proxy. */
export class EscapeProxy {
  private matched = 0;
  constructor(private readonly keys: number[]) {}

  /** Returns [bytes to pass on, whether the sequence completed]. */
  feed(chunk: Uint8Array): [Uint8Array, boolean] {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return [Uint8Array.from(out), true];
        continue;
      }
      if (this.matched > 0) {
        out.push(...this.keys.slice(0, this.matched));
        this.matched = 0;
        if (byte === this.keys[0]) {
          this.matched = 1;
          continue;
        }
      }
      out.push(byte);
    }
    return [Uint8Array.from(out), false];
  }
}

function streamHeaders(tty: boolean): Record<string, string> {
  return {
    'content-type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream',
    connection: 'Upgrade',
    upgrade: 'tcp',
  };
}

/** since/until: Unix seconds with optional fraction, or RFC 3339. */
function parseTime(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidParameter(`invalid value for time: ${value}`);
  return ms;
}

function imageName() {
  return (record: { config: { Image?: string }; image: string }): string => {
    const name = record.config.Image ?? '';
    return name !== '' ? name : record.image;
  };
}

function logBytes(entry: LogEntry, tty: boolean, timestamps: boolean): Uint8Array {
  const data = timestamps ? concat([encoder.encode(`${rfc3339Nano(entry.timeMs, entry.subNanos)} `), entry.data]) : entry.data;
  return tty ? data : frame(entry.stream === 'stdout' ? STDOUT : STDERR, data);
}

export function registerContainerRoutes(router: Router, daemon: Daemon): void {
  const service = (): ContainerService => containerService(daemon);
  const get = async (ref: string): Promise<LiveContainer> => {
    await service().ready();
    return service().get(ref);
  };

  router.add('POST', '/containers/create', async (request) => {
    const body = await readJson<CreateRequest>(request);
    await service().ready();
    const result = await service().create(request.query.get('name') ?? '', body, request.query.get('platform') ?? '');
    return jsonResponse(201, result);
  });

  router.add('GET', '/containers/json', async (request) => {
    await service().ready();
    const filters = queryFilters(request.query);
    const all = queryBool(request.query, 'all');
    const limit = Number(request.query.get('limit') ?? '-1');
    const wantSize = queryBool(request.query, 'size');
    const nowMs = daemon.clock().getTime();
    let containers = service().list();
    for (const key of filters.keys()) {
      if (!['status', 'name', 'id', 'ancestor', 'exited', 'label', 'before', 'since', 'health', 'isolation', 'network', 'volume', 'publish', 'expose', 'is-task'].includes(key)) {
        throw invalidParameter(`invalid filter '${key}'`);
      }
    }
    const statusFilter = filters.get('status');
    if (statusFilter) {
      for (const status of statusFilter) {
        if (!['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'].includes(status)) {
          throw invalidParameter(`invalid filter 'status=${status}'`);
        }
      }
    }
    const explicitAll = all || (limit > 0) || (statusFilter !== undefined) || filters.has('exited') || filters.has('before') || filters.has('since');
    if (!explicitAll) containers = containers.filter((live) => live.status === 'running' || live.status === 'paused' || live.status === 'restarting');
    const matchAny = (values: string[] | undefined, test: (value: string) => boolean) => !values || values.some(test);
    let before: string | undefined;
    let since: string | undefined;
    if (filters.get('before')) before = service().get(filters.get('before')![0]).record.created;
    if (filters.get('since')) since = service().get(filters.get('since')![0]).record.created;
    containers = containers.filter((live) => {
      const record = live.record;
      if (!matchAny(statusFilter, (s) => s === record.state.status)) return false;
      if (!matchAny(filters.get('name'), (n) => new RegExp(n.replace(/^\//, '')).test(record.name.slice(1)))) return false;
      if (!matchAny(filters.get('id'), (i) => record.id.startsWith(i))) return false;
      if (!matchAny(filters.get('exited'), (code) => record.state.status === 'exited' && record.state.exitCode === Number(code))) return false;
      if (!matchAny(filters.get('ancestor'), (a) => record.config.Image === a || record.config.Image === a.replace(/:latest$/, '') || record.image === a || record.image.replace(/^sha256:/, '').startsWith(a.replace(/^sha256:/, '')))) return false;
      if (!matchAny(filters.get('health'), (h) => (record.state.health?.Status ?? 'none') === h)) return false;
      const labels = filters.get('label');
      if (labels && !labels.every((label) => {
        const [key, value] = label.split('=', 2);
        const actual = record.config.Labels?.[key];
        return value === undefined ? actual !== undefined : actual === value;
      })) return false;
      if (before && record.created >= before) return false;
      if (since && record.created <= since) return false;
      return true;
    });
    if (limit > 0) containers = containers.slice(0, limit);
    const name = imageName();
    const sizes = wantSize ? await Promise.all(containers.map((live) => service().sizes(live))) : [];
    return jsonResponse(200, containers.map((live, index) => summary(live, nowMs, name, sizes[index], (network) => service().networkId(network))));
  });

  router.add('GET', '/containers/{id}/json', async (request, params) => {
    const live = await get(params.id);
    const wantSize = queryBool(request.query, 'size');
    const size = wantSize ? await service().sizes(live) : undefined;
    return jsonResponse(200, inspect(live, { nowMs: daemon.clock().getTime(), size, networkId: (network) => service().networkId(network) }));
  });

  router.add('POST', '/containers/{id}/start', async (_request, params) => {
    await service().ready();
    await service().start(params.id);
    return emptyResponse(204);
  });

  router.add('POST', '/containers/{id}/stop', async (request, params) => {
    await service().ready();
    const t = request.query.get('t');
    await service().stop(params.id, t !== null && t !== '' ? Number(t) : undefined, request.query.get('signal') ?? undefined);
    return emptyResponse(204);
  });

  router.add('POST', '/containers/{id}/restart', async (request, params) => {
    await service().ready();
    const t = request.query.get('t');
    await service().restart(params.id, t !== null && t !== '' ? Number(t) : undefined, request.query.get('signal') ?? undefined);
    return emptyResponse(204);
  });

  router.add('POST', '/containers/{id}/kill', async (request, params) => {
    await service().ready();
    await service().kill(params.id, request.query.get('signal') || 'KILL');
    return emptyResponse(204);
  });

  router.add('POST', '/containers/{id}/pause', async (_request, params) => {
    await service().ready();
    await service().pause(params.id);
    return emptyResponse(204);
  });

  router.add('POST', '/containers/{id}/unpause', async (_request, params) => {
    await service().ready();
    await service().unpause(params.id);
    return emptyResponse(204);
  });

  router.add('POST', '/containers/{id}/rename', async (request, params) => {
    await service().ready();
    await service().rename(params.id, request.query.get('name') ?? '');
    return emptyResponse(204);
  });

  router.add('DELETE', '/containers/{id}', async (request, params) => {
    await service().ready();
    await service().remove(params.id, { force: queryBool(request.query, 'force'), volumes: queryBool(request.query, 'v'), link: queryBool(request.query, 'link') });
    return emptyResponse(204);
  });

  router.add('POST', '/containers/{id}/wait', async (request, params) => {
    const live = await get(params.id);
    const condition = request.query.get('condition') ?? '';
    if (!['', 'not-running', 'next-exit', 'removed'].includes(condition)) throw invalidParameter(`invalid condition: "${condition}"`);
    const { result, cancel } = service().wait(live, condition);
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
    await service().ready();
    const h = Number(request.query.get('h') ?? '0');
    const w = Number(request.query.get('w') ?? '0');
    if (!Number.isInteger(h) || !Number.isInteger(w) || h < 0 || w < 0) throw invalidParameter('invalid resize size');
    await service().resize(params.id, h, w);
    const live = service().get(params.id);
    daemon.events.emit('container', 'resize', live.id, service().attributes(live, { height: String(h), width: String(w) }));
    return emptyResponse(200);
  });

  router.add('POST', '/containers/{id}/update', async (request, params) => {
    const body = await readJson<HostConfig>(request);
    await service().ready();
    const warnings = await service().update(params.id, body);
    return jsonResponse(200, { Warnings: warnings });
  });

  router.add('POST', '/containers/{id}/attach', async (request, params) => {
    const live = await get(params.id);
    const query = request.query;
    const wantStdin = queryBool(query, 'stdin');
    const wantStdout = queryBool(query, 'stdout');
    const wantStderr = queryBool(query, 'stderr');
    const wantStream = queryBool(query, 'stream');
    const wantLogs = queryBool(query, 'logs');
    const keys = parseDetachKeys(query.get('detachKeys') ?? '');
    const tty = live.record.config.Tty ?? false;
    daemon.events.emit('container', 'attach', live.id, service().attributes(live));
    return {
      status: 101,
      headers: streamHeaders(tty),
      upgrade: (connection) => attachStream(service(), live, connection, { wantStdin, wantStdout, wantStderr, wantStream, wantLogs, keys, tty }),
    };
  });

  router.add('GET', '/containers/{id}/logs', async (request, params) => {
    const live = await get(params.id);
    const query = request.query;
    const stdout = queryBool(query, 'stdout');
    const stderr = queryBool(query, 'stderr');
    if (!stdout && !stderr) throw invalidParameter('Bad parameters: you must choose at least one stream');
    const follow = queryBool(query, 'follow');
    const timestamps = queryBool(query, 'timestamps');
    const since = parseTime(query.get('since'));
    const until = parseTime(query.get('until'));
    const tailText = query.get('tail') ?? 'all';
    const tail = tailText === 'all' || tailText === '' ? -1 : Number(tailText);
    const tty = live.record.config.Tty ?? false;
    const wanted = (entry: LogEntry) =>
      ((entry.stream === 'stdout' && stdout) || (entry.stream === 'stderr' && stderr)) &&
      (since === undefined || entry.timeMs >= since) &&
      (until === undefined || entry.timeMs <= until);
    let past = live.log.entries.filter(wanted);
    if (tail >= 0) past = tail === 0 ? [] : past.slice(-tail);
    const headers = { 'content-type': tty ? 'application/vnd.docker.raw-stream' : 'application/vnd.docker.multiplexed-stream' };
    const running = live.status === 'running' || live.status === 'paused' || live.status === 'restarting';
    if (!follow || !running) {
      return { status: 200, headers, body: concat([new Uint8Array(0), ...past.map((entry) => logBytes(entry, tty, timestamps))]) };
    }
    const queue = new AsyncQueue<Uint8Array>();
    for (const entry of past) queue.push(logBytes(entry, tty, timestamps));
    const unsubscribe = live.log.subscribe((entry) => {
      if (wanted(entry)) queue.push(logBytes(entry, tty, timestamps));
    });
    const end = () => {
      unsubscribe();
      live.endListeners.delete(end);
      queue.end();
    };
    live.endListeners.add(end);
    queue.onCancel = end;
    return { status: 200, headers, body: queue };
  });

  router.add('GET', '/containers/{id}/top', async (request, params) => {
    const live = await get(params.id);
    if (live.status !== 'running' && live.status !== 'paused') throw conflict(`container ${live.id} is not running`);
    return jsonResponse(200, await top(daemon.runtime, live.cgroupPath, request.query.get('ps_args') ?? '-ef', daemon.clock().getTime()));
  });

  router.add('GET', '/containers/{id}/stats', async (request, params) => {
    const live = await get(params.id);
    const stream = request.query.get('stream') === null ? true : queryBool(request.query, 'stream');
    const oneShot = queryBool(request.query, 'one-shot');
    const sample = async (): Promise<StatsSample | undefined> => {
      if (live.status !== 'running' && live.status !== 'paused') return undefined;
      try {
        return await statsSample(daemon.runtime, live.cgroupPath, live.record.endpoint?.hostVeth, daemon.host.memoryBytes, daemon.host.cpus, daemon.clock());
      } catch {
        return undefined;
      }
    };
    if (!stream) {
      let previous: StatsSample | undefined;
      if (!oneShot) {
        previous = await sample();
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      const current = await sample();
      return jsonResponse(200, statsJson(live, current, previous));
    }
    const queue = new AsyncQueue<Uint8Array>();
    let stopped = false;
    queue.onCancel = () => (stopped = true);
    void (async () => {
      let previous: StatsSample | undefined;
      while (!stopped && service().containers.has(live.id)) {
        const current = await sample();
        queue.push(encoder.encode(`${JSON.stringify(statsJson(live, current, previous))}\n`));
        previous = current;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      queue.end();
    })();
    return { status: 200, headers: { 'content-type': 'application/json' }, body: queue };
  });

  router.add('GET', '/containers/{id}/changes', async (_request, params) => {
    const live = await get(params.id);
    const changes = await daemon.runtime.changes(service().upperDir(live), live.record.layerDirs);
    const hidden = new Set(['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/dev', '/proc', '/sys', '/.dockerenv']);
    const visible = changes.filter((change) => !hidden.has(change.path) && !change.path.startsWith('/dev/') && !change.path.startsWith('/proc/') && !change.path.startsWith('/sys/'));
    return jsonResponse(200, visible.length > 0 ? visible.map((c) => ({ Path: c.path, Kind: c.kind })) : null);
  });

  router.add('GET', '/containers/{id}/export', async (_request, params) => {
    const live = await get(params.id);
    const name = `export-${live.id.slice(0, 12)}-${Date.now()}.tar`;
    const tar = await service().withRootfs(live, async (merged) => {
      await daemon.runtime.pack(merged, daemon.runtime.stagedPath(name), ['.'], false);
      return daemon.runtime.readStagedFile(name);
    });
    await daemon.runtime.removeStagedFile(name).catch(() => undefined);
    daemon.events.emit('container', 'export', live.id, service().attributes(live));
    return { status: 200, headers: { 'content-type': 'application/x-tar' }, body: tar };
  });

  const archivePath = (path: string | null): string => {
    if (!path) throw invalidParameter('path is required');
    return path.startsWith('/') ? path : `/${path}`;
  };

  router.add('GET', '/containers/{id}/archive', async (request, params): Promise<ApiResponse> => {
    const live = await get(params.id);
    const path = archivePath(request.query.get('path'));
    const name = `archive-${live.id.slice(0, 12)}-${Date.now()}.tar`;
    // A path ending in '/.' is the directory's contents: docker's daemon archives the directory as '.'
    // (TarResourceRebase with the base of the path, '.'), so the entries are './', './sub/'...
    const trimmed = path.replace(/\/+$/, '');
    const contents = trimmed.endsWith('/.');
    const clean = trimmed.replace(/(\/\.)+$/, '').replace(/\/+$/, '') || '/';
    const parent = clean.slice(0, clean.lastIndexOf('/')) || '/';
    const base = clean.slice(clean.lastIndexOf('/') + 1) || '.';
    let tar: Uint8Array;
    try {
      tar = await service().withRootfs(live, async (merged) => {
        await daemon.runtime.pack(`${merged}${parent === '/' ? '' : parent}`, daemon.runtime.stagedPath(name), [base], false);
        return daemon.runtime.readStagedFile(name);
      });
    } catch (error) {
      if (error instanceof EngineError) throw error;
      throw notFound(`Could not find the file ${path} in container ${params.id}`);
    } finally {
      await daemon.runtime.removeStagedFile(name).catch(() => undefined);
    }
    if (contents && base !== '.') tar = await renameFirstElementToDot(tar, base);
    const stat = tarStat(tar, base);
    // 'x/.' of a file: docker's lstat says it is not a directory.
    if (!stat || (contents && stat.mode < 2 ** 31)) throw notFound(`Could not find the file ${path} in container ${params.id}`);
    const header = btoa(JSON.stringify({ ...stat, name: contents ? '.' : base === '.' ? '/' : base }));
    if (request.method === 'HEAD') return { status: 200, headers: { 'x-docker-container-path-stat': header } };
    return { status: 200, headers: { 'content-type': 'application/x-tar', 'x-docker-container-path-stat': header }, body: tar };
  });

  router.add('PUT', '/containers/{id}/archive', async (request, params) => {
    const live = await get(params.id);
    const path = archivePath(request.query.get('path'));
    if (live.record.hostConfig.ReadonlyRootfs) throw forbidden('container rootfs is marked read-only');
    const body = await request.body();
    const name = `put-${live.id.slice(0, 12)}-${Date.now()}.tar`;
    const staged = await daemon.runtime.stageFile(name, body);
    try {
      await service().withRootfs(live, (merged) => daemon.runtime.unpack(staged, `${merged}${path === '/' ? '' : path}`, false));
    } catch (error) {
      if (error instanceof EngineError) throw error;
      throw notFound(`Could not find the file ${path} in container ${params.id}`);
    } finally {
      await daemon.runtime.removeStagedFile(name).catch(() => undefined);
    }
    return emptyResponse(200);
  });

  router.add('POST', '/containers/prune', async (request) => {
    await service().ready();
    const filters = queryFilters(request.query);
    const until = filters.get('until')?.[0];
    const untilMs = until ? parseTime(until) : undefined;
    const deleted: string[] = [];
    for (const live of service().list()) {
      if (live.status !== 'exited' && live.status !== 'created' && live.status !== 'dead') continue;
      if (untilMs !== undefined && Date.parse(live.record.created) >= untilMs) continue;
      await service().remove(live.id, {});
      deleted.push(live.id);
    }
    daemon.events.emit('container', 'prune', '', { reclaimed: '0' });
    return jsonResponse(200, { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: 0 });
  });

  router.add('POST', '/commit', async (request) => {
    const query = request.query;
    const ref = query.get('container') ?? '';
    const live = await get(ref);
    const overrides = await readJson<Record<string, unknown>>(request);
    const repo = query.get('repo') ?? '';
    const tag = query.get('tag') ?? '';
    const pause = query.get('pause') === null ? true : queryBool(query, 'pause');
    const changes = query.getAll('changes');
    const images = daemon.images;
    if (!images) throw systemError('images are not available');
    const parent = await images.prepareForRun(live.record.image);
    const name = `commit-${live.id.slice(0, 12)}-${Date.now()}.tar`;
    const paused = pause && live.status === 'running';
    if (paused) await daemon.runtime.pause(live.cgroupPath);
    try {
      await daemon.runtime.pack(service().upperDir(live), daemon.runtime.stagedPath(name), ['.'], true);
    } finally {
      if (paused) await daemon.runtime.resume(live.cgroupPath).catch(() => undefined);
    }
    const config = commitConfig(live, parent.config.config ?? {}, overrides, changes);
    const id = await images.commit({
      parent,
      layerTarPath: daemon.runtime.stagedPath(name),
      config,
      author: query.get('author') ?? '',
      comment: query.get('comment') ?? '',
      createdBy: '',
      reference: repo !== '' ? `${repo}${tag !== '' ? `:${tag}` : ''}` : undefined,
    });
    await daemon.runtime.removeStagedFile(name).catch(() => undefined);
    daemon.events.emit('container', 'commit', live.id, service().attributes(live, { comment: query.get('comment') ?? '', imageID: id, imageRef: repo }));
    return jsonResponse(201, { Id: id });
  });

  // ---- exec ----

  router.add('POST', '/containers/{id}/exec', async (request, params) => {
    const body = await readJson<Parameters<ContainerService['execCreate']>[1]>(request);
    await service().ready();
    const id = await service().execCreate(params.id, body);
    return jsonResponse(201, { Id: id });
  });

  router.add('POST', '/exec/{id}/start', async (request, params) => {
    await service().ready();
    const exec = service().getExec(params.id);
    const body = await readJson<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null }>(request);
    if (exec.running || exec.exitCode !== null) throw conflict(`Error: Exec command ${exec.id} has already run`);
    const live = service().get(exec.containerId);
    if (live.status === 'paused') throw conflict(`Container ${live.id} is paused, unpause the container before exec`);
    if (live.status !== 'running') throw conflict(`container ${live.id} is not running`);
    const tty = body.Tty ?? exec.tty;
    const overrides = { tty, consoleSize: body.ConsoleSize ?? undefined };
    if (body.Detach) {
      const result = await service().execStart(exec, { stdin: false }, overrides);
      if ('failure' in result) throw systemError(result.failure);
      return emptyResponse(200);
    }
    const upgrade = async (connection: RawConnection): Promise<void> => {
      const write = (stream: number, chunk: Uint8Array) => connection.write(tty ? chunk : frame(stream, chunk));
      const result = await service().execStart(
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
    await service().ready();
    const exec = service().getExec(params.id);
    const h = Number(request.query.get('h') ?? '0');
    const w = Number(request.query.get('w') ?? '0');
    if (!exec.process) throw conflict(`Exec ${exec.id} is not running`);
    await exec.process.resize(h, w).catch(() => undefined);
    return emptyResponse(200);
  });

  router.add('GET', '/exec/{id}/json', async (_request, params) => {
    await service().ready();
    const exec = service().getExec(params.id);
    return jsonResponse(200, {
      ID: exec.id,
      Running: exec.running,
      ExitCode: exec.exitCode,
      ProcessConfig: { tty: exec.tty, entrypoint: exec.cmd[0], arguments: exec.cmd.slice(1), privileged: exec.privileged, ...(exec.user ? { user: exec.user } : {}) },
      OpenStdin: exec.attachStdin,
      OpenStderr: exec.attachStderr,
      OpenStdout: exec.attachStdout,
      CanRemove: exec.canRemove,
      ContainerID: exec.containerId,
      DetachKeys: exec.detachKeys,
      Pid: exec.pid,
    });
  });
}

async function attachStream(
  service: ContainerService,
  live: LiveContainer,
  connection: RawConnection,
  options: { wantStdin: boolean; wantStdout: boolean; wantStderr: boolean; wantStream: boolean; wantLogs: boolean; keys: number[]; tty: boolean },
): Promise<void> {
  const write = (stream: 1 | 2, chunk: Uint8Array) => connection.write(options.tty ? chunk : frame(stream, chunk));
  if (options.wantLogs) {
    for (const entry of live.log.entries) {
      if ((entry.stream === 'stdout' && options.wantStdout) || (entry.stream === 'stderr' && options.wantStderr)) {
        await write(entry.stream === 'stdout' ? 1 : 2, entry.data).catch(() => undefined);
      }
    }
  }
  if (!options.wantStream) return;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const listener = (stream: 1 | 2, chunk: Uint8Array): Promise<void> | undefined => {
    if ((stream === 1 && options.wantStdout) || (stream === 2 && options.wantStderr)) return write(stream, chunk).catch(() => undefined);
    return undefined;
  };
  live.listeners.add(listener);
  live.endListeners.add(finish);
  if (options.wantStdin) {
    void (async () => {
      const proxy = new EscapeProxy(options.keys);
      try {
        for await (const chunk of connection.input) {
          const [pass, detached] = proxy.feed(chunk);
          if (pass.length > 0) await service.writeStdin(live, pass);
          if (detached) {
            finish();
            return;
          }
        }
      } catch {
        // client went away
      }
      // docker closes the container's stdin only without a TTY; with one, the client has gone (detached).
      if (!options.tty) await service.closeStdin(live);
      else finish();
    })();
  }
  if (live.status !== 'running' && live.status !== 'created' && live.status !== 'paused' && live.status !== 'restarting') finish();
  await done;
  live.listeners.delete(listener);
  live.endListeners.delete(finish);
}

/**
 * The tar of `base` as the tar of '.': every entry named `base` or `base/...` (and hard link targets)
 * renamed to '.' or './...', as docker's daemon names the contents of a 'dir/.' path.
 */
async function renameFirstElementToDot(tar: Uint8Array, base: string): Promise<Uint8Array> {
  const rename = (name: string): string => (name === base || name.startsWith(`${base}/`) ? `.${name.slice(base.length)}` : name);
  const out = new TarWriter();
  for await (const entry of readTar([tar])) {
    out.entry(rename(entry.name), entry.type, {
      data: entry.data,
      mode: entry.mode,
      mtime: entry.mtime,
      uid: entry.uid,
      gid: entry.gid,
      devMajor: entry.devMajor,
      devMinor: entry.devMinor,
      linkName: entry.type === '1' ? rename(entry.linkName) : entry.linkName,
    });
  }
  return out.finish();
}

function tarStat(tar: Uint8Array, base: string): { size: number; mode: number; mtime: string; linkTarget: string } | undefined {
  if (tar.length < 512) return undefined;
  const text = (start: number, length: number) => {
    let end = start;
    while (end < start + length && tar[end] !== 0) end++;
    return new TextDecoder().decode(tar.subarray(start, end));
  };
  const name = text(0, 100);
  if (name === '') return undefined;
  void base;
  const octal = (start: number, length: number) => parseInt(text(start, length).trim() || '0', 8);
  const type = String.fromCharCode(tar[156] || 48);
  // Go's os.FileMode, unsigned: permission bits, then setuid/setgid/sticky and the type in high bits.
  const posix = octal(100, 8);
  let mode = posix & 0o777;
  if (posix & 0o4000) mode += 1 << 23; // os.ModeSetuid
  if (posix & 0o2000) mode += 1 << 22; // os.ModeSetgid
  if (posix & 0o1000) mode += 1 << 20; // os.ModeSticky
  if (type === '5') mode += 2 ** 31; // os.ModeDir
  if (type === '2') mode += 1 << 27; // os.ModeSymlink
  if (type === '3') mode += (1 << 26) + (1 << 21); // os.ModeDevice | os.ModeCharDevice
  if (type === '4') mode += 1 << 26; // os.ModeDevice
  if (type === '6') mode += 1 << 25; // os.ModeNamedPipe
  const mtime = new Date(octal(136, 12) * 1000).toISOString().replace('.000Z', 'Z');
  return { size: octal(124, 12), mode, mtime, linkTarget: text(157, 100) };
}

function commitConfig(live: LiveContainer, imageConfig: NonNullable<ImageConfig['config']>, overrides: Record<string, unknown>, changes: string[]): NonNullable<ImageConfig['config']> {
  const c = live.record.config;
  const config: NonNullable<ImageConfig['config']> = {
    Hostname: c.Hostname,
    Domainname: c.Domainname ?? '',
    User: c.User ?? '',
    ExposedPorts: c.ExposedPorts,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    Volumes: c.Volumes ?? null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild ?? null,
    Labels: c.Labels ?? null,
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
    ...(imageConfig.Healthcheck ? { Healthcheck: imageConfig.Healthcheck } : {}),
  };
  Object.assign(config, overrides);
  for (const change of changes) {
    for (const line of change.split('\n')) {
      const match = /^\s*(\w+)\s+(.*)$/.exec(line);
      if (!match) continue;
      const instruction = match[1].toUpperCase();
      const value = match[2].trim();
      const json = (): string[] => {
        try {
          const parsed = JSON.parse(value) as unknown;
          if (Array.isArray(parsed)) return parsed.map(String);
        } catch {
          // shell form
        }
        return ['/bin/sh', '-c', value];
      };
      switch (instruction) {
        case 'CMD':
          config.Cmd = json();
          break;
        case 'ENTRYPOINT':
          config.Entrypoint = json();
          break;
        case 'ENV': {
          const eq = value.indexOf('=');
          const entry = eq === -1 ? value.replace(/\s+/, '=') : value;
          const key = entry.slice(0, entry.indexOf('='));
          config.Env = [...(config.Env ?? []).filter((e) => !e.startsWith(`${key}=`)), entry];
          break;
        }
        case 'WORKDIR':
          config.WorkingDir = value;
          break;
        case 'USER':
          config.User = value;
          break;
        case 'EXPOSE':
          config.ExposedPorts = { ...(config.ExposedPorts ?? {}), ...Object.fromEntries(value.split(/\s+/).map((p) => [p.includes('/') ? p : `${p}/tcp`, {}])) };
          break;
        case 'LABEL': {
          const eq = value.indexOf('=');
          if (eq !== -1) config.Labels = { ...(config.Labels ?? {}), [value.slice(0, eq)]: value.slice(eq + 1).replace(/^"|"$/g, '') };
          break;
        }
        case 'VOLUME':
          config.Volumes = { ...(config.Volumes ?? {}), ...Object.fromEntries(json().filter((v) => v !== '/bin/sh' && v !== '-c').map((v) => [v, {}])) };
          break;
        case 'STOPSIGNAL':
          config.StopSignal = value;
          break;
        default:
          throw invalidParameter(`${instruction} is not a valid change command`);
      }
    }
  }
  return config;
}
