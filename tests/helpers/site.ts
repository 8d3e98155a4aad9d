// Builds the site once and serves it on loopback; launches Debian's Chromium through playwright-core.

import { existsSync } from 'node:fs';
import { build, preview, type PreviewServer } from 'vite';
import { chromium, type Browser } from 'playwright-core';
import { join } from 'node:path';
import { projectRoot } from '../../src/node/artifacts';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);

export async function buildAndServe(outDir = join(projectRoot, 'dist')): Promise<{ url: string; server: PreviewServer }> {
  await build({ root: projectRoot, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({ root: projectRoot, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false } });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return { url: `http://127.0.0.1:${address.port}/`, server };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
