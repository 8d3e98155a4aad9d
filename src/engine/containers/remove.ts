// docker rm and docker rename (moby's daemon/delete.go and rename.go): a container's layer, files and
// record go (its anonymous volumes too with -v); names stay unique.

import { conflict, invalidParameter } from '../errors';
import type { ContainerContext } from './context';
import type { WaitResult } from './live';
import { VALID_NAME } from './names';
import { DOCKER_ROOT } from './spec';
import { resumeQuietly } from './stop';

export class ContainerRemover {
  constructor(private readonly context: ContainerContext) {}

  async remove(ref: string, options: { force?: boolean; volumes?: boolean; link?: boolean } = {}): Promise<void> {
    const live = this.context.get(ref);
    if (options.link) throw invalidParameter('links are not available yet in Dockside');
    if (live.status === 'removing') throw conflict(`removal of container ${live.id} is already in progress`);
    if ((live.status === 'running' || live.status === 'paused' || live.status === 'restarting') && !options.force) {
      const what = live.status === 'paused' ? 'paused' : live.status === 'restarting' ? 'restarting' : 'running';
      throw conflict(`cannot remove container "${live.record.name}": container is ${what}: stop the container before removing or force remove`);
    }
    live.record.manuallyStopped = true;
    if (live.restartTimer) clearTimeout(live.restartTimer);
    live.restartTimer = undefined;
    if (live.process) {
      const handled = live.exitHandled;
      this.context.emit(live, 'kill', { signal: '9' });
      await this.context.deps.runtime.killAll(live.cgroupPath, 9).catch(() => undefined);
      if (live.status === 'paused') await resumeQuietly(this.context, live);
      await handled;
      if (!this.context.containers.has(live.id)) return; // --rm removed it meanwhile
    }
    const wasDead = live.status === 'dead';
    live.record.state = { ...live.record.state, status: 'removing' };
    // An exited container's runtime state went when it exited; only a dead one may have some left.
    if (wasDead) await this.context.deps.runtime.delete(live.id).catch(() => undefined);
    // Its layer and its files (hosts, resolv.conf, logs) live in guest RAM: give it back.
    await this.context.deps.runtime.removePath(`${DOCKER_ROOT}/overlay2/${live.id}`).catch(() => undefined);
    await this.context.deps.runtime.removePath(`${DOCKER_ROOT}/containers/${live.id}`).catch(() => undefined);
    this.context.containers.delete(live.id);
    for (const execId of live.execs) this.context.execs.delete(execId);
    await this.context.deps.store.metadata.delete(`container/${live.id}`);
    await this.context.deps.store.metadata.delete(`containerlog/${live.id}`);
    this.context.emit(live, 'destroy');
    // rm -v (and --rm): the anonymous volumes made for it go too; named ones stay.
    if (options.volumes) {
      for (const mount of live.record.volumeMounts ?? []) {
        if (mount.anonymous) await this.context.deps.volumes.remove(mount.name).catch(() => undefined);
      }
    }
    const result: WaitResult = { StatusCode: live.record.state.exitCode, Error: null };
    const waiters = [...live.removedWaiters, ...live.exitWaiters];
    live.removedWaiters = [];
    live.exitWaiters = [];
    for (const waiter of waiters) waiter(result);
  }

  async rename(ref: string, newName: string): Promise<void> {
    const live = this.context.get(ref);
    const clean = newName.replace(/^\//, '');
    if (clean === '') throw invalidParameter('Neither old nor new names may be empty');
    if (!VALID_NAME.test(clean)) throw invalidParameter(`Invalid container name (${clean}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if (`/${clean}` === live.record.name) throw invalidParameter('Renaming a container with the same name as its current name');
    const other = this.context.find(clean);
    if (other && other.record.name === `/${clean}`) {
      throw conflict(
        `Error when allocating new name: Conflict. The container name "/${clean}" is already in use by container "${other.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    const oldName = live.record.name;
    live.record.name = `/${clean}`;
    if (live.isUp) await this.context.syncDns().catch(() => undefined);
    await this.context.persist(live);
    this.context.emit(live, 'rename', { oldName });
  }
}
