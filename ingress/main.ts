import { runRole } from '../shared/run-role';
import { startIngress } from './server';

await runRole('ingress', startIngress);
