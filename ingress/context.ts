import type { Redis } from 'ioredis';
import type { Config } from '../shared/config';
import type { Pool } from '../shared/db/pool';
import type { Logger } from '../shared/logger';
import type { RedisKeys } from '../shared/redis/keys';
import type { BrokerLink } from './broker-link';

/** What every route handler of ingress may use. */
export interface IngressContext {
  config: Config;
  pool: Pool;
  redis: Redis;
  keys: RedisKeys;
  broker: BrokerLink;
  logger: Logger;
}
