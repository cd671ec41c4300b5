// Starts the upload worker from the TypeScript source: tsx first (the compiled program, in dist/,
// starts upload-worker.js directly).
import { register } from 'tsx/esm/api';
register();
await import('./upload-worker.ts');
