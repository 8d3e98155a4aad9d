// The layer docker commit and a build's RUN keep: the container's changes, without the mount points the
// daemon made in the upper directory (moby keeps those in the -init layer).

import { describe, expect, it } from 'vitest';
import { containerLayer } from '../../src/engine/containers/layer';
import { TarWriter, readTarEntries } from '../../src/go/tar';

const names = async (tar: Uint8Array) => (await readTarEntries(tar)).map((entry) => entry.name);

describe('containerLayer', () => {
  it('drops /etc/hosts, hostname, resolv.conf and /proc, /sys, /dev with /etc when nothing else changed in it', async () => {
    const tar = new TarWriter();
    tar.directory('./');
    for (const dir of ['./etc', './proc', './sys', './dev', './dev/pts', './root']) tar.directory(dir);
    for (const file of ['./etc/hosts', './etc/hostname', './etc/resolv.conf']) tar.file(file, '');
    tar.file('./root/notes', 'hello\n');
    expect(await names(await containerLayer(tar.finish()))).toEqual(['./', './root/', './root/notes']);
  });

  it('keeps /etc when the container changed a file there, and its whiteouts', async () => {
    const tar = new TarWriter();
    tar.directory('etc');
    tar.file('etc/hostname', '');
    tar.file('etc/motd', 'hi\n');
    tar.file('etc/.wh.issue', '');
    expect(await names(await containerLayer(tar.finish()))).toEqual(['etc/', 'etc/motd', 'etc/.wh.issue']);
  });

  it('returns the tar as it was when nothing is the daemon\'s', async () => {
    const tar = new TarWriter();
    tar.file('a', 'x');
    const bytes = tar.finish();
    expect(await containerLayer(bytes)).toBe(bytes);
  });
});
