#!/usr/bin/env node
// Launcher for the `onsky` bin: registers tsx so the TypeScript sources run as they are.
import { register } from 'tsx/esm/api';

register();
await import('./onsky.ts');
