// The registry-proxy setting: its forms, its errors, where it is kept in the page, and that without
// it Dockside stays offline (the bundled registry alone).

import { describe, expect, it } from 'vitest';
import { registryProxySetting, type SettingsStorage } from '../../src/app/settings';
import { WithRemoteRegistry, proxyFromSetting, withOptionalRemote } from '../../src/engine/registry/distribution';
import { MemoryRegistry } from '../../src/engine/registry/memory-registry';
import { nodeRegistry } from '../../src/node/bundled-registry';

class MapStorage implements SettingsStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

describe('proxyFromSetting', () => {
  const target = 'https://registry-1.docker.io/v2/i386/busybox/manifests/latest?x=1&y=2';

  it('puts the encoded URL where {url} is', () => {
    expect(proxyFromSetting('https://proxy.example/fetch?url={url}')(target)).toBe(`https://proxy.example/fetch?url=${encodeURIComponent(target)}`);
  });

  it('appends the raw URL to a prefix (cors-anywhere style)', () => {
    expect(proxyFromSetting(' http://127.0.0.1:8080/ ')(target)).toBe(`http://127.0.0.1:8080/${target}`);
  });

  it('refuses what is not an http(s) URL', () => {
    expect(() => proxyFromSetting('proxy.example')).toThrow('invalid registry proxy "proxy.example": not a URL');
    expect(() => proxyFromSetting('file:///etc/passwd?{url}')).toThrow('only http and https proxies');
  });
});

describe('withOptionalRemote', () => {
  it('keeps the bundled registry alone without a setting, and puts Docker Hub behind it with one', () => {
    const bundled = new MemoryRegistry();
    expect(withOptionalRemote(bundled, undefined)).toBe(bundled);
    expect(withOptionalRemote(bundled, '  ')).toBe(bundled);
    expect(withOptionalRemote(bundled, 'https://proxy.example/?u={url}')).toBeInstanceOf(WithRemoteRegistry);
  });

  it('is what `dockside sh` and `serve` use, from DOCKSIDE_REGISTRY_PROXY', () => {
    expect(nodeRegistry({})).not.toBeInstanceOf(WithRemoteRegistry);
    expect(nodeRegistry({ DOCKSIDE_REGISTRY_PROXY: 'https://proxy.example/?u={url}' })).toBeInstanceOf(WithRemoteRegistry);
    expect(() => nodeRegistry({ DOCKSIDE_REGISTRY_PROXY: 'nonsense' })).toThrow(/invalid registry proxy/);
  });
});

describe('registryProxySetting (the page)', () => {
  it('is off by default, set from the address bar, kept for later visits, and cleared by an empty value', () => {
    const storage = new MapStorage();
    expect(registryProxySetting('', storage)).toBeUndefined();
    expect(registryProxySetting('?registry-proxy=https%3A%2F%2Fproxy.example%2F%3Fu%3D%7Burl%7D', storage)).toBe('https://proxy.example/?u={url}');
    expect(registryProxySetting('?lesson=3', storage)).toBe('https://proxy.example/?u={url}');
    expect(registryProxySetting('?registry-proxy=', storage)).toBeUndefined();
    expect(storage.items.size).toBe(0);
  });
});
