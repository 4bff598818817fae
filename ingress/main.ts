import cluster from 'node:cluster';
import { loadConfigOrExit } from '../shared/config';
import { createLogger } from '../shared/logger';
import { runRole } from '../shared/run-role';
import { onPrimaryShutdown, runIngressPrimary } from './cluster';
import { startIngress } from './server';

// INGRESS_PROCESSES > 1: this process only forks and watches the ingress processes (see cluster.ts).
const config = loadConfigOrExit();
if (config.INGRESS_PROCESSES > 1 && cluster.isPrimary) {
  runIngressPrimary(config, createLogger('ingress-primary', config.LOG_LEVEL), config.INGRESS_PROCESSES);
} else {
  await runRole('ingress', async (cfg, logger) => {
    const running = await startIngress(cfg, logger);
    if (cluster.isWorker) onPrimaryShutdown(() => running.close(), logger);
    return running;
  });
}
