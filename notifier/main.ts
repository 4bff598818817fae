import { runRole } from '../shared/run-role';
import { startNotifier } from './server';

await runRole('notifier', startNotifier);
