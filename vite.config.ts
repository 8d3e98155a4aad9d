import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plugin } from 'vite';
import { dockSideLessons } from './src/lessons/vite-plugin.ts';

export default defineConfig({
  // DOCKSIDE_LESSONS_DIR builds the site around another lessons folder (the browser tests' fixture course).
  plugins: [svelte(), bundledImages(), dockSideLessons({ dir: process.env.DOCKSIDE_LESSONS_DIR || undefined })],
  // Relative asset paths: the built site works from any folder of a static host.
  base: './',
  server: { fs: { allow: ['.'] } },
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});

// ---- images (issue 4): serves the bundled image layout (vm-images/images/dist) to the page under images/:
// a middleware in development, copied into the build. The page's BundledRegistry fetches blobs lazily.

const layoutDir = resolve(import.meta.dirname, 'vm-images/images/dist');

function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, `${prefix}${name}/`) : [`${prefix}${name}`];
  });
}

function bundledImages(): Plugin {
  return {
    name: 'dockside-bundled-images',
    configureServer(server) {
      server.middlewares.use('/images/', (request, response, next) => {
        const name = decodeURIComponent((request.url ?? '').split('?')[0]).replace(/^\/+/, '');
        const path = join(layoutDir, name);
        if (!path.startsWith(layoutDir) || !existsSync(path) || !statSync(path).isFile()) return next();
        response.setHeader('content-type', name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
        response.setHeader('content-length', String(statSync(path).size));
        createReadStream(path).pipe(response);
      });
    },
    generateBundle() {
      if (!existsSync(layoutDir)) return;
      for (const name of files(layoutDir)) {
        this.emitFile({ type: 'asset', fileName: `images/${name}`, source: readFileSync(join(layoutDir, name)) });
      }
    },
  };
}
