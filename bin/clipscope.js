#!/usr/bin/env node
// Entry point of `npx clipscope`: runs the TypeScript CLI through tsx, so no build step is needed after npm ci.
import { register } from 'tsx/esm/api';

register();
process.env.CLIPSCOPE_CLI = '1';
await import('../src/cli/index.ts');
