#!/usr/bin/env node
// Entry point of `npx dockside`: loads the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../src/node/main.ts');
