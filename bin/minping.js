#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx minping` works without a separate compile step.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli/main.ts');
