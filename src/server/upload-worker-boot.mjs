// Starts the upload worker: TypeScript through tsx, as the rest of the Observatory runs.
import { register } from 'tsx/esm/api';
register();
await import('./upload-worker.ts');
