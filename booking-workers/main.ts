import { runRole } from '../shared/run-role';
import { startWorker } from './worker';

await runRole('worker', startWorker);
